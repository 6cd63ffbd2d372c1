-- raw_products mapped from the Google Analytics 4 export (read instead of the raw_products seed when the var
-- ga4_export_path is set and raw_data_path is not; macros/shop_raw.sql). Exactly the raw product contract: one
-- product per item_id seen in the items of any mapped event, with the latest non-NULL item_name, item_category
-- and price_in_usd seen for it (latest by event time, then delivery), each on its own: an event that omits the
-- category does not erase it.
{%- set latest_first = 'partition by product_id order by event_timestamp desc, loaded_at desc, '
    ~ 'event_bundle_sequence_id desc, export_row_id desc, item_index desc' %}

with

events_with_items as (

    select
        export_row_id,
        items,
        event_timestamp,
        event_bundle_sequence_id,
        loaded_at

    from {{ ref('base_ga4__events') }}
    where rejection_reason is null

),

exploded as (

    select
        events_with_items.*,
        {{ ga4_explode_items('events_with_items.items') }}

    from events_with_items

),

items_seen as (

    select
        {{ ga4_value('item.item_id') }} as product_id,
        {{ redact_personal(ga4_value('item.item_name')) }} as product_name,
        {{ redact_personal(ga4_value('item.item_category')) }} as category,
        cast(item.price_in_usd as decimal(12, 2)) as list_price,
        export_row_id,
        item_index,
        event_timestamp,
        event_bundle_sequence_id,
        loaded_at

    from exploded

),

latest_values as (

    select
        product_id,
        {{ first_non_null_over('product_name', latest_first) }} as product_name,
        {{ first_non_null_over('category', latest_first) }} as category,
        {{ first_non_null_over('list_price', latest_first) }} as list_price,
        row_number() over ({{ latest_first }}) as item_number

    from items_seen
    where product_id is not null

),

raw_products as (

    select
        product_id,
        product_name,
        category,
        list_price

    from latest_values
    where item_number = 1

)

select * from raw_products
