{#- The reporting time zone (var `reporting_timezone`, an IANA name, default UTC). Every date the marts show is
    the local date, in that zone, of a UTC timestamp (daylight saving included); timestamps stay UTC and every
    duration (the session timeout, session durations, the repurchase window) stays absolute time. This macro is
    the one place that turns a UTC timestamp into a reporting date: see docs/decisions.md, "Reporting time zone".

    Internal dates that only organise storage (the `loaded_date` and `event_date` partitions of the incremental
    event models) stay UTC dates: they are never shown, and each row's partition must not move when the var
    changes. -#}
{% macro reporting_timezone() -%}
    {{ return(var('reporting_timezone', 'UTC')) }}
{%- endmacro %}

{#- UTC itself is a plain cast on every engine, which keeps the default build as fast as before. -#}
{% macro local_date(timestamp_utc) -%}
    {%- if reporting_timezone() == 'UTC' -%}
        cast({{ timestamp_utc }} as date)
    {%- else -%}
        {{ return(adapter.dispatch('local_date', 'ecommerce_kpis')(timestamp_utc, reporting_timezone())) }}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB (ICU): the naive UTC timestamp becomes an instant, then the wall-clock time of the zone. -#}
{% macro default__local_date(timestamp_utc, zone) -%}
    cast(timezone({{ sql_string(zone) }}, timezone('UTC', {{ timestamp_utc }})) as date)
{%- endmacro %}

{#- Spark: the session time zone is UTC (profiles.yml), so a timestamp is the UTC instant it shows. -#}
{% macro spark__local_date(timestamp_utc, zone) -%}
    to_date(from_utc_timestamp({{ timestamp_utc }}, {{ sql_string(zone) }}))
{%- endmacro %}

{#- The local date of the build itself (as_of_date when there is no dated row at all). -#}
{% macro local_build_date() -%}
    {{ local_date(build_timestamp()) }}
{%- endmacro %}
