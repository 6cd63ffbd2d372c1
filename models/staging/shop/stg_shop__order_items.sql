-- Accepted order lines (issue 7; rejected lines are in stg_shop__order_items_rejected).

with

judged_order_items as (

    select * from {{ ref('base_shop__order_items') }}

),

order_items as (

    select
        order_id,
        product_id,
        quantity,
        unit_price

    from judged_order_items
    where rejection_reason is null

)

select * from order_items
