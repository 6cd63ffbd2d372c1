-- Return rate (SPEC 5), per order date: of the valid orders placed that day, how many had at least one
-- accepted return, and how much of their revenue was refunded. A day is mature once its orders have had
-- `return_window_days` to come back.

{%- set return_window_days = number_var('return_window_days') | int %}

with

orders as (

    select
        order_date,
        items_sold,
        items_returned,
        order_total,
        refunded_amount,
        has_return

    from {{ ref('fct_orders') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

daily as (

    select
        order_date,
        count(*) as orders,
        count(case when has_return then 1 end) as returned_orders,
        cast(sum(items_sold) as bigint) as items_sold,
        cast(sum(items_returned) as bigint) as items_returned,
        cast(sum(order_total) as decimal(18, 2)) as revenue,
        cast(sum(refunded_amount) as decimal(18, 2)) as refunded_amount

    from orders
    group by order_date

),

final as (

    select
        daily.order_date,
        daily.orders,
        daily.returned_orders,
        daily.items_sold,
        daily.items_returned,
        daily.revenue,
        daily.refunded_amount,
        {{ safe_divide('daily.returned_orders', 'daily.orders') }} as return_rate,
        {{ safe_divide('daily.refunded_amount', 'daily.revenue') }} as refund_rate,
        {{ dbt.dateadd('day', return_window_days, 'daily.order_date') }} <= as_of.as_of_date as is_mature

    from daily
    cross join as_of

)

select * from final
