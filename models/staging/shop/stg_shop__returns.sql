-- Accepted returns: those whose order exists in raw_orders (SPEC 2).

with

judged_returns as (

    select * from {{ ref('base_shop__returns') }}

),

returns as (

    select
        return_id,
        order_id,
        product_id,
        reason,
        quantity,
        refund_amount,
        returned_at

    from judged_returns
    where rejection_reason is null

)

select * from returns
