-- Raw order rows refused by the rules of base_shop__orders (issue 7), with the reason. Never used by a KPI.

with

judged_orders as (

    select * from {{ ref('base_shop__orders') }}

),

rejected as (

    select
        rejection_reason,
        order_id,
        customer_id,
        status,
        discount_code,
        order_total,
        ordered_at,
        order_total_raw,
        ordered_at_raw

    from judged_orders
    where rejection_reason is not null

)

select * from rejected
