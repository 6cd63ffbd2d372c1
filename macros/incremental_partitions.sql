{#- What an incremental run of the event models recomputes, per engine (issues 4 and 5).

    DuckDB (default__, and Databricks): the rows that new data can change, keyed by event, visitor or loaded_at;
    delete+insert replaces them (macros/incremental_settings.sql).

    Spark (spark__): Parquet tables partitioned by a date; insert_overwrite replaces whole partitions and leaves
    every partition absent from the run's output as it is. So a run must output EVERY row of every partition it
    outputs, and every partition that new data can change must either come out of the run or (sessions only)
    be dropped before it. Per model:

    - base_shop__events, by `loaded_date`: raw rows never change once loaded, so a run re-reads the raw rows
      from the start of the cutoff's day (not just from the cutoff) and rewrites those days whole.
    - stg_shop__events and stg_shop__events_duplicates, by `event_date`: the events with an accepted delivery
      since the cutoff can change; every day holding an accepted delivery of one of them is rebuilt, from all
      accepted deliveries of all events of that day. A delivery repeats its event's payload (macros/deliveries.sql),
      so an event keeps its day, and a day that has events or duplicates keeps them: no day becomes empty.
    - int_events_sessionized, by `event_date`: the per-visitor rebuild points of the DuckDB logic (decision 25)
      give the earliest; from that point's day on, every visitor's events are re-sessionized, continuing each
      visitor's numbers, previous event and session start from its last event before that day (read from the
      table itself). Events never disappear, so no day becomes empty.
    - int_sessions_aggregated, by `date_day` (the local day, in the reporting time zone, the session started;
      the partitions above are UTC dates, which only organise storage): a session changes only when a new
      event joins it, and a session that vanishes (merged into another, or moved earlier by a late event) has
      its events in a session holding a new event, which starts no later. So every session starting on or after
      the day of the earliest session holding a new event is rebuilt, and the days from then on that no longer
      have any session are dropped first (`drop_vanished_session_days`, a pre-hook): those are the partitions
      that would otherwise keep vanished sessions. "Day" here is the local date_day: a session of local day d
      starts at or after local midnight of d, which is at most 14 hours before UTC midnight of d (UTC+14), so
      its events all lie in the UTC event_date partitions from d - 1 on; the reads below prune from there. -#}


