{#- Incremental event processing (issue 4): each run reads the rows loaded since the last one, minus a safety
    lookback (var `incremental_lookback_minutes`) for loads that land out of order. Returns the loaded_at
    from which rows count as new for `relation` (by default the model being built); when `relation` is still
    empty, every row is new (a model can stay empty for a while, e.g. the duplicates of a shop without any).

    The latest loaded_at is read when the model compiles (just before it runs) and written as a literal, the
    same on every engine. A constant lets the engine skip storage by it: DuckDB prunes row groups of the event
    tables (appended in load order) and Parquet files by their loaded_at statistics, and Spark prunes
    partitions, where a subquery would make each scan read every column of the whole history first
    (docs/performance.md, decisions 52). On Spark it also matters that a run may drop partitions of the table
    before its query runs (macros/incremental_partitions.sql): the query must not ask the table again. -#}
{% macro incremental_cutoff(column='loaded_at', relation=this, where=none) -%}
    {%- set latest = none -%}
    {%- if execute -%}
        {%- set latest = run_query(
            'select cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ relation
            ~ (' where ' ~ where if where else '')
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {%- set latest_literal = dbt.cast(
        "'" ~ (latest if latest is not none else '1900-01-01 00:00:00') ~ "'", dbt.type_timestamp()
    ) -%}
    {{ dbt.dateadd('minute', -1 * (number_var('incremental_lookback_minutes') | int), latest_literal) }}
{%- endmacro %}

{#- `built_at`: the start of this dbt invocation, as a timestamp literal (UTC), written on every row that the models
    updated by incremental runs write, so that the rows of the latest build can be told apart from older ones
    (macros/generic_tests/unique_in_latest_build.sql). Every model of one invocation writes the same value. -#}
{% macro run_started_timestamp() -%}
    {{ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'", dbt.type_timestamp()) }}
{%- endmacro %}
