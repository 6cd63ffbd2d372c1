{#- Of the accepted deliveries of one event_id, the earliest loaded_at is kept. A duplicate should repeat the
    payload; the other keys only make the pick stable, the payload's fingerprint last, so that even copies that
    differ only elsewhere are always ranked the same way. stg_shop__events keeps delivery 1 and
    stg_shop__events_duplicates lists the others: both rank the deliveries with this one window. -#}
{% macro delivery_window() -%}
    partition by event_id order by loaded_at, event_ts, page_url, user_agent, {{ event_payload_fingerprint() }}
{%- endmacro %}

{% macro delivery_number() -%}
    row_number() over ({{ delivery_window() }})
{%- endmacro %}

{#- Everything an event says, loaded_at aside: two deliveries with different fingerprints are conflicting copies
    of one event_id, not one event delivered twice. -#}
{% macro event_payload_fingerprint() -%}
    {{ row_fingerprint([
        'anonymous_id', 'customer_id', 'event_name', 'page_url', 'page_referrer', 'utm_source', 'utm_medium',
        'utm_campaign', 'product_id', 'order_id', 'device_category', 'user_agent', 'event_ts'
    ]) }}
{%- endmacro %}

{#- The event ids with more than one accepted delivery, the only ones whose deliveries need numbering; in an
    incremental run only those with a delivery since the last run (the others keep what an earlier run did),
    on Spark those with a delivery on a rebuilt day, `rebuilt_days` (macros/incremental_partitions.sql). -#}
{% macro repeated_event_ids(rebuilt_days=none) -%}
    select event_id
    from {{ ref('base_shop__events') }}
    where rejection_reason is null
    {% if is_incremental() -%}
        and event_id in (
            select new_deliveries.event_id
            from {{ ref('base_shop__events') }} as new_deliveries
            where {{ deliveries_to_rebuild(rebuilt_days, 'new_deliveries') }}
        )
    {%- endif %}
    group by event_id
    having count(*) > 1
{%- endmacro %}
