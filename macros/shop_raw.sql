{#- The one place that knows where raw data lives (SPEC 1): the dbt seed `raw_<table>` by default, or the
    Parquet files `<raw_data_path>/<table>/*.parquet` when the var `raw_data_path` is set, or the models mapped
    from a Google Analytics 4 export (models/staging/ga4/) when the var `ga4_export_path` is set. A unit test
    always reads the seed ref, which dbt replaces by its fixture rows, so unit tests run in both modes; the
    seed stays a parent in Parquet mode too, because dbt reads a fixture's column types from it. -#}
{% macro shop_raw(table_name) -%}
    {%- set raw_data_path = var('raw_data_path', none) -%}
    {%- set seed_relation = ref(table_name) -%}
    {#- A missing or renamed column stops here, naming table and column (macros/raw_contract.sql). -#}
    {%- do check_raw_columns(table_name) -%}
    {%- if ga4_raw_model(table_name) and model.resource_type != 'unit_test' -%}
        {{ ref(ga4_raw_model(table_name)) }}
    {%- elif raw_data_path and model.resource_type != 'unit_test' -%}
        {{ read_parquet_folder(raw_data_path ~ '/' ~ table_name) }}
    {%- else -%}
        {{ seed_relation }}
    {%- endif -%}
{%- endmacro %}

{#- With a Google Analytics 4 export (var ga4_export_path), the model in models/staging/ga4/ that holds a raw
    table mapped from it: raw_events always; the five order-side tables only when raw_data_path does not give
    them (docs/decisions.md, "Google Analytics 4 export"). none when the table is read from seeds or Parquet. -#}
{% macro ga4_raw_model(table_name) %}
    {%- if ga4_export_path() is none -%}{{ return(none) }}{%- endif -%}
    {%- if table_name != 'raw_events' and var('raw_data_path', none) -%}{{ return(none) }}{%- endif -%}
    {{ return('stg_ga4__' ~ table_name) }}
{% endmacro %}

{% macro read_parquet_folder(folder) -%}
    {{ return(adapter.dispatch('read_parquet_folder', 'ecommerce_kpis')(folder)) }}
{%- endmacro %}

{% macro default__read_parquet_folder(folder) -%}
    read_parquet('{{ folder.rstrip('/') }}/*.parquet')
{%- endmacro %}

{% macro spark__read_parquet_folder(folder) -%}
    parquet.`{{ folder.rstrip('/') }}`
{%- endmacro %}
