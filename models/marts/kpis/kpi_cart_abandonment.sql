-- Cart abandonment (SPEC 5), per day and device: carted sessions without a purchase over carted sessions,
-- and the same for sessions that began checkout.

with

sessions as (

    select
        date_day,
        device_category,
        has_add_to_cart,
        has_begin_checkout,
        has_purchase

    from {{ ref('fct_sessions') }}

),

funnel as (

    select
        date_day,
        device_category,
        count(*) as sessions,
        count(case when has_add_to_cart then 1 end) as carted_sessions,
        count(case when has_add_to_cart and not has_purchase then 1 end) as abandoned_cart_sessions,
        count(case when has_begin_checkout then 1 end) as checkout_sessions,
        count(case when has_begin_checkout and not has_purchase then 1 end) as abandoned_checkout_sessions

    from sessions
    group by date_day, device_category

),

final as (

    select
        date_day,
        device_category,
        sessions,
        carted_sessions,
        abandoned_cart_sessions,
        {{ safe_divide('abandoned_cart_sessions', 'carted_sessions') }} as cart_abandonment_rate,
        checkout_sessions,
        abandoned_checkout_sessions,
        {{ safe_divide('abandoned_checkout_sessions', 'checkout_sessions') }} as checkout_abandonment_rate

    from funnel

)

select * from final
