-- Accepted returns (SPEC 2 and issue 7): known and accepted order, readable values, no more units or money
-- returned than the order had.

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
