-- Referral sources (SPEC 5): per day, channel and source, the sessions, visitors, conversions and revenue,
-- and the source's share of all sessions of that day.

with

sessions as (

    select
        date_day,
        channel,
        source,
        anonymous_id,
        orders,
        revenue,
        has_purchase

    from {{ ref('fct_sessions') }}

),

sources as (

    select
        date_day,
        channel,
        source,
        count(*) as sessions,
        count(distinct anonymous_id) as users,
        count(case when has_purchase then 1 end) as converted_sessions,
        cast(sum(orders) as bigint) as orders,
        cast(sum(revenue) as decimal(18, 2)) as revenue

    from sessions
    group by date_day, channel, source

),

final as (

    select
        date_day,
        channel,
        source,
        sessions,
        users,
        converted_sessions,
        orders,
        revenue,
        {{ safe_divide('sessions', 'sum(sessions) over (partition by date_day)') }} as session_share

    from sources

)

select * from final
