-- Conversion rate (SPEC 5), per day (of the session's start), channel and device: sessions with a purchase
-- over sessions, with the valid orders attributed to those sessions and their revenue.

with

sessions as (

    select
        date_day,
        channel,
        device_category,
        orders,
        revenue,
        has_purchase

    from {{ ref('fct_sessions') }}

),

conversion as (

    select
        date_day,
        channel,
        device_category,
        count(*) as sessions,
        count(case when has_purchase then 1 end) as converted_sessions,
        cast(sum(orders) as bigint) as orders,
        cast(sum(revenue) as decimal(18, 2)) as revenue

    from sessions
    group by date_day, channel, device_category

),

final as (

    select
        date_day,
        channel,
        device_category,
        sessions,
        converted_sessions,
        {{ safe_divide('converted_sessions', 'sessions') }} as conversion_rate,
        orders,
        revenue

    from conversion

)

select * from final
