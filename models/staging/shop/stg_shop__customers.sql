-- Customers without their personal data (SPEC 1, issue 7): `full_name` is dropped and the email is kept only
-- as a salted SHA-256 of its normalised form (macros/pii.sql), enough to match a customer across systems that
-- share the salt (env var ECOMMERCE_KPIS_EMAIL_SALT).
--
-- A table, not a view like the other small staging models: a view would store its SQL, salt included, in the
-- database for every reader to see; a table stores only the hashes.
{{ config(materialized='table') }}

with

source as (

    select * from {{ shop_raw('raw_customers') }}

),

customers as (

    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ salted_email_hash('email') }} as email_hash,
        upper({{ clean_text('country_code') }}) as country_code,
        cast(created_at as timestamp) as created_at

    from source

)

select * from customers
