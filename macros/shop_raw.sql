{#- The one place that knows where raw data lives (SPEC 1): the dbt seed `raw_<table>` by default, or the
    Parquet files `<raw_data_path>/<table>/*.parquet` when the var `raw_data_path` is set. -#}
{% macro shop_raw(table_name) -%}
    {%- set raw_data_path = var('raw_data_path', none) -%}
    {%- if raw_data_path -%}
        {{ read_parquet_folder(raw_data_path ~ '/' ~ table_name) }}
    {%- else -%}
        {{ ref(table_name) }}
    {%- endif -%}
{%- endmacro %}

{% macro read_parquet_folder(folder) -%}
    {{ return(adapter.dispatch('read_parquet_folder', 'ecommerce_kpis')(folder)) }}
{%- endmacro %}

{% macro default__read_parquet_folder(folder) -%}
    read_parquet('{{ folder.rstrip('/') }}/*.parquet')
{%- endmacro %}

{% macro spark__read_parquet_folder(folder) -%}
    parquet.`{{ folder.rstrip('/') }}`
{%- endmacro %}
