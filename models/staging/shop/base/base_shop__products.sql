-- Every raw product row, parsed, with its verdict (issue 7): the first rejection reason that applies, NULL for
-- accepted rows. stg_shop__products keeps the accepted rows (one per product_id), stg_shop__products_rejected
-- the rest. A product needs an id; a list price, when given, must be readable and not negative. Then a
-- product_id listed twice: identical copies keep one, copies that differ are all rejected.
--
-- A table: the verdict is computed once for its readers.
{{ config(materialized='table') }}
{%- set raw_types = raw_column_types('raw_products') %}

with

source as (

    select * from {{ shop_raw('raw_products') }}

),

-- Each raw value cleaned once (trimmed, NULL markers read as NULL), read by name from here on.
cleaned as (

    select
        {{ raw_value('product_id', raw_types) }} as product_id,
        {{ raw_value('product_name', raw_types) }} as product_name,
        {{ raw_value('category', raw_types) }} as category,
        {{ raw_value('list_price', raw_types, 'money') }} as list_price

    from source

),

-- Parsed, and without personal data in values (macros/pii.sql).
parsed as (

    select
        {{ pseudonymous_id('product_id') }} as product_id,
        {{ redact_personal('product_name') }} as product_name,
        {{ redact_personal('category') }} as category,
        {{ parse_raw('list_price', 'money', raw_types) }} as list_price,
        list_price is null as is_list_price_missing,
        cast(list_price as {{ dbt.type_string() }}) as list_price_raw

    from cleaned

),

row_checked as (

    select
        product_id,
        product_name,
        category,
        list_price,
        list_price_raw,
        case
            when product_id is null then 'missing_product_id'
            when not is_list_price_missing and list_price is null then 'unparseable_list_price'
            when list_price < 0 then 'negative_list_price'
        end as row_rejection_reason,
        {{ row_fingerprint(['product_name', 'category', 'list_price']) }} as row_fingerprint

    from parsed

),

judged as (

    select
        product_id,
        product_name,
        category,
        list_price,
        coalesce(row_rejection_reason, {{ copy_verdict('product_id') }}) as rejection_reason,
        list_price_raw

    from row_checked

),

-- the raw text of the parsed column, for rejected rows only (stg_shop__products_rejected shows it)
final as (

    select
        product_id,
        product_name,
        category,
        list_price,
        rejection_reason,
        case when rejection_reason is not null then list_price_raw end as list_price_raw

    from judged

)

select * from final
