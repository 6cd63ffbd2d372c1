-- Every row of the Google Analytics 4 export with its verdict and its mapping to the raw event contract
-- (docs/decisions.md, "Google Analytics 4 export"). One row per export row: stg_ga4__raw_events turns each
-- mapped row into raw events, stg_ga4__export_rows_rejected lists the rows that cannot be mapped.
--
-- - The export table comes from the file name: events_YYYYMMDD (daily) or events_intraday_YYYYMMDD, with an
--   optional shard suffix (-000000000000). A file whose name names no such table cannot be placed in a load:
--   its rows are rejected as unknown_export_table.
-- - loaded_at stands for the moment the table was delivered, which the export does not record: the intraday
--   table of day D at D + 1 day 12:00 UTC, the daily table of D at D + 2 days 00:00 UTC. Every event of local
--   date D happened before D + 1 day 12:00 UTC (the day ends last at UTC-12), so no event is ever later than
--   its loaded_at; each table is its own load; the intraday delivery of a day comes before its daily table,
--   which therefore repeats it as a later, duplicate delivery.
-- - GA4 event names map to the raw event names; every other name is an `activity` event. An activity event
--   outside any GA4 session (no ga_session_id: sent server-side, like most refunds) makes no raw event
--   (event_rejection_reason activity_without_ga_session): it would open a session of its own that GA4 does not
--   count. The row still gives what else it holds (a refund's return).
-- - utm_* are the first non-NULL source / medium / campaign params of the GA4 session (user_pseudo_id and the
--   ga_session_id param) in event order, so every event carries its session's traffic source; an event
--   without ga_session_id keeps its own.
-- - GA4 placeholders ((not set), (data deleted), (other)) are NULL (macros/ga4.sql, ga4_value).
-- A table: the verdict, the session fill and the first purchase of each transaction are computed once for the
-- six raw relations that read it.
{{ config(materialized='table') }}

with

export_rows as (

    select * from {{ ref('base_ga4__export_rows') }}

),

-- the table a file belongs to, from its name; shard suffixes belong to the same table
placed as (

    select
        *,
        regexp_extract(
            export_file, '(^|/)(events_(intraday_)?[0-9]{8})(-[0-9]+)?[.]parquet$', 2
        ) as export_table

    from export_rows

),

-- the table's day: the last eight characters of its name, YYYYMMDD
table_days as (

    select
        *,
        {{ dbt.right('export_table', '8') }} as table_day_digits

    from placed

),

dated as (

    select
        *,
        {{ try_cast_as(
            "concat(substring(table_day_digits, 1, 4), '-', substring(table_day_digits, 5, 2), '-', "
            ~ "substring(table_day_digits, 7, 2))",
            'date'
        ) }} as table_date,
        substring(export_table, 1, 16) = 'events_intraday_' as is_intraday

    from table_days

),

mapped as (

    select
        {{ dbt.hash(dbt.concat([
            "coalesce(export_file, '')", "'|'", "cast(export_row_number as " ~ dbt.type_string() ~ ")"
        ])) }} as export_row_id,
        export_file,
        nullif(export_table, '') as export_table,
        {{ pseudonymous_id(ga4_value('user_pseudo_id')) }} as anonymous_id,
        {{ pseudonymous_id(ga4_value('user_id')) }} as customer_id,
        {{ ga4_value(ga4_event_param('event_params', 'ga_session_id', 'text')) }} as ga_session_id,
        lower(trim(event_name)) as ga4_event_name,
        case lower(trim(event_name))
            when 'page_view' then 'page_view'
            when 'view_item' then 'product_view'
            when 'add_to_cart' then 'add_to_cart'
            when 'remove_from_cart' then 'remove_from_cart'
            when 'begin_checkout' then 'begin_checkout'
            when 'purchase' then 'purchase'
            else 'activity'
        end as event_name,
        {{ redact_personal(ga4_value(ga4_event_param('event_params', 'page_location'))) }} as page_url,
        {{ redact_personal(ga4_value(ga4_event_param('event_params', 'page_referrer'))) }} as page_referrer,
        {{ redact_personal(ga4_value(ga4_event_param('event_params', 'source'))) }} as event_utm_source,
        {{ redact_personal(ga4_value(ga4_event_param('event_params', 'medium'))) }} as event_utm_medium,
        {{ redact_personal(ga4_value(ga4_event_param('event_params', 'campaign'))) }} as event_utm_campaign,
        {{ redact_personal(ga4_value(ga4_event_param('event_params', 'coupon'))) }} as coupon,
        {{ redact_personal(ga4_value('device_category')) }} as device_category,
        {{ redact_personal(ga4_value('geo_country')) }} as country,
        {{ pseudonymous_id(ga4_value('transaction_id')) }} as transaction_id,
        items,
        event_timestamp,
        event_bundle_sequence_id,
        purchase_revenue_in_usd,
        refund_value_in_usd,
        is_intraday,
        table_date,
        {{ ga4_timestamp_from_micros('event_timestamp') }} as event_ts,
        case
            when is_intraday then {{ dbt.dateadd(
                'hour', ga4_delivery_hours(is_intraday=true), 'cast(table_date as ' ~ dbt.type_timestamp() ~ ')'
            ) }}
            else {{ dbt.dateadd(
                'hour', ga4_delivery_hours(is_intraday=false), 'cast(table_date as ' ~ dbt.type_timestamp() ~ ')'
            ) }}
        end as loaded_at,
        case when table_date is null then 'unknown_export_table' end as rejection_reason

    from dated

),

-- the GA4 session of an event; an event without ga_session_id is a session of its own
sessions_keyed as (

    select
        *,
        coalesce(ga_session_id, export_row_id) as ga4_session_key,
        -- why the row makes no raw event (NULL: it makes some)
        case
            when rejection_reason is not null then rejection_reason
            when event_name = 'activity' and ga_session_id is null then 'activity_without_ga_session'
        end as event_rejection_reason,
        -- the raw events stg_ga4__raw_events makes of the row, for the accounting of every export row
        case
            when rejection_reason is not null then 0
            when event_name = 'activity' and ga_session_id is null then 0
            when event_name in ('product_view', 'add_to_cart', 'remove_from_cart')
                then greatest({{ ga4_item_count('items') }}, 1)
            else 1
        end as raw_event_count

    from mapped

),

sessions_filled as (

    {%- set session_window = 'partition by rejection_reason, anonymous_id, ga4_session_key '
        ~ 'order by event_timestamp, loaded_at, event_bundle_sequence_id, export_row_id' %}

    select
        *,
        {{ first_non_null_over('event_utm_source', session_window) }} as utm_source,
        {{ first_non_null_over('event_utm_medium', session_window) }} as utm_medium,
        {{ first_non_null_over('event_utm_campaign', session_window) }} as utm_campaign,
        -- an order is taken from the first purchase event of its transaction (repeats of the event, e.g. a
        -- reloaded confirmation page or the daily table repeating the intraday one, add nothing)
        coalesce(
            ga4_event_name = 'purchase'
            and transaction_id is not null
            and rejection_reason is null
            and row_number() over (
                partition by ga4_event_name, transaction_id, rejection_reason
                order by event_timestamp, loaded_at, event_bundle_sequence_id, export_row_id
            ) = 1,
            false
        ) as is_first_purchase_of_transaction

    from sessions_keyed

),

final as (

    select
        export_row_id,
        export_file,
        export_table,
        anonymous_id,
        customer_id,
        ga_session_id,
        transaction_id,
        ga4_event_name,
        event_name,
        page_url,
        page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        coupon,
        device_category,
        country,
        items,
        event_timestamp,
        event_bundle_sequence_id,
        raw_event_count,
        purchase_revenue_in_usd,
        refund_value_in_usd,
        is_intraday,
        is_first_purchase_of_transaction,
        table_date,
        event_ts,
        loaded_at,
        rejection_reason,
        event_rejection_reason

    from sessions_filled

)

select * from final
