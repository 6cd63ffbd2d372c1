-- Accepted raw event rows removed as repeated deliveries of an event kept in stg_shop__events: every
-- accepted delivery but the earliest, ranked exactly as stg_shop__events ranks them.
-- A table, not a view: its data tests would otherwise each redo the ranking over the whole history.
{{ config(materialized='table') }}

with

accepted_deliveries as (

    select
        event_id,
        page_url,
        user_agent,
        event_ts,
        loaded_at

    from {{ ref('base_shop__events') }}
    where rejection_reason is null

),

ranked as (

    select
        event_id,
        row_number() over (
            partition by event_id order by loaded_at, event_ts, page_url, user_agent
        ) as delivery_number,
        event_ts,
        loaded_at

    from accepted_deliveries

),

duplicates as (

    select * from ranked
    where delivery_number > 1

)

select * from duplicates
