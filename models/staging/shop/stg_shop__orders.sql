-- Accepted orders (issue 7; rejected rows are in stg_shop__orders_rejected): one row per order_id.

with

judged_orders as (

    select * from {{ ref('base_shop__orders') }}

),

orders as (

    select
        order_id,
        customer_id,
        status,
        discount_code,
        order_total,
        -- SPEC 4: a cancelled order is not a valid order and counts in no KPI.
        coalesce(status != 'cancelled', true) as is_valid,
        -- the local date in the reporting time zone
        {{ local_date('ordered_at') }} as order_date,
        ordered_at

    from judged_orders
    where rejection_reason is null

)

select * from orders
