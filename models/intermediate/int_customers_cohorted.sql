-- One row per customer with at least one valid order: the cohort of the first order and whether the
-- customer came back within `repurchase_window_days` (SPEC 5, organic repurchase rate). Orders without a
-- customer_id cannot be followed over time and are left out of the cohorts.

{%- set window_days = number_var('repurchase_window_days') | int %}

with

orders as (

    select
        order_id,
        customer_id,
        customer_order_sequence,
        is_organic_channel,
        has_discount_code,
        ordered_at

    from {{ ref('int_orders_attributed') }}
    where customer_id is not null

),

first_orders as (

    select
        customer_id,
        order_id as first_order_id,
        ordered_at as first_ordered_at

    from orders
    where customer_order_sequence = 1

),

-- A repeat order is any later valid order placed no later than the window after the first order's
-- timestamp: exactly `window_days` days later still counts, a second more does not.
repeat_orders as (

    select
        orders.customer_id,
        orders.is_organic_channel and not orders.has_discount_code as is_organic_repeat

    from orders
    inner join first_orders
        on orders.customer_id = first_orders.customer_id
    where
        orders.customer_order_sequence >= 2
        and orders.ordered_at <= {{ dbt.dateadd('day', window_days, 'first_orders.first_ordered_at') }}

),

repeat_customers as (

    select
        customer_id,
        max(case when is_organic_repeat then 1 else 0 end) = 1 as is_organic_repeat_customer

    from repeat_orders
    group by customer_id

),

order_counts as (

    select
        customer_id,
        count(*) as valid_orders

    from orders
    group by customer_id

),

final as (

    select
        first_orders.customer_id,
        first_orders.first_order_id,
        order_counts.valid_orders,
        repeat_customers.customer_id is not null as is_repeat_customer,
        coalesce(repeat_customers.is_organic_repeat_customer, false) as is_organic_repeat_customer,
        -- the first day of the local month (reporting time zone) of the first valid order
        cast({{ dbt.date_trunc('month', local_date('first_orders.first_ordered_at')) }} as date) as cohort_month,
        first_orders.first_ordered_at

    from first_orders
    inner join order_counts
        on first_orders.customer_id = order_counts.customer_id
    left join repeat_customers
        on first_orders.customer_id = repeat_customers.customer_id

)

select * from final
