-- One row per session (SPEC 3) with its channel and the valid orders attributed to it (SPEC 4).
--
-- Incremental (issue 4; a table on Spark, macros/incremental_settings.sql): a run rebuilds every session of the
-- visitors whose sessions can have changed since the last run, and delete+insert on anonymous_id first removes
-- their old rows, so a session merged into another or moved by a late event does not linger. A visitor is
-- rebuilt when
--   1. one of its sessions holds an event loaded since the last run (int_sessions_aggregated rebuilt them);
--   2. the valid orders attributed to one of its sessions changed (an order placed or cancelled, a late purchase
--      event moving an order): each held session's order count and revenue are compared with today's;
--   3. a lookup edit (mediums, social sources, host lists) or the var shop_domains changed the channel or source
--      of one of its sessions: the distinct (utm_medium, utm_source, referrer_host) of the held sessions, a few
--      thousand, are classified again with today's rules (macros/channel_rules.sql).
-- Every other session keeps its row: a daily run writes a day's worth of sessions, not all of them.
{{ config(**sessions_mart_settings()) }}
-- What only incremental runs read (dbt sees refs inside is_incremental() only when declared here): rule 1's
-- sessions, rule 3's lookups.
-- depends_on: {{ ref('int_sessions_aggregated') }}
-- depends_on: {{ ref('channel_mediums') }}
-- depends_on: {{ ref('social_sources') }}
-- depends_on: {{ ref('search_engines') }}
-- depends_on: {{ ref('social_networks') }}

with

orders as (

    select
        session_id,
        count(*) as orders,
        sum(order_total) as revenue

    from {{ ref('int_orders_attributed') }}
    where session_id is not null
    group by session_id

),

{% if is_incremental() %}

visitors_with_new_events as (

    select anonymous_id from {{ ref('int_sessions_aggregated') }}
    where loaded_at > {{ incremental_cutoff() }}

),

visitors_with_changed_orders as (

    -- the same expressions as the final select below, so an unchanged session compares equal
    select previous.anonymous_id

    from {{ this }} as previous
    left join orders
        on previous.session_id = orders.session_id
    where
        coalesce(orders.orders, 0) <> previous.orders
        or cast(coalesce(orders.revenue, 0) as decimal(18, 2)) <> previous.revenue

),

previous_attributes as (

    select distinct
        utm_medium,
        utm_source,
        referrer_host,
        channel as previous_channel,
        source as previous_source

    from {{ this }}

),

reclassified_attributes as (

    {{ classify_sessions('previous_attributes') }}

),

changed_attributes as (

    select
        utm_medium,
        utm_source,
        referrer_host

    from reclassified_attributes
    where channel <> previous_channel or source <> previous_source

),

visitors_reclassified as (

    select previous.anonymous_id

    from {{ this }} as previous
    inner join changed_attributes
        on
            previous.utm_medium is not distinct from changed_attributes.utm_medium
            and previous.utm_source is not distinct from changed_attributes.utm_source
            and previous.referrer_host is not distinct from changed_attributes.referrer_host

),

visitors_to_rebuild as (

    select anonymous_id from visitors_with_new_events
    union
    select anonymous_id from visitors_with_changed_orders
    union
    select anonymous_id from visitors_reclassified

),

{% endif %}

sessions as (

    select * from {{ ref('int_sessions_classified') }}
    {%- if is_incremental() %}
    where anonymous_id in (select visitors_to_rebuild.anonymous_id from visitors_to_rebuild)
    {%- endif %}

),

final as (

    select
        sessions.session_id,
        sessions.anonymous_id,
        sessions.customer_id,
        sessions.channel,
        sessions.source,
        sessions.device_category,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.referrer_host,
        sessions.landing_page_path,
        sessions.exit_page_path,
        sessions.event_count,
        sessions.pageviews,
        sessions.duration_seconds,
        coalesce(orders.orders, 0) as orders,
        cast(coalesce(orders.revenue, 0) as decimal(18, 2)) as revenue,
        sessions.is_bounce,
        sessions.has_add_to_cart,
        sessions.has_begin_checkout,
        sessions.has_purchase,
        sessions.date_day,
        sessions.session_start,
        sessions.session_end,
        sessions.loaded_at,
        {{ run_started_timestamp() }} as built_at

    from sessions
    left join orders
        on sessions.session_id = orders.session_id

)

select * from final
