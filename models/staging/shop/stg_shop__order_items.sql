with

source as (

    select * from {{ shop_raw('raw_order_items') }}

),

order_items as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('product_id') }} as product_id,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(12, 2)) as unit_price

    from source

)

select * from order_items
