{#- Grain test of the tables that incremental runs update by delete+insert (issue 4): no two rows of the latest
    build share a value of `column_name` (NULLs are not_null's business). The latest build's rows are those with
    the newest `built_at` (each row carries the start of the run that wrote it): every row after a full refresh,
    the rows an incremental run wrote after one. That is enough, because delete+insert first deletes every row
    whose key the run writes: a key can then repeat only within the rows of one run, and every run's rows were
    checked by that run. It spares a grouping of the whole history at every run (1.7 s for the 10^7 event ids
    of the benchmark), and the newest built_at is written into the query as a literal, so DuckDB reads only the
    row groups the run appended.

    So it reads the latest build only when the tested model is updated by delete+insert (its own config says so:
    DuckDB and Databricks, macros/incremental_settings.sql); anything else, such as Spark's partition
    overwrites, has every row checked. A failed run's rows are no longer the latest once the next run writes: set
    the var `check_whole_history` (true) to check every row, as the next run after a failure should (or rebuild
    with --full-refresh). Fails with one row per repeated value, like dbt's `unique`. -#}
{% test unique_in_latest_build(model, column_name) %}

    {%- set latest_built_at = none -%}
    {%- if execute and not var('check_whole_history', false) -%}
        {%- set tested_models = graph.nodes.values()
            | selectattr('resource_type', 'equalto', 'model')
            | selectattr('alias', 'equalto', model.identifier)
            | selectattr('schema', 'equalto', model.schema)
            | list -%}
        {%- if tested_models | length == 1
            and tested_models[0].config.materialized == 'incremental'
            and tested_models[0].config.incremental_strategy == 'delete+insert' -%}
            {%- set latest_built_at = run_query(
                'select cast(max(built_at) as ' ~ dbt.type_string() ~ ') from ' ~ model
            ).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif %}

    select
        {{ column_name }} as unique_field,
        count(*) as n_records

    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if latest_built_at is not none %}
        and built_at = {{ dbt.cast("'" ~ latest_built_at ~ "'", dbt.type_timestamp()) }}
        {%- endif %}
    group by {{ column_name }}
    having count(*) > 1

{% endtest %}
