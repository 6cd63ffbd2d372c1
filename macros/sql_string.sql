{#- A text value (from YAML metadata) as a SQL string literal, quotes escaped, so labels such as
    "Customers' repurchase" are data, never SQL. -#}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'ecommerce_kpis')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_string(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
