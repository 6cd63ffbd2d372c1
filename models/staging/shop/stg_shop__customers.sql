-- Accepted customers, one per customer_id, without their personal data (SPEC 1): `full_name` is dropped and the
-- email is kept only as a salted SHA-256 of its normalised form (macros/pii.sql), enough to match a customer
-- across systems that share the salt (env var ECOMMERCE_KPIS_EMAIL_SALT). Rejected rows (issue 7) are in
-- stg_shop__customers_rejected; the verdict is macros/judged_customers.sql.
--
-- A table, not a view like the other small staging models: a view would store its SQL, salt included, in the
-- database for every reader to see; a table stores only the hashes.
{{ config(materialized='table') }}

with

judged_customers as (

    {{ judged_customers() }}

),

customers as (

    select
        customer_id,
        email_hash,
        country_code,
        created_at

    from judged_customers
    where rejection_reason is null

)

select * from customers
