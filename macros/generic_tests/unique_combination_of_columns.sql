{#- Grain test: no two rows share the same values of `combination_of_columns`. Fails with one row per
    repeated combination, so the failure shows which grain keys collide. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

    {%- set columns = combination_of_columns | join(', ') %}

    select
        {{ columns }},
        count(*) as rows_with_this_grain

    from {{ model }}
    group by {{ columns }}
    having count(*) > 1

{% endtest %}
