-- raw_order_items mapped from the Google Analytics 4 export (read instead of the raw_order_items seed when the
-- var ga4_export_path is set and raw_data_path is not; macros/shop_raw.sql). Exactly the raw order line
-- contract: one line per element of the items of each transaction's first purchase event (the event the order
-- comes from, stg_ga4__raw_orders), product_id = item_id, quantity, unit_price = price_in_usd. An element without
-- item_id gives a line without product_id, which staging rejects as missing_product_id.
with

first_purchases as (

    select
        transaction_id,
        items

    from {{ ref('base_ga4__events') }}
    where is_first_purchase_of_transaction

),

exploded as (

    select
        first_purchases.transaction_id,
        {{ ga4_explode_items('first_purchases.items') }}

    from first_purchases

),

raw_order_items as (

    select
        transaction_id as order_id,
        {{ ga4_value('item.item_id') }} as product_id,
        cast(item.quantity as {{ dbt.type_int() }}) as quantity,
        cast(item.price_in_usd as decimal(12, 2)) as unit_price

    from exploded
    -- a purchase without items has no lines
    where item_index is not null

)

select * from raw_order_items