{#- base_shop__events: the raw rows a run reads. -#}
{% macro raw_rows_to_read(loaded_at) -%}
    {{ return(adapter.dispatch('raw_rows_to_read', 'ecommerce_kpis')(loaded_at)) }}
{%- endmacro %}

{% macro default__raw_rows_to_read(loaded_at) -%}
    {{ loaded_at }} > {{ raw_events_cutoff() }}
{%- endmacro %}

{% macro spark__raw_rows_to_read(loaded_at) -%}
    {{ loaded_at }} >= {{ dbt.cast(dbt.cast(raw_events_cutoff(), 'date'), dbt.type_timestamp()) }}
{%- endmacro %}

{#- The cutoff of base_shop__events: its latest loaded_at, except rows stamped in the future (rejected as
    future_loaded_at), which would otherwise make every later run skip the loads up to that date. -#}
{% macro raw_events_cutoff() -%}
    {{ incremental_cutoff(where="coalesce(rejection_reason, '') != 'future_loaded_at'") }}
{%- endmacro %}

{% macro databricks__raw_rows_to_read(loaded_at) -%}
    {{ return(default__raw_rows_to_read(loaded_at)) }}
{%- endmacro %}


{#- stg_shop__events and stg_shop__events_duplicates. `rebuilt_event_days()`, called once at the top of the model:
    on Spark in an incremental run, the days it rebuilds, as a list of date literals; elsewhere nothing. The
    macros below take that list. -#}
{% macro rebuilt_event_days() -%}
    {{ return(adapter.dispatch('rebuilt_event_days', 'ecommerce_kpis')()) }}
{%- endmacro %}

{% macro default__rebuilt_event_days() -%}
    {{ return(none) }}
{%- endmacro %}

{#- The days of every accepted delivery of the events delivered since the cutoff, read when the model compiles
    (a few days; a literal list keeps Spark's plan to plain filters). `cast(null as date)`, matching nothing,
    when there is none or outside an incremental run. -#}
{% macro spark__rebuilt_event_days() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return('cast(null as date)') }}
    {%- endif -%}
    {%- set cutoff = incremental_cutoff() -%}
    {%- set days = run_query(
        'select distinct cast(cast(rebuilt.event_ts as date) as string)
        from ' ~ ref('base_shop__events') ~ ' as rebuilt
        where
            rebuilt.rejection_reason is null
            and rebuilt.event_id in (
                select new_deliveries.event_id
                from ' ~ ref('base_shop__events') ~ ' as new_deliveries
                where
                    new_deliveries.loaded_date >= cast(' ~ cutoff ~ ' as date)
                    and new_deliveries.loaded_at > ' ~ cutoff ~ '
            )
        order by 1'
    ).columns[0].values() -%}
    {%- set literals = [] -%}
    {%- for day in days -%}
        {%- do literals.append("date'" ~ day ~ "'") -%}
    {%- endfor -%}
    {{ return(literals | join(', ') if literals else 'cast(null as date)') }}
{%- endmacro %}

{% macro databricks__rebuilt_event_days() -%}
    {{ return(default__rebuilt_event_days()) }}
{%- endmacro %}

{#- The deliveries (of base_shop__events, under `alias`) whose events a run re-picks and renumbers. DuckDB: those
    loaded since the cutoff. Spark: those of the rebuilt days. -#}
{% macro deliveries_to_rebuild(rebuilt_days, alias=none) -%}
    {{ return(adapter.dispatch('deliveries_to_rebuild', 'ecommerce_kpis')(rebuilt_days, alias)) }}
{%- endmacro %}

{% macro default__deliveries_to_rebuild(rebuilt_days, alias) -%}
    {{ alias ~ '.' if alias }}loaded_at > {{ incremental_cutoff() }}
{%- endmacro %}

{% macro spark__deliveries_to_rebuild(rebuilt_days, alias) -%}
    cast({{ alias ~ '.' if alias }}event_ts as date) in ({{ rebuilt_days }})
{%- endmacro %}

{% macro databricks__deliveries_to_rebuild(rebuilt_days, alias) -%}
    {{ return(default__deliveries_to_rebuild(rebuilt_days, alias)) }}
{%- endmacro %}

{#- A filter (`and ...`) that keeps the rows of the rebuilt days only: nothing on DuckDB, where a run's output
    replaces rows by key; on Spark, where an output row of another day would replace that whole day. -#}
{% macro and_in_rebuilt_event_days(event_ts, rebuilt_days) -%}
    {{ return(adapter.dispatch('and_in_rebuilt_event_days', 'ecommerce_kpis')(event_ts, rebuilt_days)) }}
{%- endmacro %}

{% macro default__and_in_rebuilt_event_days(event_ts, rebuilt_days) -%}
{%- endmacro %}

{% macro spark__and_in_rebuilt_event_days(event_ts, rebuilt_days) -%}
    {%- if is_incremental() %} and cast({{ event_ts }} as date) in ({{ rebuilt_days }}){% endif -%}
{%- endmacro %}

{% macro databricks__and_in_rebuilt_event_days(event_ts, rebuilt_days) -%}
    {{ return(default__and_in_rebuilt_event_days(event_ts, rebuilt_days)) }}
{%- endmacro %}


{#- int_events_sessionized: after the CTE `rebuild_starts` (each visitor with new events and the timestamp its
    rebuild starts from), the CTEs up to `keys_to_sessionize`: the event keys to (re)sessionize, with the
    visitor's counts before them (`sessions_before`, `events_before`) and, where the rebuild continues a session,
    the visitor's previous event and session start (NULL where it does not). -#}
{% macro sessionized_keys_to_rebuild() -%}
    {{ return(adapter.dispatch('sessionized_keys_to_rebuild', 'ecommerce_kpis')()) }}
{%- endmacro %}

{#- DuckDB: each visitor with new events from its own rebuild point, which starts a session. -#}
{% macro default__sessionized_keys_to_rebuild() -%}
-- Sessions and events before the rebuild point keep their numbers; the rebuilt ones continue the counts.
rebuild_offsets as (

    select
        rebuild_starts.anonymous_id,
        rebuild_starts.rebuild_from_ts,
        count(existing_sessions.session_id) as sessions_before,
        cast(coalesce(sum(existing_sessions.event_count), 0) as {{ dbt.type_bigint() }}) as events_before

    from rebuild_starts
    left join existing_sessions
        on
            rebuild_starts.anonymous_id = existing_sessions.anonymous_id
            and rebuild_starts.rebuild_from_ts > existing_sessions.session_start
    group by rebuild_starts.anonymous_id, rebuild_starts.rebuild_from_ts

),

keys_to_sessionize as (

    select
        event_keys.*,
        rebuild_offsets.sessions_before,
        rebuild_offsets.events_before,
        -- a rebuild point starts a session: nothing to continue
        cast(null as {{ dbt.type_timestamp() }}) as previous_event_ts,
        cast(null as {{ dbt.type_timestamp() }}) as previous_session_start

    from event_keys
    inner join rebuild_offsets
        on
            event_keys.anonymous_id = rebuild_offsets.anonymous_id
            and event_keys.event_ts >= rebuild_offsets.rebuild_from_ts

),
{%- endmacro %}

{#- Spark: whole days, from the day of the earliest rebuild point, for every visitor; each visitor continues from
    its last event before that day (its numbers, the event's timestamp and its session's start). -#}
{% macro spark__sessionized_keys_to_rebuild() -%}
rebuild_day as (

    select cast(min(rebuild_from_ts) as date) as rebuild_from_date
    from rebuild_starts

),

visitor_states as (

    -- numbers, timestamps and session starts only grow along a visitor's history: the maxima are its last event's
    select
        sessionized.anonymous_id,
        max(sessionized.visitor_session_number) as sessions_before,
        max(sessionized.visitor_event_number) as events_before,
        max(sessionized.event_ts) as previous_event_ts,
        max(sessionized.session_start) as previous_session_start

    from {{ this }} as sessionized
    where sessionized.event_date < (select rebuild_day.rebuild_from_date from rebuild_day)
    group by sessionized.anonymous_id

),

keys_to_sessionize as (

    select
        event_keys.*,
        coalesce(visitor_states.sessions_before, 0) as sessions_before,
        coalesce(visitor_states.events_before, 0) as events_before,
        visitor_states.previous_event_ts,
        visitor_states.previous_session_start

    from event_keys
    left join visitor_states
        on event_keys.anonymous_id = visitor_states.anonymous_id
    where
        event_keys.event_ts
        >= cast((select rebuild_day.rebuild_from_date from rebuild_day) as {{ dbt.type_timestamp() }})

),
{%- endmacro %}

{% macro databricks__sessionized_keys_to_rebuild() -%}
    {{ return(default__sessionized_keys_to_rebuild()) }}
{%- endmacro %}


{#- int_sessions_aggregated: the CTE `events`, the sessionized events whose sessions a run rebuilds. -#}
{% macro sessions_events_to_rebuild() -%}
    {{ return(adapter.dispatch('sessions_events_to_rebuild', 'ecommerce_kpis')()) }}
{%- endmacro %}

{#- DuckDB: every session of the visitors with new events (delete+insert on anonymous_id removes their old ones). -#}
{% macro default__sessions_events_to_rebuild() -%}
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
{%- endmacro %}

{#- Spark: every session starting on or after the rebuilt day (see the top of this file). -#}
{% macro spark__sessions_events_to_rebuild() -%}
rebuild_day as (

    {{ session_rebuild_day() }}

),

events as (

    select sessionized.*
    from {{ ref('int_events_sessionized') }} as sessionized
    where
        -- a session's events are all on or after the (UTC) day before its local day: prunes the earlier days
        sessionized.event_date >= date_sub((select rebuild_day.rebuild_from_date from rebuild_day), 1)
        and {{ local_date('sessionized.session_start') }} >= (select rebuild_day.rebuild_from_date from rebuild_day)

),
{%- endmacro %}

{% macro databricks__sessions_events_to_rebuild() -%}
    {{ return(default__sessions_events_to_rebuild()) }}
{%- endmacro %}

{#- Spark: the day of the earliest session holding an event loaded since the cutoff (NULL: nothing to rebuild). -#}
{% macro session_rebuild_day() -%}
    select {{ local_date('min(new_events.session_start)') }} as rebuild_from_date
    from {{ ref('int_events_sessionized') }} as new_events
    where new_events.loaded_at > {{ incremental_cutoff() }}
{%- endmacro %}

{#- int_sessions_aggregated's pre-hook: on Spark, before an incremental run, drops the days from the rebuilt day on
    that no session starts on any more (all their sessions merged into earlier ones): the run outputs no row for
    them, so insert_overwrite would leave their vanished sessions in place. Nothing elsewhere. -#}
{% macro drop_vanished_session_days() -%}
    {{ return(adapter.dispatch('drop_vanished_session_days', 'ecommerce_kpis')()) }}
{%- endmacro %}

{% macro default__drop_vanished_session_days() -%}
{%- endmacro %}

{% macro spark__drop_vanished_session_days() -%}
    {%- if execute and is_incremental() -%}
        {%- set vanished_days = run_query(
            'with rebuild_day as (' ~ session_rebuild_day() ~ '),
            session_days as (
                select distinct ' ~ local_date('sessionized.session_start') ~ ' as date_day
                from ' ~ ref('int_events_sessionized') ~ ' as sessionized
                where sessionized.event_date >= date_sub((select rebuild_day.rebuild_from_date from rebuild_day), 1)
            )
            select distinct cast(sessions.date_day as string)
            from ' ~ this ~ ' as sessions
            where
                sessions.date_day >= (select rebuild_day.rebuild_from_date from rebuild_day)
                and not exists (
                    select 1 from session_days where session_days.date_day = sessions.date_day
                )
            order by 1'
        ).columns[0].values() -%}
        {%- if vanished_days | length > 0 -%}
            alter table {{ this }} drop if exists
            {%- for day in vanished_days %} partition (date_day = date'{{ day }}'){{ ',' if not loop.last }}{% endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro databricks__drop_vanished_session_days() -%}
    {{ return(default__drop_vanished_session_days()) }}
{%- endmacro %}
