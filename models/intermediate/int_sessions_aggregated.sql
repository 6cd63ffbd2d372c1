-- One row per session with the attributes of SPEC 3, all but the channel (int_sessions_classified).
-- "First" and "last" follow the event order of SPEC 3: (event_ts, event_id).
--
-- Incremental (issue 4): the visitors whose events were loaded since the last run (minus the lookback) get
-- all their sessions rebuilt from int_events_sessionized; delete+insert on anonymous_id first removes their
-- old sessions, so a session that a late event merged into another, or moved, does not linger.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='anonymous_id',
    on_schema_change='fail'
) }}

with

{% if is_incremental() %}

touched_visitors as (

    select distinct anonymous_id from {{ ref('int_events_sessionized') }}
    where loaded_at > {{ incremental_cutoff() }}

),

events as (

    select sessionized.*
    from {{ ref('int_events_sessionized') }} as sessionized
    inner join touched_visitors
        on sessionized.anonymous_id = touched_visitors.anonymous_id

),

{% else %}

events as (

    select * from {{ ref('int_events_sessionized') }}

),

{% endif %}

events_ranked as (

    select
        *,
        row_number() over (partition by session_id order by event_ts, event_id) as event_number,
        -- The landing and exit pages are the first and last page-level events, whatever came around them.
        case
            when is_page_event
                then row_number() over (partition by session_id, is_page_event order by event_ts, event_id)
        end as page_number,
        case
            when is_page_event
                then row_number() over (
                    partition by session_id, is_page_event order by event_ts desc, event_id desc
                )
        end as page_number_from_end,
        -- A visitor may log in (or out) mid-session: the session belongs to the last customer seen.
        case
            when customer_id is not null
                then row_number() over (
                    partition by session_id, customer_id is null order by event_ts desc, event_id desc
                )
        end as customer_number_from_end

    from events

),

sessions as (

    select
        session_id,
        anonymous_id,
        max(case when customer_number_from_end = 1 then customer_id end) as customer_id,
        max(case when event_number = 1 then device_category end) as first_device_category,
        max(case when event_number = 1 then utm_source end) as utm_source,
        max(case when event_number = 1 then utm_medium end) as utm_medium,
        max(case when event_number = 1 then utm_campaign end) as utm_campaign,
        max(case when event_number = 1 then referrer_host end) as referrer_host,
        max(case when page_number = 1 then page_path end) as landing_page_path,
        max(case when page_number_from_end = 1 then page_path end) as exit_page_path,
        count(*) as event_count,
        count(case when is_page_event then 1 end) as pageviews,
        max(case when event_name = 'add_to_cart' then 1 else 0 end) = 1 as has_add_to_cart,
        max(case when event_name = 'begin_checkout' then 1 else 0 end) = 1 as has_begin_checkout,
        max(case when event_name = 'purchase' then 1 else 0 end) = 1 as has_purchase,
        min(event_ts) as session_start,
        max(event_ts) as session_end,
        max(loaded_at) as loaded_at

    from events_ranked
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
        event_count = 1 as is_bounce,
        has_add_to_cart,
        has_begin_checkout,
        has_purchase,
        -- Every session-based KPI counts on the day its session started (SPEC 3).
        cast(session_start as date) as date_day,
        session_start,
        session_end,
        loaded_at

    from sessions

)

select * from final
