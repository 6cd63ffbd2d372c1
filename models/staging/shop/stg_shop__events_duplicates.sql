-- Accepted raw event rows removed as repeated deliveries of an event kept in stg_shop__events: every
-- accepted delivery but the earliest, numbered exactly as stg_shop__events numbers them (macro delivery_number).
-- A copy whose payload differs from the kept delivery's (a page view and a purchase under one event_id) is
-- flagged `is_conflicting`: the earliest still wins, and the warn-severity test assert_event_copies_agree
-- names how many conflict in each build.
-- A table, not a view: its data tests would otherwise each redo the ranking over the whole history.
--
-- Incremental (issue 4): a run renumbers all deliveries of the repeated events that received a delivery since
-- the last run (minus the lookback); delete+insert on event_id replaces their earlier rows. On Spark (issue 5)
-- the table is partitioned by event_date, and a run renumbers the deliveries of every repeated event of each
-- day holding a delivery of those events, which replace those partitions (macros/incremental_partitions.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **incremental_settings(unique_key='event_id', partition_by='event_date')
) }}
{#- Spark, incremental: the days this run rebuilds (read once); nothing elsewhere -#}
{%- set rebuilt_days = rebuilt_event_days() %}

with

accepted_deliveries as (

    select
        *,
        {{ event_payload_fingerprint() }} as payload_fingerprint

    from {{ ref('base_shop__events') }}
    where rejection_reason is null

),

-- Only events delivered more than once can have duplicates: number just their deliveries.
repeated_events as (

    -- read from the model, not the CTE above: DuckDB would materialize a CTE read twice
    {{ repeated_event_ids(rebuilt_days) }}

),

ranked as (

    select
        event_id,
        {{ delivery_number() }} as delivery_number,
        payload_fingerprint != first_value(payload_fingerprint) over ({{ delivery_window() }}) as is_conflicting,
        event_ts,
        loaded_at

    from accepted_deliveries
    where event_id in (select repeated_events.event_id from repeated_events)

),

duplicates as (

    select
        *,
        -- the partition on Spark (last: Spark puts partition columns last)
        cast(event_ts as date) as event_date

    from ranked
    where delivery_number > 1 {{- and_in_rebuilt_event_days('event_ts', rebuilt_days) }}

)

select * from duplicates
