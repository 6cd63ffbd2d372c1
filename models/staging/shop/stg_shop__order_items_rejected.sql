-- Raw order lines refused by the rules of base_shop__order_items (issue 7), with the reason. Never used by a
-- KPI.

with

judged_order_items as (

    select * from {{ ref('base_shop__order_items') }}

),

rejected as (

    select
        rejection_reason,
        order_id,
        product_id,
        quantity,
        unit_price,
        quantity_raw,
        unit_price_raw

    from judged_order_items
    where rejection_reason is not null

)

select * from rejected
