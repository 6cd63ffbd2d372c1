{#- dbt.date_spine (the semantic layer's time spine) numbers its days with dbt.generate_series, by default a
    cross join of 15 two-row tables: cheap on DuckDB, tens of seconds of planning on a cold Spark. Spark has
    the series built in. dbt looks for `spark__generate_series` in the project before its own. -#}
{% macro spark__generate_series(upper_bound) -%}
    select explode(sequence(1, {{ upper_bound }})) as generated_number
{%- endmacro %}
