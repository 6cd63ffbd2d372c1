-- Pages per session and time on site (SPEC 5), per day and device.

with

sessions as (

    select
        date_day,
        device_category,
        pageviews,
        duration_seconds,
        is_bounce

    from {{ ref('fct_sessions') }}

),

engagement as (

    select
        date_day,
        device_category,
        count(*) as sessions,
        cast(sum(pageviews) as bigint) as pageviews,
        cast(sum(duration_seconds) as bigint) as total_duration_seconds,
        count(case when is_bounce then 1 end) as bounced_sessions

    from sessions
    group by date_day, device_category

),

final as (

    select
        date_day,
        device_category,
        sessions,
        pageviews,
        total_duration_seconds,
        bounced_sessions,
        {{ safe_divide('pageviews', 'sessions') }} as pages_per_session,
        {{ safe_divide('total_duration_seconds', 'sessions') }} as avg_session_duration_seconds,
        {{ safe_divide('bounced_sessions', 'sessions') }} as bounce_rate

    from engagement

)

select * from final
