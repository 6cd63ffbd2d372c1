-- One row per session (SPEC 3) with its channel and the valid orders attributed to it (SPEC 4).

with

sessions as (

    select * from {{ ref('int_sessions_classified') }}

),

orders as (

    select
        session_id,
        count(*) as orders,
        sum(order_total) as revenue

    from {{ ref('int_orders_attributed') }}
    where session_id is not null
    group by session_id

),

final as (

    select
        sessions.session_id,
        sessions.anonymous_id,
        sessions.customer_id,
        sessions.channel,
        sessions.source,
        sessions.device_category,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.referrer_host,
        sessions.landing_page_path,
        sessions.exit_page_path,
        sessions.event_count,
        sessions.pageviews,
        sessions.duration_seconds,
        coalesce(orders.orders, 0) as orders,
        cast(coalesce(orders.revenue, 0) as decimal(18, 2)) as revenue,
        sessions.is_bounce,
        sessions.has_add_to_cart,
        sessions.has_begin_checkout,
        sessions.has_purchase,
        sessions.date_day,
        sessions.session_start,
        sessions.session_end

    from sessions
    left join orders
        on sessions.session_id = orders.session_id

)

select * from final
