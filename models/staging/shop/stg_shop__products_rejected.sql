-- Raw product rows refused by the rules of base_shop__products (issue 7), with the reason.

with

judged_products as (

    select * from {{ ref('base_shop__products') }}

),

rejected as (

    select
        rejection_reason,
        product_id,
        product_name,
        category,
        list_price,
        list_price_raw

    from judged_products
    where rejection_reason is not null

)

select * from rejected
