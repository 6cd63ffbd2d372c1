-- The reporting date, one row: the var `as_of_date` when set, else the latest local date (reporting time zone) among
-- the accepted events' event_ts (bots included), the valid orders' ordered_at and the accepted returns'
-- returned_at (or the build date when there is none). Maturity flags and the scorecard measure against it.

{%- set as_of_date = var('as_of_date', none) %}

with

latest_dates as (

    select {{ local_date('max(event_ts)') }} as latest_date from {{ ref('stg_shop__events') }}
    union all
    select max(order_date) as latest_date from {{ ref('stg_shop__orders') }}
    where is_valid
    union all
    select {{ local_date('max(returned_at)') }} as latest_date from {{ ref('stg_shop__returns') }}

),

as_of as (

    -- An aggregate without group by: exactly one row, whether or not the var is set. With no dated row at all
    -- (every raw table empty, issue 7) it is the build's date, so deadlines still count down.
    select
        coalesce(
            cast({{ "'" ~ as_of_date ~ "'" if as_of_date else 'null' }} as date),
            max(latest_date),
            {{ local_build_date() }}
        ) as as_of_date

    from latest_dates

)

select * from as_of
