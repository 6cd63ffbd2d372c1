{#- A rate is a ratio of sums; a denominator of 0 gives NULL, never a division error (SPEC 5). -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}
