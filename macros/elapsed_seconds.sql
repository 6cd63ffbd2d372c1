{#- Seconds elapsed from `start_ts` to `end_ts`, fractions kept. dbt.datediff(..., 'second') counts
    second boundaries crossed and differs between engines; exact thresholds (the session timeout)
    need the elapsed time itself. -#}
{% macro elapsed_seconds(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('elapsed_seconds', 'ecommerce_kpis')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__elapsed_seconds(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{% macro spark__elapsed_seconds(start_ts, end_ts) -%}
    (cast({{ end_ts }} as double) - cast({{ start_ts }} as double))
{%- endmacro %}
