-- One row per product of the catalogue.

with

products as (

    select * from {{ ref('stg_shop__products') }}

)

select
    product_id,
    product_name,
    category,
    list_price

from products
