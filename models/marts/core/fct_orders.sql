-- One row per valid order (SPEC 4: cancelled orders are left out) with its attribution, its items and
-- its accepted returns.

with

orders as (

    select * from {{ ref('int_orders_attributed') }}

),

order_items as (

    select
        order_id,
        cast(sum(quantity) as bigint) as items_sold

    from {{ ref('stg_shop__order_items') }}
    group by order_id

),

returns as (

    select
        order_id,
        count(*) as return_lines,
        cast(sum(quantity) as bigint) as items_returned,
        sum(refund_amount) as refunded_amount

    from {{ ref('stg_shop__returns') }}
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.session_id,
        orders.status,
        orders.discount_code,
        orders.channel,
        orders.source,
        orders.customer_order_sequence,
        coalesce(order_items.items_sold, 0) as items_sold,
        coalesce(returns.return_lines, 0) as return_lines,
        coalesce(returns.items_returned, 0) as items_returned,
        orders.order_total,
        cast(coalesce(returns.refunded_amount, 0) as decimal(18, 2)) as refunded_amount,
        orders.is_organic_channel,
        orders.has_discount_code,
        returns.order_id is not null as has_return,
        orders.order_date,
        orders.ordered_at

    from orders
    left join order_items
        on orders.order_id = order_items.order_id
    left join returns
        on orders.order_id = returns.order_id

)

select * from final
