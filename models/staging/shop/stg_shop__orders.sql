with

source as (

    select * from {{ shop_raw('raw_orders') }}

),

orders as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_lower('status') }} as status,
        {{ clean_text('discount_code') }} as discount_code,
        cast(order_total as decimal(12, 2)) as order_total,
        -- SPEC 4: a cancelled order is not a valid order and counts in no KPI.
        coalesce({{ clean_lower('status') }} != 'cancelled', true) as is_valid,
        cast(cast(ordered_at as timestamp) as date) as order_date,
        cast(ordered_at as timestamp) as ordered_at

    from source

)

select * from orders
