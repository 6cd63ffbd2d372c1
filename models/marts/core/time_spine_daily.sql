-- The day-grain time spine of the semantic layer (MetricFlow): one row per calendar day. MetricFlow joins to it
-- for cumulative and offset metrics and to list the days of `metric_time`. Its range is fixed and generous
-- (2000-01-01 to 2050-12-31, about 18,600 rows) rather than read from the data, so it never depends on a load
-- and covers any shop history a user brings.

with

days as (

    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2051-01-01' as date)") }}

),

final as (

    select cast(date_day as date) as date_day

    from days

)

select * from final
