{#- SPEC 2: of the accepted deliveries of one event_id, the earliest loaded_at is kept. A duplicate repeats
    the payload, so the other keys only make the pick stable. stg_shop__events keeps delivery 1 and
    stg_shop__events_duplicates lists the others: both number the deliveries with this one expression. -#}
{% macro delivery_number() -%}
    row_number() over (partition by event_id order by loaded_at, event_ts, page_url, user_agent)
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
