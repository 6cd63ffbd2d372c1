-- Accepted, deduplicated events (SPEC 2): one row per event_id, the earliest delivery, with the page path,
-- the referrer host and the bot flag derived once here for every downstream model.
--
-- Incremental (issue 4): a run looks only at the events that received a delivery since the last run (minus
-- the lookback) and re-picks, among ALL accepted deliveries of those events, the earliest; delete+insert on
-- event_id then replaces what an earlier run kept. A duplicate arriving in a later load therefore changes
-- nothing, and a late first delivery (an earlier loaded_at arriving late) still wins. On Spark (issue 5) the
-- table is partitioned by event_date, and a run re-picks every event of each day holding a delivery of those
-- events, which replace those partitions (macros/incremental_partitions.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **incremental_settings(unique_key='event_id', partition_by='event_date')
) }}
{#- Spark, incremental: the days this run rebuilds (read once); nothing elsewhere -#}
{%- set rebuilt_days = rebuilt_event_days() %}

with

-- Nearly every event arrives once, and numbering deliveries sorts every row it is given: only the deliveries
-- of repeated events are numbered; the others are kept as they are. Each CTE below reads
-- base_shop__events itself: DuckDB materializes a CTE that is read twice, which for 10^7 wide rows costs more
-- than a second scan of the table (see docs/performance.md).
repeated_events as (

    {{ repeated_event_ids(rebuilt_days) }}

),

single_deliveries as (

    select
        *,
        1 as delivery_number

    from {{ ref('base_shop__events') }}
    where
        rejection_reason is null
        {% if is_incremental() -%}
        -- an event delivered once is new exactly when its delivery is
        and {{ deliveries_to_rebuild(rebuilt_days) }}
        {%- endif %}
        and event_id not in (select repeated_events.event_id from repeated_events)

),

repeated_deliveries as (

    select
        *,
        {{ delivery_number() }} as delivery_number

    from {{ ref('base_shop__events') }}
    where
        rejection_reason is null
        and event_id in (select repeated_events.event_id from repeated_events)

),

kept_events as (

    select * from single_deliveries

    union all

    select * from repeated_deliveries
    where delivery_number = 1 {{- and_in_rebuilt_event_days('event_ts', rebuilt_days) }}

),

bot_patterns as (

    select lower({{ clean_text('pattern') }}) as pattern from {{ ref('bot_patterns') }}

),

-- Shops see few distinct user agents: match the patterns once per user agent, not once per event.
-- This lookup join is the reason the model is not join-free: SPEC 2 wants the bot flag in staging and
-- the pattern list is a seed analysts edit. A full build lists the user agents from the table (reading the
-- kept events twice would make DuckDB materialize them); an incremental run only needs those of its events.
bot_user_agents as (

    select distinct user_agents.user_agent

    from (
        select distinct user_agent
        {% if is_incremental() -%}
        from kept_events
        {%- else -%}
        from {{ ref('base_shop__events') }}
        {%- endif %}
    ) as user_agents
    inner join bot_patterns
        on {{ dbt.position('bot_patterns.pattern', 'lower(user_agents.user_agent)') }} > 0

),

events as (

    select
        kept_events.event_id,
        kept_events.anonymous_id,
        kept_events.customer_id,
        kept_events.event_name,
        kept_events.page_url,
        {{ url_path('kept_events.page_url') }} as page_path,
        kept_events.page_referrer,
        {{ url_host('kept_events.page_referrer') }} as referrer_host,
        kept_events.utm_source,
        kept_events.utm_medium,
        kept_events.utm_campaign,
        kept_events.product_id,
        kept_events.order_id,
        kept_events.device_category,
        kept_events.user_agent,
        kept_events.event_name in {{ sql_name_list(page_event_names()) }} as is_page_event,
        bot_user_agents.user_agent is not null as is_bot,
        kept_events.event_ts,
        kept_events.loaded_at,
        {{ run_started_timestamp() }} as built_at,
        -- the partition on Spark (last: Spark puts partition columns last)
        cast(kept_events.event_ts as date) as event_date

    from kept_events
    left join bot_user_agents
        on kept_events.user_agent = bot_user_agents.user_agent

)

select * from events
