-- Raw customer rows refused by the rules of macros/judged_customers.sql (issue 7), with the reason; without
-- personal data, like stg_shop__customers. A table for the same reason: the salt stays out of view SQL.
{{ config(materialized='table') }}

with

judged_customers as (

    {{ judged_customers() }}

),

rejected as (

    select
        rejection_reason,
        customer_id,
        email_hash,
        country_code,
        created_at,
        created_at_raw

    from judged_customers
    where rejection_reason is not null

)

select * from rejected
