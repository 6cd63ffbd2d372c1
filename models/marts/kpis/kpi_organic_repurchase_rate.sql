-- Organic repurchase rate, TOR (SPEC 5): per cohort month of first valid orders, the share of customers
-- who ordered again within `repurchase_window_days`, and the share who did so through an organic channel
-- without a discount code. A cohort is mature once its last customer has had the whole window.

{%- set window_days = number_var('repurchase_window_days') | int %}

with

customers as (

    select
        cohort_month,
        is_repeat_customer,
        is_organic_repeat_customer

    from {{ ref('int_customers_cohorted') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

cohorts as (

    select
        cohort_month,
        count(*) as customers,
        count(case when is_repeat_customer then 1 end) as repeat_customers,
        count(case when is_organic_repeat_customer then 1 end) as organic_repeat_customers

    from customers
    group by cohort_month

),

final as (

    select
        cohorts.cohort_month,
        cohorts.customers,
        cohorts.repeat_customers,
        cohorts.organic_repeat_customers,
        {{ safe_divide('cohorts.repeat_customers', 'cohorts.customers') }} as repurchase_rate,
        {{ safe_divide('cohorts.organic_repeat_customers', 'cohorts.customers') }} as organic_repurchase_rate,
        -- The cohort's last day: the first of the next month minus one day.
        {{ dbt.dateadd(
            'day',
            window_days - 1,
            dbt.dateadd('month', 1, 'cohorts.cohort_month')
        ) }} <= as_of.as_of_date as is_mature

    from cohorts
    cross join as_of

)

select * from final
