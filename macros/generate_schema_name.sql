{#- Models land in the schema their folder names (staging, intermediate, marts; raw and lookups for seeds)
    instead of dbt's default "<target schema>_<custom schema>", so BI tools read `marts.kpi_traffic`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
