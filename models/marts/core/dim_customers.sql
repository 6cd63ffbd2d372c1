-- One row per customer known to the catalogue of customers or to a valid order, without personal data
-- (no email, no name): where they come from and how they buy.

with

customers as (

    select
        customer_id,
        country_code,
        created_at

    from {{ ref('stg_shop__customers') }}

),

cohorts as (

    select * from {{ ref('int_customers_cohorted') }}

),

final as (

    select
        coalesce(customers.customer_id, cohorts.customer_id) as customer_id,
        cohorts.first_order_id,
        customers.country_code,
        coalesce(cohorts.valid_orders, 0) as valid_orders,
        coalesce(cohorts.is_repeat_customer, false) as is_repeat_customer,
        coalesce(cohorts.is_organic_repeat_customer, false) as is_organic_repeat_customer,
        customers.customer_id is null as is_missing_from_catalogue,
        cohorts.cohort_month,
        customers.created_at,
        cohorts.first_ordered_at

    from customers
    full outer join cohorts
        on customers.customer_id = cohorts.customer_id

)

select * from final
