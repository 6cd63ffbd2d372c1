-- raw_customers mapped from the Google Analytics 4 export (read instead of the raw_customers seed when the var
-- ga4_export_path is set and raw_data_path is not; macros/shop_raw.sql). Exactly the raw customer contract, and
-- no personal data: email and full_name are NULL. One customer per customer_id of an order
-- (stg_ga4__raw_orders: user_id, else user_pseudo_id) or user_id of an event; country_code = the latest non-NULL
-- geo.country of their events (GA4 exports the country's name, e.g. Spain, not an ISO code), created_at = their
-- first event. An event is theirs when its user_id is the customer_id or, without user_id, its user_pseudo_id is.
{%- set latest_first = 'partition by customer_id order by event_timestamp desc, loaded_at desc, export_row_id desc' %}

with

events as (

    select
        coalesce(customer_id, anonymous_id) as customer_id,
        country,
        export_row_id,
        event_timestamp,
        event_ts,
        loaded_at

    from {{ ref('base_ga4__events') }}
    where rejection_reason is null

),

customer_ids as (

    select customer_id from {{ ref('stg_ga4__raw_orders') }}

    union

    select customer_id from {{ ref('base_ga4__events') }}
    where rejection_reason is null and customer_id is not null

),

customer_events as (

    select events.*

    from events
    inner join customer_ids
        on events.customer_id = customer_ids.customer_id

),

customers_described as (

    select
        customer_id,
        {{ first_non_null_over('country', latest_first) }} as country_code,
        min(event_ts) over (partition by customer_id) as created_at,
        row_number() over ({{ latest_first }}) as event_number

    from customer_events

),

raw_customers as (

    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as full_name,
        country_code,
        created_at

    from customers_described
    where event_number = 1

)

select * from raw_customers
