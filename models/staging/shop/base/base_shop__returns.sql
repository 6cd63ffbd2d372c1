-- Every raw return row, normalised, with the verdict of SPEC 2: a return whose order is unknown is
-- rejected (reason `unknown_order_id`). stg_shop__returns and stg_shop__returns_rejected split it.
-- The lookup of raw order ids is the one join staging needs to give that verdict.

with

source as (

    select * from {{ shop_raw('raw_returns') }}

),

known_orders as (

    select distinct {{ clean_text('order_id') }} as order_id from {{ shop_raw('raw_orders') }}

),

returns as (

    select
        {{ clean_text('return_id') }} as return_id,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('reason') }} as reason,
        cast(quantity as integer) as quantity,
        cast(refund_amount as decimal(12, 2)) as refund_amount,
        cast(returned_at as timestamp) as returned_at

    from source

),

judged as (

    select
        returns.*,
        case when known_orders.order_id is null then 'unknown_order_id' end as rejection_reason

    from returns
    left join known_orders
        on returns.order_id = known_orders.order_id

)

select * from judged
