-- Product page visits (SPEC 5): per day (of the session's start) and viewed product, the product views,
-- the sessions that viewed it and the add-to-carts of that product in that day's sessions.

with

product_events as (

    select
        session_id,
        -- the day of the session's start, as int_sessions_aggregated dates sessions: no join to sessions needed
        {{ local_date('session_start') }} as date_day,
        product_id,
        event_name

    from {{ ref('int_events_sessionized') }}
    where event_name in ('product_view', 'add_to_cart')

),

products as (

    select
        product_id,
        product_name,
        category

    from {{ ref('dim_products') }}

),

product_days as (

    select
        product_events.date_day,
        product_events.product_id,
        count(case when product_events.event_name = 'product_view' then 1 end) as product_views,
        count(distinct case when product_events.event_name = 'product_view' then product_events.session_id end)
            as product_view_sessions,
        count(case when product_events.event_name = 'add_to_cart' then 1 end) as add_to_carts

    from product_events
    group by product_events.date_day, product_events.product_id

),

final as (

    select
        product_days.date_day,
        product_days.product_id,
        products.product_name,
        products.category,
        product_days.product_views,
        product_days.product_view_sessions,
        product_days.add_to_carts

    from product_days
    left join products
        on product_days.product_id = products.product_id
    -- The grain is the products viewed that day; carts of a product nobody viewed that day are not a row.
    where product_days.product_views >= 1

)

select * from final
