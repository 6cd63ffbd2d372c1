{#- Row test: every row satisfies the SQL predicate `expression` (a NULL result passes, like SQL's CHECK).
    Fails with the offending rows. Used for rate bounds and numerator <= denominator. Placed under a column
    or under the model alike; the column only says where the rule is documented. -#}
{% test expression_is_true(model, expression, column_name=none) %}

    select *
    from {{ model }}
    where not ({{ expression }})

{% endtest %}
