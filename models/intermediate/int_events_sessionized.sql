-- Accepted, deduplicated, non-bot events with the session they belong to (SPEC 3). Per visitor, events in
-- (event_ts, event_id) order; an event opens a new session when it is the visitor's first or comes MORE
-- than `session_timeout_minutes` after the previous one (a gap of exactly the timeout stays in).
--
-- Incremental (issue 4): only visitors with events loaded since the last run (minus the lookback) are
-- re-sessionized, and only from the first session a new event can change: the earliest session that ends no
-- more than the timeout before the visitor's earliest new event (or that event itself). Everything before
-- that point keeps its sessions; everything from it is rebuilt and replaces the old rows (delete+insert on
-- event_id), so late events, sessions straddling loads and bridged sessions come out as a full refresh would.
-- On Spark (issue 5) the table is partitioned by event_date, and a run re-sessionizes every visitor's events
-- from the day of the earliest rebuild point on, continuing each visitor from its last event before that day;
-- those days replace their partitions (macros/incremental_partitions.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **incremental_settings(unique_key='event_id', partition_by='event_date')
) }}

{%- set timeout_seconds = number_var('session_timeout_minutes') | float * 60 %}
{%- set previous_event_ts = 'lag(event_ts) over (partition by anonymous_id order by event_ts, event_id)' %}
{%- set session_start = 'max(new_session_start) over visitor_history' %}

with

-- The windows below sort what they are given: they get the three columns the session rule needs, and the
-- other columns join back at the end (a tenth of the sort work at 10^7 events; see docs/performance.md).
event_keys as (

    select
        event_id,
        anonymous_id,
        event_ts

    from {{ ref('stg_shop__events') }}
    where not is_bot

),

{% if is_incremental() %}

new_events_by_visitor as (

    select
        anonymous_id,
        min(event_ts) as first_new_event_ts

    from {{ ref('stg_shop__events') }}
    where
        not is_bot
        and loaded_at > {{ incremental_cutoff() }}
    group by anonymous_id

),

existing_sessions as (

    select
        sessionized.anonymous_id,
        sessionized.session_id,
        min(sessionized.event_ts) as session_start,
        max(sessionized.event_ts) as session_end,
        count(*) as event_count

    from {{ this }} as sessionized
    inner join new_events_by_visitor
        on sessionized.anonymous_id = new_events_by_visitor.anonymous_id
    group by sessionized.anonymous_id, sessionized.session_id

),

-- The first session a new event can change ends at most the timeout before the visitor's earliest new event;
-- the rebuild starts there, or at that new event when no session is that close.
rebuild_points as (

    select
        new_events_by_visitor.anonymous_id,
        min(
            case
                when
                    {{ elapsed_seconds('existing_sessions.session_end', 'new_events_by_visitor.first_new_event_ts') }}
                    <= {{ timeout_seconds }}
                    then existing_sessions.session_start
            end
        ) as touched_session_start,
        new_events_by_visitor.first_new_event_ts

    from new_events_by_visitor
    left join existing_sessions
        on new_events_by_visitor.anonymous_id = existing_sessions.anonymous_id
    group by new_events_by_visitor.anonymous_id, new_events_by_visitor.first_new_event_ts

),

rebuild_starts as (

    select
        anonymous_id,
        case
            when touched_session_start < first_new_event_ts then touched_session_start
            else first_new_event_ts
        end as rebuild_from_ts

    from rebuild_points

),

{{ sessionized_keys_to_rebuild() }}

{% else %}

keys_to_sessionize as (

    select
        *,
        0 as sessions_before,
        0 as events_before

    from event_keys

),

{% endif %}

keys_with_gap as (

    select
        *,
        -- The position in the visitor's history: the next window orders by it instead of re-sorting on
        -- (event_ts, event_id), and int_sessions_aggregated picks first and last events by it.
        events_before + row_number() over (
            partition by anonymous_id order by event_ts, event_id
        ) as visitor_event_number,
        -- Elapsed seconds, not dbt.datediff minutes: a 30:00 gap must stay in and 30:01 must not.
        -- An incremental run on Spark may continue a session: its first event's previous one was kept.
        {{ elapsed_seconds(
            'coalesce(' ~ previous_event_ts ~ ', previous_event_ts)' if is_incremental() else previous_event_ts,
            'event_ts'
        ) }} as seconds_since_previous_event

    from keys_to_sessionize

),

keys_with_session_start as (

    select
        *,
        case
            when seconds_since_previous_event is null or seconds_since_previous_event > {{ timeout_seconds }}
                then event_ts
        end as new_session_start

    from keys_with_gap

),

-- Running over the visitor's events: the number of sessions opened so far, and the start of the latest.
keys_sessionized as (

    select
        event_id,
        anonymous_id,
        event_ts,
        visitor_event_number,
        sessions_before + count(new_session_start) over visitor_history as visitor_session_number,
        -- (an incremental run on Spark may continue a session that started before its first event)
        {{ 'coalesce(' ~ session_start ~ ', previous_session_start)' if is_incremental() else session_start }}
            as session_start

    from keys_with_session_start
    window visitor_history as (
        partition by anonymous_id order by visitor_event_number rows between unbounded preceding and current row
    )

),

events as (

    select
        event_id,
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
        loaded_at

    from {{ ref('stg_shop__events') }}
    where not is_bot

),

sessionized as (

    select
        -- Stable across runs and engines: the visitor and the session's first timestamp identify it.
        {{ dbt.hash(dbt.concat([
            'keys_sessionized.anonymous_id', "'|'",
            'cast(keys_sessionized.session_start as ' ~ dbt.type_string() ~ ')'
        ])) }} as session_id,
        keys_sessionized.event_id,
        keys_sessionized.anonymous_id,
        events.customer_id,
        events.event_name,
        events.page_path,
        events.referrer_host,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.product_id,
        events.order_id,
        events.device_category,
        keys_sessionized.visitor_session_number,
        keys_sessionized.visitor_event_number,
        events.is_page_event,
        keys_sessionized.session_start,
        keys_sessionized.event_ts,
        events.loaded_at,
        {{ run_started_timestamp() }} as built_at,
        -- the partition on Spark (last: Spark puts partition columns last)
        cast(keys_sessionized.event_ts as date) as event_date

    from keys_sessionized
    inner join events
        on keys_sessionized.event_id = events.event_id

)

select * from sessionized
