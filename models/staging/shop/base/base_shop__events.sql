-- Every raw event row, normalised, with the verdict of SPEC 2: the first rejection reason that applies,
-- and for accepted rows their delivery number (1 = the delivery kept, > 1 = a duplicate removed).
-- stg_shop__events, stg_shop__events_rejected and stg_shop__events_duplicates split this one verdict,
-- so that every raw row lands in exactly one of them.

with

source as (

    select * from {{ shop_raw('raw_events') }}

),

normalised as (

    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_lower('event_name') }} as event_name,
        {{ clean_text('page_url') }} as page_url,
        {{ clean_text('page_referrer') }} as page_referrer,
        {{ clean_lower('utm_source') }} as utm_source,
        {{ clean_lower('utm_medium') }} as utm_medium,
        {{ clean_lower('utm_campaign') }} as utm_campaign,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_lower('device_category') }} as device_category,
        {{ clean_text('user_agent') }} as user_agent,
        cast(event_ts as timestamp) as event_ts,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

judged as (

    select
        *,
        case
            when event_id is null then 'missing_event_id'
            when anonymous_id is null then 'missing_anonymous_id'
            when event_ts is null then 'missing_event_ts'
            when
                event_name is null
                or event_name not in (
                    'page_view', 'product_view', 'add_to_cart', 'remove_from_cart', 'begin_checkout', 'purchase'
                )
                then 'unknown_event_name'
            when event_name in ('product_view', 'add_to_cart', 'remove_from_cart') and product_id is null
                then 'missing_product_id'
            when event_name = 'purchase' and order_id is null then 'missing_order_id'
        end as rejection_reason

    from normalised

),

numbered as (

    select
        *,
        -- Duplicates are counted among accepted rows only: keep the earliest delivery (SPEC 2).
        -- The payload of a duplicate repeats the original, so the tie-breakers only make the pick stable.
        case
            when rejection_reason is null
                then row_number() over (
                    partition by rejection_reason is null, event_id
                    order by loaded_at, event_ts, page_url, user_agent
                )
        end as delivery_number

    from judged

)

select * from numbered
