-- Accepted, deduplicated, non-bot events with the session they belong to (SPEC 3). Per visitor, events in
-- (event_ts, event_id) order; an event opens a new session when it is the visitor's first or comes MORE
-- than `session_timeout_minutes` after the previous one (a gap of exactly the timeout stays in).

{%- set timeout_seconds = var('session_timeout_minutes') | float * 60 %}

with

events as (

    select
        event_id,
        anonymous_id,
        customer_id,
        event_name,
        page_path,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        product_id,
        order_id,
        device_category,
        is_page_event,
        event_ts

    from {{ ref('stg_shop__events') }}
    where not is_bot

),

events_with_gap as (

    select
        *,
        -- Elapsed seconds, not dbt.datediff minutes: a 30:00 gap must stay in and 30:01 must not.
        {{ elapsed_seconds(
            'lag(event_ts) over (partition by anonymous_id order by event_ts, event_id)',
            'event_ts'
        ) }} as seconds_since_previous_event

    from events

),

events_numbered as (

    select
        *,
        sum(
            case
                when seconds_since_previous_event is null or seconds_since_previous_event > {{ timeout_seconds }}
                    then 1
                else 0
            end
        ) over (
            partition by anonymous_id order by event_ts, event_id rows between unbounded preceding and current row
        ) as visitor_session_number

    from events_with_gap

),

events_with_session_start as (

    select
        *,
        min(event_ts) over (partition by anonymous_id, visitor_session_number) as session_start

    from events_numbered

),

sessionized as (

    select
        -- Stable across runs and engines: the visitor and the session's first timestamp identify it.
        {{ dbt.hash(dbt.concat(['anonymous_id', "'|'", 'cast(session_start as ' ~ dbt.type_string() ~ ')'])) }}
            as session_id,
        event_id,
        anonymous_id,
        customer_id,
        event_name,
        page_path,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        product_id,
        order_id,
        device_category,
        visitor_session_number,
        is_page_event,
        session_start,
        event_ts

    from events_with_session_start

)

select * from sessionized
