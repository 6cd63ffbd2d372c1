-- raw_orders mapped from the Google Analytics 4 export (read instead of the raw_orders seed when the var
-- ga4_export_path is set and raw_data_path is not; macros/shop_raw.sql). Exactly the raw order contract.
-- One order per transaction id of purchase events, from the transaction's first purchase event
-- (base_ga4__events): ordered_at its time, order_total its purchase_revenue_in_usd, discount_code its coupon
-- param, customer_id its user_id or, for a visitor who never logged in, its user_pseudo_id, status placed
-- (GA4 knows nothing of shipping or cancellation). A purchase without transaction id makes no order.
with

first_purchases as (

    select
        transaction_id,
        customer_id,
        anonymous_id,
        coupon,
        purchase_revenue_in_usd,
        event_ts

    from {{ ref('base_ga4__events') }}
    where is_first_purchase_of_transaction

),

raw_orders as (

    select
        transaction_id as order_id,
        coalesce(customer_id, anonymous_id) as customer_id,
        event_ts as ordered_at,
        cast('placed' as {{ dbt.type_string() }}) as status,
        cast(purchase_revenue_in_usd as decimal(12, 2)) as order_total,
        coupon as discount_code

    from first_purchases

)

select * from raw_orders
