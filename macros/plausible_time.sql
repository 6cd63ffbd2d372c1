{#- Business timestamps are judged against two bounds besides their own rules, so that one broken row cannot move
    the reporting date of the whole project or open a cohort of its own:
      - the build's clock: later than the moment of the build by more than `max_clock_skew_hours`
        (`is_after_clock(ts, build_timestamp())`, macros/raw_contract.sql) is in the future;
      - a floor, the var `earliest_plausible_date`: earlier is a NULL exported as 1970-01-01, a year typed as 0001,
        a clock reset; no shop has data from then. -#}
{% macro is_before_plausible_floor(timestamp_sql) -%}
    {{ timestamp_sql }} < {{ dbt.cast("'" ~ var('earliest_plausible_date') ~ "'", dbt.type_timestamp()) }}
{%- endmacro %}
