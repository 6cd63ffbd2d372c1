-- Valid orders (SPEC 4) with the session and channel they are attributed to and their place in the
-- customer's order history. The order's session is the one holding its first purchase event, by
-- (event_ts, event_id); an order without such an event is `unattributed` and has no session.

with

orders as (

    select
        order_id,
        customer_id,
        status,
        discount_code,
        order_total,
        order_date,
        ordered_at

    from {{ ref('stg_shop__orders') }}
    where is_valid

),

purchase_events as (

    select
        order_id,
        session_id,
        row_number() over (partition by order_id order by event_ts, event_id) as purchase_event_number

    from {{ ref('int_events_sessionized') }}
    where event_name = 'purchase'

),

sessions as (

    select
        session_id,
        channel,
        source

    from {{ ref('int_sessions_classified') }}

),

channels as (

    select
        {{ clean_lower('channel') }} as channel,
        is_organic

    from {{ ref('channels') }}

),

orders_attributed as (

    select
        orders.order_id,
        orders.customer_id,
        purchase_events.session_id,
        orders.status,
        orders.discount_code,
        coalesce(sessions.channel, 'unattributed') as channel,
        sessions.source,
        orders.order_total,
        orders.order_date,
        orders.ordered_at

    from orders
    left join purchase_events
        on
            orders.order_id = purchase_events.order_id
            and purchase_events.purchase_event_number = 1
    left join sessions
        on purchase_events.session_id = sessions.session_id

),

final as (

    select
        orders_attributed.order_id,
        orders_attributed.customer_id,
        orders_attributed.session_id,
        orders_attributed.status,
        orders_attributed.discount_code,
        orders_attributed.channel,
        orders_attributed.source,
        orders_attributed.order_total,
        -- Valid orders numbered per customer by (ordered_at, order_id), from 1 (SPEC 4). Cast: row_number()
        -- is a bigint on DuckDB but an int on Spark.
        case
            when orders_attributed.customer_id is not null
                then cast(row_number() over (
                    partition by orders_attributed.customer_id
                    order by orders_attributed.ordered_at, orders_attributed.order_id
                ) as {{ dbt.type_bigint() }})
        end as customer_order_sequence,
        coalesce(channels.is_organic, false) as is_organic_channel,
        orders_attributed.discount_code is not null as has_discount_code,
        orders_attributed.order_date,
        orders_attributed.ordered_at

    from orders_attributed
    left join channels
        on orders_attributed.channel = channels.channel

)

select * from final
