-- Every raw order line, parsed, with its verdict (issue 7): the first rejection reason that applies, NULL for
-- accepted lines. stg_shop__order_items keeps the accepted lines, stg_shop__order_items_rejected the rest.
-- A line needs an order that is known and accepted (SPEC 2 reads an order_id that matches no raw order, or
-- none at all, as unknown: decisions item 6), a product, and a whole quantity of at least one; a unit price,
-- when given, must be readable and not negative (zero is a free item). The one join is the lookup of the
-- order ids and their verdicts.
--
-- A table: the verdict is computed once for its three readers.
{{ config(materialized='table') }}
{%- set raw_types = raw_column_types('raw_order_items') %}

with

source as (

    select * from {{ shop_raw('raw_order_items') }}

),

orders as (

    select
        order_id,
        count(case when rejection_reason is null then 1 end) as accepted_rows

    from {{ ref('base_shop__orders') }}
    where order_id is not null
    group by order_id

),

-- Each raw value cleaned once (trimmed, NULL markers read as NULL), read by name from here on.
cleaned as (

    select
        {{ raw_value('order_id', raw_types) }} as order_id,
        {{ raw_value('product_id', raw_types) }} as product_id,
        {{ raw_value('quantity', raw_types, 'integer') }} as quantity,
        {{ raw_value('unit_price', raw_types, 'money') }} as unit_price

    from source

),

-- Parsed, and without personal data in values (macros/pii.sql).
parsed as (

    select
        {{ pseudonymous_id('order_id') }} as order_id,
        {{ pseudonymous_id('product_id') }} as product_id,
        {{ parse_raw('quantity', 'integer', raw_types) }} as quantity,
        {{ parse_raw('unit_price', 'money', raw_types) }} as unit_price,
        quantity is null as is_quantity_missing,
        unit_price is null as is_unit_price_missing,
        cast(quantity as {{ dbt.type_string() }}) as quantity_raw,
        cast(unit_price as {{ dbt.type_string() }}) as unit_price_raw

    from cleaned

),

judged as (

    select
        parsed.order_id,
        parsed.product_id,
        parsed.quantity,
        parsed.unit_price,
        case
            when orders.order_id is null then 'unknown_order_id'
            when orders.accepted_rows = 0 then 'rejected_order_id'
            when parsed.product_id is null then 'missing_product_id'
            when parsed.is_quantity_missing then 'missing_quantity'
            when parsed.quantity is null then 'unparseable_quantity'
            when parsed.quantity <= 0 then 'non_positive_quantity'
            when not parsed.is_unit_price_missing and parsed.unit_price is null then 'unparseable_unit_price'
            when parsed.unit_price < 0 then 'negative_unit_price'
        end as rejection_reason,
        parsed.quantity_raw,
        parsed.unit_price_raw

    from parsed
    left join orders
        on parsed.order_id = orders.order_id

),

-- the raw text of the parsed columns, for rejected rows only (stg_shop__order_items_rejected shows it)
final as (

    select
        order_id,
        product_id,
        quantity,
        unit_price,
        rejection_reason,
        case when rejection_reason is not null then quantity_raw end as quantity_raw,
        case when rejection_reason is not null then unit_price_raw end as unit_price_raw

    from judged

)

select * from final
