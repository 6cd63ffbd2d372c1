{#- SPEC 2: of the accepted deliveries of one event_id, the earliest loaded_at is kept. A duplicate repeats
    the payload, so the other keys only make the pick stable. stg_shop__events keeps delivery 1 and
    stg_shop__events_duplicates lists the others: both number the deliveries with this one expression. -#}
{% macro delivery_number() -%}
    row_number() over (partition by event_id order by loaded_at, event_ts, page_url, user_agent)
{%- endmacro %}
