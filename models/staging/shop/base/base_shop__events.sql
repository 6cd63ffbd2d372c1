-- Every raw event row, normalised, with the verdict of SPEC 2: the first rejection reason that applies
-- (NULL for accepted rows). stg_shop__events keeps the earliest delivery of each accepted event,
-- stg_shop__events_duplicates the later ones, stg_shop__events_rejected the rest: every raw row lands in
-- exactly one of them.
--
-- Incremental (issue 4): raw rows never change once loaded, so each run appends the rows loaded since the
-- last run. The lookback window is deleted and re-inserted (delete+insert keyed on loaded_at), so re-reading
-- it never duplicates a row. On Spark (issue 5) the table is partitioned by loaded_date and a run re-reads
-- whole days from the cutoff's day on, which replace those partitions (macros/incremental_partitions.sql).
--
-- Bad input (issue 7): event_ts is parsed strictly (macros/raw_contract.sql); typed Parquet skips the parsing.
-- One pass over the rows, no join: the verdict needs nothing but the row itself.
{%- set raw_types = raw_column_types('raw_events') %}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **incremental_settings(unique_key='loaded_at', partition_by='loaded_date')
) }}

with

source as (

    select * from {{ shop_raw('raw_events') }}

),

-- Each raw value cleaned once (trimmed, NULL markers read as NULL), read by name from here on.
cleaned as (

    select
        {{ raw_value('event_id', raw_types) }} as event_id,
        {{ raw_value('anonymous_id', raw_types) }} as anonymous_id,
        {{ raw_value('customer_id', raw_types) }} as customer_id,
        lower({{ raw_value('event_name', raw_types) }}) as event_name,
        {{ raw_value('page_url', raw_types) }} as page_url,
        {{ raw_value('page_referrer', raw_types) }} as page_referrer,
        lower({{ raw_value('utm_source', raw_types) }}) as utm_source,
        lower({{ raw_value('utm_medium', raw_types) }}) as utm_medium,
        lower({{ raw_value('utm_campaign', raw_types) }}) as utm_campaign,
        {{ raw_value('product_id', raw_types) }} as product_id,
        {{ raw_value('order_id', raw_types) }} as order_id,
        lower({{ raw_value('device_category', raw_types) }}) as device_category,
        {{ raw_value('user_agent', raw_types) }} as user_agent,
        {{ raw_value('event_ts', raw_types, 'timestamp') }} as event_ts,
        {{ raw_value('loaded_at', raw_types, 'timestamp') }} as loaded_at

    from source

),

-- Parsed, and without personal data in values (macros/pii.sql).
normalised as (

    select
        {{ pseudonymous_id('event_id') }} as event_id,
        {{ pseudonymous_id('anonymous_id') }} as anonymous_id,
        {{ pseudonymous_id('customer_id') }} as customer_id,
        {{ redact_personal('event_name') }} as event_name,
        {{ redact_personal('page_url') }} as page_url,
        {{ redact_personal('page_referrer') }} as page_referrer,
        {{ redact_personal('utm_source') }} as utm_source,
        {{ redact_personal('utm_medium') }} as utm_medium,
        {{ redact_personal('utm_campaign') }} as utm_campaign,
        {{ pseudonymous_id('product_id') }} as product_id,
        {{ pseudonymous_id('order_id') }} as order_id,
        {{ redact_personal('device_category') }} as device_category,
        {{ redact_personal('user_agent') }} as user_agent,
        event_ts is null as is_event_ts_missing,
        {{ parse_raw('event_ts', 'timestamp', raw_types) }} as event_ts,
        cast(event_ts as {{ dbt.type_string() }}) as event_ts_raw,
        -- the loader's own stamp: typed by contract (a seed or Parquet column of another type stops the build);
        -- with a time zone (an offset in the seed, zoned Parquet) it is converted to UTC
        {{ parse_raw('loaded_at', 'timestamp', raw_types) }} as loaded_at

    from cleaned
    {% if is_incremental() -%}
    where {{ raw_rows_to_read(parse_raw('loaded_at', 'timestamp', raw_types)) }}
    {%- endif %}

),

judged as (

    select
        event_id,
        anonymous_id,
        customer_id,
        event_name,
        page_url,
        page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        product_id,
        order_id,
        device_category,
        user_agent,
        event_ts,
        loaded_at,
        case
            -- the loader's stamp first: every load is keyed on it, and one from the future would hold back the
            -- incremental runs (the cutoff ignores it, macros/incremental_partitions.sql). A GA4 export's stamp
            -- is its table's day plus a made-up delivery time (today's intraday table: tomorrow noon), so
            -- there the table's day is what must not be in the future.
            when {{ is_after_clock('loaded_at', dbt.dateadd(
                'hour', ga4_delivery_hours(is_intraday=false) if is_ga4_source() else 0, build_timestamp()
            )) }} then 'future_loaded_at'
            when {{ is_before_plausible_floor('loaded_at') }} then 'implausible_loaded_at'
            when event_id is null then 'missing_event_id'
            when anonymous_id is null then 'missing_anonymous_id'
            when is_event_ts_missing then 'missing_event_ts'
            -- present but not a timestamp (issue 7): a refinement of missing_event_ts, at its place
            when event_ts is null then 'unparseable_event_ts'
            when
                event_name is null
                or event_name not in {{ sql_name_list(known_event_names()) }}
                then 'unknown_event_name'
            when event_name in ('product_view', 'add_to_cart', 'remove_from_cart') and product_id is null
                then 'missing_product_id'
            when event_name = 'purchase' and order_id is null then 'missing_order_id'
            -- issue 7: a client clock years off, or an event that landed before it happened (beyond the
            -- clock skew allowed), would put the event on a wrong day or shift as_of_date
            when
                event_ts < {{ dbt.dateadd('day', -1 * bad_input_var('max_event_lateness_days'), 'loaded_at') }}
                or {{ is_after_clock('event_ts', 'loaded_at') }}
                or {{ is_before_plausible_floor('event_ts') }}
                then 'implausible_event_ts'
        end as rejection_reason,
        event_ts_raw

    from normalised

),

final as (

    select
        event_id,
        anonymous_id,
        customer_id,
        event_name,
        page_url,
        page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        product_id,
        order_id,
        device_category,
        user_agent,
        event_ts,
        loaded_at,
        rejection_reason,
        -- the raw text of a rejected row only: accepted rows, nearly all of them, carry nothing more
        case when rejection_reason is not null then event_ts_raw end as event_ts_raw,
        -- the partition on Spark (last: Spark puts partition columns last)
        cast(loaded_at as date) as loaded_date

    from judged

)

select * from final
