-- Raw return rows refused by the rules of base_shop__returns (SPEC 2 and issue 7), with the reason.

with

judged_returns as (

    select * from {{ ref('base_shop__returns') }}

),

rejected as (

    select
        rejection_reason,
        return_id,
        order_id,
        product_id,
        reason,
        quantity,
        refund_amount,
        returned_at,
        quantity_raw,
        refund_amount_raw,
        returned_at_raw

    from judged_returns
    where rejection_reason is not null

)

select * from rejected
