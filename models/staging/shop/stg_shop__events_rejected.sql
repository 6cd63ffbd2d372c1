-- Raw event rows refused by the cleaning rules of SPEC 2, each with the first reason that applies.

with

judged_events as (

    select * from {{ ref('base_shop__events') }}

),

rejected as (

    select
        rejection_reason,
        event_id,
        anonymous_id,
        customer_id,
        event_name,
        page_url,
        product_id,
        order_id,
        event_ts,
        loaded_at,
        event_ts_raw

    from judged_events
    where rejection_reason is not null

)

select * from rejected
