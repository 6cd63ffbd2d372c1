-- One row per session with the attributes of SPEC 3, all but the channel (int_sessions_classified).
--
-- Incremental (issue 4): the visitors whose events were loaded since the last run (minus the lookback) get
-- all their sessions rebuilt from int_events_sessionized; delete+insert on anonymous_id first removes their
-- old sessions, so a session that a late event merged into another, or moved, does not linger. On Spark
-- (issue 5) the table is partitioned by date_day, a run rebuilds every session from the day of the earliest
-- session holding a new event on, and the pre-hook first drops the days left without any session
-- (macros/incremental_partitions.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ drop_vanished_session_days() }}",
    **incremental_settings(unique_key='anonymous_id', partition_by='date_day')
) }}

with

{% if is_incremental() %}

{{ sessions_events_to_rebuild() }}

{% else %}

events as (

    select * from {{ ref('int_events_sessionized') }}

),

{% endif %}

-- Activity events (GA4 exports only) take part in the session's start, end and duration and in nothing else:
-- ordered after every other event of the session for "first" and before them for "last", so the other events
-- decide each attribute, and a session of activity events only takes its attributes from them.
events_ordered as (

    select
        *,
        event_name = 'activity' as is_activity,
        visitor_event_number
        + case when event_name = 'activity' then {{ activity_order_offset() }} else 0 end as first_order_key,
        visitor_event_number
        - case when event_name = 'activity' then {{ activity_order_offset() }} else 0 end as last_order_key

    from events

),

-- "First" and "last" follow visitor_event_number, the (event_ts, event_id) order numbered once upstream.
sessions as (

    select
        session_id,
        anonymous_id,
        -- A visitor may log in (or out) mid-session: the session belongs to the last customer seen.
        {{ last_by('customer_id', 'case when customer_id is not null then last_order_key end') }}
            as customer_id,
        {{ first_by('device_category', 'first_order_key') }} as first_device_category,
        {{ first_by('utm_source', 'first_order_key') }} as utm_source,
        {{ first_by('utm_medium', 'first_order_key') }} as utm_medium,
        {{ first_by('utm_campaign', 'first_order_key') }} as utm_campaign,
        {{ first_by('referrer_host', 'first_order_key') }} as referrer_host,
        -- The landing and exit pages are the first and last page-level events, whatever came around them.
        {{ first_by('page_path', 'case when is_page_event then visitor_event_number end') }} as landing_page_path,
        {{ last_by('page_path', 'case when is_page_event then visitor_event_number end') }} as exit_page_path,
        count(case when not is_activity then 1 end) as event_count,
        count(case when is_page_event then 1 end) as pageviews,
        max(case when event_name = 'add_to_cart' then 1 else 0 end) = 1 as has_add_to_cart,
        max(case when event_name = 'remove_from_cart' then 1 else 0 end) = 1 as has_remove_from_cart,
        max(case when event_name = 'begin_checkout' then 1 else 0 end) = 1 as has_begin_checkout,
        max(case when event_name = 'purchase' then 1 else 0 end) = 1 as has_purchase,
        min(event_ts) as session_start,
        max(event_ts) as session_end,
        max(loaded_at) as loaded_at

    from events_ordered
    group by session_id, anonymous_id

),

final as (

    select
        session_id,
        anonymous_id,
        customer_id,
        -- Sessions are grouped by device in the marts; a missing device must not vanish from them.
        coalesce(first_device_category, '(not set)') as device_category,
        utm_source,
        utm_medium,
        utm_campaign,
        referrer_host,
        landing_page_path,
        exit_page_path,
        event_count,
        pageviews,
        cast(floor({{ elapsed_seconds('session_start', 'session_end') }}) as bigint) as duration_seconds,
        -- A bounce: one page seen and nothing done there. A session without any page-level event (activity
        -- only, or a purchase without a page) is not a bounce.
        pageviews = 1
        and not (has_add_to_cart or has_remove_from_cart or has_begin_checkout or has_purchase) as is_bounce,
        has_add_to_cart,
        has_begin_checkout,
        has_purchase,
        -- Every session-based KPI counts on the local day (reporting time zone) its session started.
        {{ local_date('session_start') }} as date_day,
        session_start,
        session_end,
        loaded_at,
        {{ run_started_timestamp() }} as built_at

    from sessions

)

select * from final
