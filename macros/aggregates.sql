{#- Aggregates that pick the value of one row of the group: the row with the lowest (first_by) or highest
    (last_by) `order_key`. Rows whose key is NULL are skipped, so a CASE on the key restricts the pick to some
    rows; the picked value is returned even when it is NULL (a session's first event without a campaign has
    no campaign, whatever later events carry). One hash aggregation instead of a window sort per attribute. -#}
{% macro first_by(value, order_key) -%}
    {{ return(adapter.dispatch('first_by', 'ecommerce_kpis')(value, order_key)) }}
{%- endmacro %}

{% macro last_by(value, order_key) -%}
    {{ return(adapter.dispatch('last_by', 'ecommerce_kpis')(value, order_key)) }}
{%- endmacro %}

{#- DuckDB's arg_min / arg_max skip NULL values; the _null variants keep them. -#}
{% macro default__first_by(value, order_key) -%}
    arg_min_null({{ value }}, {{ order_key }})
{%- endmacro %}

{% macro default__last_by(value, order_key) -%}
    arg_max_null({{ value }}, {{ order_key }})
{%- endmacro %}

{% macro spark__first_by(value, order_key) -%}
    min_by({{ value }}, {{ order_key }})
{%- endmacro %}

{% macro spark__last_by(value, order_key) -%}
    max_by({{ value }}, {{ order_key }})
{%- endmacro %}
