-- The rows of the Google Analytics 4 export that cannot be mapped to raw events, with the reason
-- (base_ga4__events): unknown_export_table, a file whose name names no daily (events_YYYYMMDD) or intraday
-- (events_intraday_YYYYMMDD) table, so its rows belong to no load; activity_without_ga_session, an activity
-- event outside any GA4 session (sent server-side, like most refunds), which would open a session GA4 does not
-- count (a refund's return is still made of it). Every other export row becomes raw events, whose own verdicts
-- are in stg_shop__events, stg_shop__events_duplicates and stg_shop__events_rejected.
with

rejected as (

    select
        export_row_id,
        export_file,
        export_table,
        anonymous_id,
        ga4_event_name,
        event_ts,
        event_rejection_reason as rejection_reason

    from {{ ref('base_ga4__events') }}
    where event_rejection_reason is not null

)

select * from rejected
