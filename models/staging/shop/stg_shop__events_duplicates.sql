-- Accepted raw event rows removed as repeated deliveries of an event already kept in stg_shop__events.

with

judged_events as (

    select * from {{ ref('base_shop__events') }}

),

duplicates as (

    select
        event_id,
        delivery_number,
        event_ts,
        loaded_at

    from judged_events
    where rejection_reason is null and delivery_number > 1

)

select * from duplicates
