-- Accepted, deduplicated events (SPEC 2): one row per event_id, the earliest delivery, with the page path,
-- the referrer host and the bot flag derived once here for every downstream model.

with

judged_events as (

    select * from {{ ref('base_shop__events') }}

),

bot_patterns as (

    select lower({{ clean_text('pattern') }}) as pattern from {{ ref('bot_patterns') }}

),

kept_events as (

    select * from judged_events
    where rejection_reason is null and delivery_number = 1

),

-- Shops see few distinct user agents: match the patterns once per user agent, not once per event.
-- This lookup join is the reason the model is not join-free: SPEC 2 wants the bot flag in staging and
-- the pattern list is a seed analysts edit.
bot_user_agents as (

    select distinct user_agents.user_agent

    from (select distinct user_agent from kept_events) as user_agents
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
        kept_events.event_name in ('page_view', 'product_view') as is_page_event,
        bot_user_agents.user_agent is not null as is_bot,
        kept_events.event_ts,
        kept_events.loaded_at

    from kept_events
    left join bot_user_agents
        on kept_events.user_agent = bot_user_agents.user_agent

)

select * from events
