-- raw_returns mapped from the Google Analytics 4 export (read instead of the raw_returns seed when the var
-- ga4_export_path is set and raw_data_path is not; macros/shop_raw.sql). Exactly the raw return contract, from
-- the refund events (docs/decisions.md, "Google Analytics 4 export"):
-- - a refund with items returns each element: product_id = item_id, its quantity, refund_amount =
--   item_refund_in_usd (else price_in_usd x quantity);
-- - a refund without items refunds the whole transaction (GA4's meaning of it): one return per line of the
--   order (stg_ga4__raw_order_items), all its units, and ecommerce.refund_value_in_usd shared among the lines in
--   proportion to their value, rounded to cents, the last line taking the rounding remainder so the returns add
--   up to the refund. An order without lines gives one return without product_id (rejected by staging).
-- return_id is built like event_id (macros/ga4.sql), from the refund event and the item or line position, so a
-- refund delivered twice is one return; returned_at is the event time; GA4 records no reason (NULL).
with

refunds as (

    select
        export_row_id,
        anonymous_id,
        transaction_id,
        ga4_event_name,
        items,
        event_timestamp,
        event_bundle_sequence_id,
        refund_value_in_usd,
        event_ts

    from {{ ref('base_ga4__events') }}
    where rejection_reason is null and ga4_event_name = 'refund'

),

-- an outer explode: a refund without items keeps one row, with item_index NULL
exploded as (

    select
        refunds.*,
        {{ ga4_explode_items('refunds.items') }}

    from refunds

),

item_returns as (

    select
        {{ row_fingerprint([
            'anonymous_id', 'event_timestamp', 'ga4_event_name', 'event_bundle_sequence_id', 'item_index + 1'
        ]) }} as return_id,
        transaction_id as order_id,
        {{ ga4_value('item.item_id') }} as product_id,
        cast(item.quantity as {{ dbt.type_int() }}) as quantity,
        cast(
            coalesce(item.item_refund_in_usd, item.price_in_usd * item.quantity) as decimal(12, 2)
        ) as refund_amount,
        event_ts as returned_at

    from exploded
    where item_index is not null

),

order_lines as (

    select
        order_id,
        product_id,
        quantity,
        unit_price,
        quantity * unit_price as line_value,
        row_number() over (partition by order_id order by product_id, quantity, unit_price) as line_number,
        count(*) over (partition by order_id) as line_count,
        sum(quantity * unit_price) over (partition by order_id) as order_value

    from {{ ref('stg_ga4__raw_order_items') }}

),

whole_refund_lines as (

    select
        exploded.export_row_id,
        exploded.anonymous_id,
        exploded.event_timestamp,
        exploded.ga4_event_name,
        exploded.event_bundle_sequence_id,
        exploded.transaction_id,
        exploded.event_ts,
        exploded.refund_value_in_usd,
        order_lines.product_id,
        order_lines.quantity,
        order_lines.line_number,
        order_lines.line_count,
        case
            when order_lines.order_value > 0
                then round(
                    cast(exploded.refund_value_in_usd as decimal(18, 6)) * order_lines.line_value
                    / order_lines.order_value,
                    2
                )
            when order_lines.line_number = 1 then cast(exploded.refund_value_in_usd as decimal(18, 6))
            else 0
        end as line_share

    from exploded
    left join order_lines
        on exploded.transaction_id = order_lines.order_id
    where exploded.item_index is null

),

-- what the other lines of the same refund (export row) got, so the last line can take what rounding left over
whole_refund_shares as (

    select
        *,
        sum(line_share) over (
            partition by export_row_id
        ) - line_share as other_lines_share

    from whole_refund_lines

),

whole_refund_returns as (

    select
        {{ row_fingerprint([
            'anonymous_id', 'event_timestamp', 'ga4_event_name', 'event_bundle_sequence_id',
            "concat('line ', cast(line_number as " ~ dbt.type_string() ~ "))"
        ]) }} as return_id,
        transaction_id as order_id,
        product_id,
        quantity,
        cast(
            case
                when line_number = line_count
                    then cast(refund_value_in_usd as decimal(18, 6)) - other_lines_share
                when line_number is null then cast(refund_value_in_usd as decimal(18, 6))
                else line_share
            end as decimal(12, 2)
        ) as refund_amount,
        event_ts as returned_at

    from whole_refund_shares

),

raw_returns as (

    select
        return_id,
        order_id,
        product_id,
        quantity,
        refund_amount,
        returned_at,
        cast(null as {{ dbt.type_string() }}) as reason

    from item_returns

    union all

    select
        return_id,
        order_id,
        product_id,
        quantity,
        refund_amount,
        returned_at,
        cast(null as {{ dbt.type_string() }}) as reason

    from whole_refund_returns

)

select * from raw_returns
