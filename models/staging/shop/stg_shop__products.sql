with

source as (

    select * from {{ shop_raw('raw_products') }}

),

products as (

    select
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('product_name') }} as product_name,
        {{ clean_text('category') }} as category,
        cast(list_price as decimal(12, 2)) as list_price

    from source

)

select * from products
