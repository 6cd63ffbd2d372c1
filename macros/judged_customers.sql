{#- Every raw customer row without its personal data, with its verdict (issue 7): the first rejection reason that
    applies, NULL for accepted rows. A customer needs an id; created_at, when given, must be readable, not in the future and not
    older than the plausibility floor (macros/plausible_time.sql). Then a
    customer_id listed twice: identical copies keep one, copies that differ are all rejected.

    Personal data (SPEC 1): `full_name` is dropped and the email is kept only as a salted SHA-256 of its
    normalised form (macros/pii.sql). Both enter only the fingerprint that tells copies apart, never a column.

    stg_shop__customers and stg_shop__customers_rejected both select from this instead of from a base view like
    the other raw tables: a view would store its SQL, salt included, for every reader to see, and
    stg_shop__customers stays buildable from the raw table alone. Both are tables. -#}
{% macro judged_customers() %}
    {%- set raw_types = raw_column_types('raw_customers') -%}
    with

    source as (

        select * from {{ shop_raw('raw_customers') }}

    ),

    -- each raw value cleaned once (trimmed, NULL markers read as NULL), read by name from here on
    cleaned as (

        select
            {{ raw_value('customer_id', raw_types) }} as customer_id,
            {{ raw_value('email', raw_types) }} as email,
            upper({{ raw_value('country_code', raw_types) }}) as country_code,
            {{ raw_value('created_at', raw_types, 'timestamp') }} as created_at,
            {{ raw_value('full_name', raw_types) }} as full_name

        from source

    ),

    -- parsed, and without personal data: the email as its hash only, none in other values (macros/pii.sql)
    parsed as (

        select
            {{ pseudonymous_id('customer_id') }} as customer_id,
            {{ salted_email_hash('email') }} as email_hash,
            {{ redact_personal('country_code') }} as country_code,
            {{ parse_raw('created_at', 'timestamp', raw_types) }} as created_at,
            created_at is null as is_created_at_missing,
            cast(created_at as {{ dbt.type_string() }}) as created_at_raw,
            full_name

        from cleaned

    ),

    row_checked as (

        select
            customer_id,
            email_hash,
            country_code,
            created_at,
            created_at_raw,
            case
                when customer_id is null then 'missing_customer_id'
                when not is_created_at_missing and created_at is null then 'unparseable_created_at'
                when {{ is_after_clock('created_at', build_timestamp()) }} then 'future_created_at'
                when {{ is_before_plausible_floor('created_at') }} then 'implausible_created_at'
            end as row_rejection_reason,
            {{ row_fingerprint(['email_hash', 'full_name', 'country_code', 'created_at']) }} as row_fingerprint

        from parsed

    )

    select
        customer_id,
        email_hash,
        country_code,
        created_at,
        coalesce(row_rejection_reason, {{ copy_verdict('customer_id') }}) as rejection_reason,
        created_at_raw

    from row_checked
{% endmacro %}
