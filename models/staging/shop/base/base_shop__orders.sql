-- Every raw order row, parsed, with its verdict (issue 7): the first rejection reason that applies, NULL for
-- accepted rows. stg_shop__orders keeps the accepted rows (one per order_id), stg_shop__orders_rejected the
-- rest, so each raw row lands in exactly one of them. Row rules first, in this order: the order needs an id, a
-- readable `ordered_at` that is not in the future, and a readable `order_total` that is not negative (zero is a
-- free order); a status other than the four of SPEC 1 is unknown (NULL stays valid: decisions item 7). Then,
-- among the rows that pass, an order_id delivered twice: identical copies keep one, copies that differ are all
-- rejected (which one would be right?).
--
-- A table: the verdict is computed once and read by stg_shop__orders, the rejected model and the order lookups
-- of base_shop__order_items and base_shop__returns (as views, each reader would recompute it).
{{ config(materialized='table') }}
{%- set raw_types = raw_column_types('raw_orders') %}

with

source as (

    select * from {{ shop_raw('raw_orders') }}

),

-- Each raw value cleaned once (trimmed, NULL markers read as NULL), read by name from here on.
cleaned as (

    select
        {{ raw_value('order_id', raw_types) }} as order_id,
        {{ raw_value('customer_id', raw_types) }} as customer_id,
        lower({{ raw_value('status', raw_types) }}) as status,
        {{ raw_value('discount_code', raw_types) }} as discount_code,
        {{ raw_value('order_total', raw_types, 'money') }} as order_total,
        {{ raw_value('ordered_at', raw_types, 'timestamp') }} as ordered_at

    from source

),

-- Parsed, and without personal data in values (macros/pii.sql).
parsed as (

    select
        {{ pseudonymous_id('order_id') }} as order_id,
        {{ pseudonymous_id('customer_id') }} as customer_id,
        {{ redact_personal('status') }} as status,
        {{ redact_personal('discount_code') }} as discount_code,
        {{ parse_raw('order_total', 'money', raw_types) }} as order_total,
        {{ parse_raw('ordered_at', 'timestamp', raw_types) }} as ordered_at,
        order_total is null as is_order_total_missing,
        ordered_at is null as is_ordered_at_missing,
        cast(order_total as {{ dbt.type_string() }}) as order_total_raw,
        cast(ordered_at as {{ dbt.type_string() }}) as ordered_at_raw

    from cleaned

),

row_checked as (

    select
        order_id,
        customer_id,
        status,
        discount_code,
        order_total,
        ordered_at,
        order_total_raw,
        ordered_at_raw,
        case
            when order_id is null then 'missing_order_id'
            when is_ordered_at_missing then 'missing_ordered_at'
            when ordered_at is null then 'unparseable_ordered_at'
            when {{ is_after_clock('ordered_at', build_timestamp()) }} then 'future_ordered_at'
            when {{ is_before_plausible_floor('ordered_at') }} then 'implausible_ordered_at'
            when is_order_total_missing then 'missing_order_total'
            when order_total is null then 'unparseable_order_total'
            when order_total < 0 then 'negative_order_total'
            when status not in ('placed', 'shipped', 'delivered', 'cancelled') then 'unknown_status'
        end as row_rejection_reason,
        {{ row_fingerprint(['customer_id', 'status', 'discount_code', 'order_total', 'ordered_at']) }}
            as row_fingerprint

    from parsed

),

judged as (

    select
        order_id,
        customer_id,
        status,
        discount_code,
        order_total,
        ordered_at,
        coalesce(row_rejection_reason, {{ copy_verdict('order_id') }}) as rejection_reason,
        order_total_raw,
        ordered_at_raw

    from row_checked

),

-- the raw text of the parsed columns, for rejected rows only (stg_shop__orders_rejected shows it)
final as (

    select
        order_id,
        customer_id,
        status,
        discount_code,
        order_total,
        ordered_at,
        rejection_reason,
        case when rejection_reason is not null then order_total_raw end as order_total_raw,
        case when rejection_reason is not null then ordered_at_raw end as ordered_at_raw

    from judged

)

select * from final
