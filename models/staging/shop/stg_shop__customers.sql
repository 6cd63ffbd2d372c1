-- Customers without their personal data (SPEC 1): `full_name` is dropped and the email is kept only as a
-- hash of its normalised form, enough to match a customer across systems.

with

source as (

    select * from {{ shop_raw('raw_customers') }}

),

customers as (

    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ dbt.hash(clean_lower('email')) }} as email_hash,
        upper({{ clean_text('country_code') }}) as country_code,
        cast(created_at as timestamp) as created_at

    from source

)

select * from customers
