-- Traffic (SPEC 5): sessions, distinct visitors and pageviews per day and channel.

with

sessions as (

    select
        date_day,
        channel,
        anonymous_id,
        pageviews

    from {{ ref('fct_sessions') }}

),

traffic as (

    select
        date_day,
        channel,
        count(*) as sessions,
        count(distinct anonymous_id) as users,
        cast(sum(pageviews) as bigint) as pageviews

    from sessions
    group by date_day, channel

)

select * from traffic
