-- The accepted product catalogue: one row per product_id (issue 7; rejected rows are in
-- stg_shop__products_rejected).

with

judged_products as (

    select * from {{ ref('base_shop__products') }}

),

products as (

    select
        product_id,
        product_name,
        category,
        list_price

    from judged_products
    where rejection_reason is null

)

select * from products
