{#- SPEC 1: text may arrive with stray case or blanks; trim it and treat an empty string as NULL. -#}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- For the fields the SPEC compares lower-cased (event_name, utm_*, device_category, status). -#}
{% macro clean_lower(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}
