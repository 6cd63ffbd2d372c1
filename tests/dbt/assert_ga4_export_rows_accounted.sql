-- Google Analytics 4 export, nothing is lost (docs/decisions.md, "Google Analytics 4 export"):
--   - per export file (a table, or a shard of one): the rows read from it = its rows in base_ga4__events, each
--     either mapped or rejected with a reason (stg_ga4__export_rows_rejected);
--   - per export table (one load, one loaded_at): the raw events its mapped rows stand for (one per row, one per
--     item of view_item / add_to_cart / remove_from_cart) = the rows of stg_ga4__raw_events with that
--     loaded_at. From there the raw accounting identity (assert_events_accounting_identity) takes over.
-- Returns the files and tables where a count differs. Without the var ga4_export_path every relation is empty.

with

read_rows as (

    select
        export_file,
        count(*) as read_rows
    from {{ ref('base_ga4__export_rows') }}
    group by export_file

),

judged_rows as (

    select
        export_file,
        count(*) as judged_rows
    from {{ ref('base_ga4__events') }}
    group by export_file

),

files_unbalanced as (

    select
        'file' as accounting_level,
        coalesce(read_rows.export_file, judged_rows.export_file) as export_unit,
        coalesce(read_rows.read_rows, 0) as expected_rows,
        coalesce(judged_rows.judged_rows, 0) as actual_rows
    from read_rows
    full outer join judged_rows
        on read_rows.export_file = judged_rows.export_file
    where coalesce(read_rows.read_rows, 0) != coalesce(judged_rows.judged_rows, 0)

),

represented as (

    select
        loaded_at,
        max(export_table) as export_table,
        sum(raw_event_count) as represented_events
    from {{ ref('base_ga4__events') }}
    where rejection_reason is null
    group by loaded_at

),

raw_events as (

    select
        loaded_at,
        count(*) as raw_events
    from {{ ref('stg_ga4__raw_events') }}
    group by loaded_at

),

tables_unbalanced as (

    select
        'table' as accounting_level,
        coalesce(represented.export_table, cast(raw_events.loaded_at as {{ dbt.type_string() }})) as export_unit,
        coalesce(represented.represented_events, 0) as expected_rows,
        coalesce(raw_events.raw_events, 0) as actual_rows
    from represented
    full outer join raw_events
        on represented.loaded_at = raw_events.loaded_at
    where coalesce(represented.represented_events, 0) != coalesce(raw_events.raw_events, 0)

)

select * from files_unbalanced
union all
select * from tables_unbalanced
