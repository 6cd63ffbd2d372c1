{#- Incremental event processing (issue 4): each run reads the rows loaded since the last one, minus a safety
    lookback (var `incremental_lookback_minutes`) for loads that land out of order. Returns the loaded_at
    from which rows count as new for `relation` (by default the model being built); when `relation` is still
    empty, every row is new (a model can stay empty for a while, e.g. the duplicates of a shop without any). -#}
{% macro incremental_cutoff(column='loaded_at', relation=this) -%}
    {{ return(adapter.dispatch('incremental_cutoff', 'ecommerce_kpis')(column, relation)) }}
{%- endmacro %}

{% macro default__incremental_cutoff(column, relation) -%}
    {{ dbt.dateadd(
        'minute',
        -1 * (var('incremental_lookback_minutes') | int),
        'coalesce((select max(' ~ column ~ ') from ' ~ relation ~ '), '
            ~ dbt.cast("'1900-01-01'", dbt.type_timestamp()) ~ ')'
    ) }}
{%- endmacro %}

{#- Spark (issue 5): the same cutoff, read once when the model is compiled and written as a literal. A Spark run
    may drop partitions of the table before its query runs (macros/incremental_partitions.sql), so the query
    must not ask the table for its latest row again; a literal also lets Spark prune partitions by it. -#}
{% macro spark__incremental_cutoff(column, relation) -%}
    {%- if not execute -%}
        {{ return(default__incremental_cutoff(column, relation)) }}
    {%- endif -%}
    {%- set latest = run_query(
        'select cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ relation
    ).columns[0].values()[0] -%}
    {%- set latest_literal = dbt.cast(
        "'" ~ (latest if latest is not none else '1900-01-01 00:00:00') ~ "'", dbt.type_timestamp()
    ) -%}
    {{ dbt.dateadd('minute', -1 * (var('incremental_lookback_minutes') | int), latest_literal) }}
{%- endmacro %}

{% macro databricks__incremental_cutoff(column, relation) -%}
    {{ return(default__incremental_cutoff(column, relation)) }}
{%- endmacro %}
