-- raw_events mapped from the Google Analytics 4 export: exactly the columns and types of the raw event contract
-- (seeds/_seeds.yml), read by the shop staging instead of the raw_events seed when the var ga4_export_path is set
-- (macros/shop_raw.sql), so the same cleaning rules, sessions and KPIs apply.
--
-- One raw event per mapped export row (none for an activity event outside any GA4 session), except view_item,
-- add_to_cart and remove_from_cart: one per element of their items, with product_id = item_id (an item listed
-- twice counts twice, as in GA4's item-scoped metrics).
-- Such an event without items, or an element without item_id, gives a raw event without product_id, which
-- staging rejects as missing_product_id; a purchase without transaction id gives one without order_id
-- (missing_order_id). event_id is a hash of user_pseudo_id, event_timestamp, the GA4 event name,
-- event_bundle_sequence_id and the item's position (1 for the first item; empty for an event that is not
-- exploded), so the same event delivered twice (identical export rows, or an intraday row repeated by the
-- daily table) has one id and staging keeps its earliest delivery. GA4 filters known bots before the export:
-- there is no user agent.
with

events as (

    select
        anonymous_id,
        customer_id,
        transaction_id,
        ga4_event_name,
        event_name,
        page_url,
        page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_category,
        -- only the events whose items are their subject are exploded
        case
            when event_name in ('product_view', 'add_to_cart', 'remove_from_cart') then items
        end as exploded_items,
        event_timestamp,
        event_bundle_sequence_id,
        event_ts,
        loaded_at

    from {{ ref('base_ga4__events') }}
    where event_rejection_reason is null

),

exploded as (

    select
        events.*,
        {{ ga4_explode_items('exploded_items') }}

    from events

),

raw_events as (

    select
        {{ row_fingerprint([
            'anonymous_id', 'event_timestamp', 'ga4_event_name', 'event_bundle_sequence_id', 'item_index + 1'
        ]) }} as event_id,
        event_ts,
        loaded_at,
        anonymous_id,
        customer_id,
        event_name,
        page_url,
        page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        {{ ga4_value('item.item_id') }} as product_id,
        case when event_name = 'purchase' then transaction_id end as order_id,
        device_category,
        cast(null as {{ dbt.type_string() }}) as user_agent

    from exploded

)

select * from raw_events
