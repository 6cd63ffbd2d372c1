-- Exit pages (SPEC 5): per day (of the session's start) and page path, the pageviews of that path and the
-- sessions that ended on it.

with

page_events as (

    select
        -- the day of the session's start, as int_sessions_aggregated dates sessions: no join to sessions needed
        {{ local_date('session_start') }} as date_day,
        page_path

    from {{ ref('int_events_sessionized') }}
    where is_page_event

),

sessions as (

    select
        exit_page_path,
        date_day

    from {{ ref('fct_sessions') }}

),

pageviews as (

    select
        date_day,
        page_path,
        count(*) as pageviews

    from page_events
    group by date_day, page_path

),

exits as (

    select
        date_day,
        exit_page_path as page_path,
        count(*) as exits

    from sessions
    where exit_page_path is not null
    group by date_day, exit_page_path

),

final as (

    select
        pageviews.date_day,
        pageviews.page_path,
        pageviews.pageviews,
        coalesce(exits.exits, 0) as exits,
        {{ safe_divide('coalesce(exits.exits, 0)', 'pageviews.pageviews') }} as exit_rate

    from pageviews
    left join exits
        on
            pageviews.date_day = exits.date_day
            and pageviews.page_path = exits.page_path

)

select * from final
