{#- The channel and source of sessions, rules 1 to 13 of docs/decisions.md "Channels", first match wins. The medium mapping and the host
    lists are lookup seeds that analysts edit; the order of the rules is code.

    `sessions`: a relation (or a CTE name) with at least utm_medium, utm_source and referrer_host. Returns a
    query with every column of `sessions` plus `channel` and `source`. Used by the view int_sessions_classified
    (every session) and by fct_sessions' incremental runs, which apply it to the distinct attribute sets of
    the sessions they hold to find those whose channel a lookup edit changed (so an edit reaches all history
    at the next build without rebuilding every session). -#}
{% macro classify_sessions(sessions) -%}
with

sessions as (

    select * from {{ sessions }}

),

channel_mediums as (

    select
        {{ clean_lower('utm_medium') }} as utm_medium,
        {{ clean_lower('channel') }} as channel

    from {{ ref('channel_mediums') }}

),

social_sources as (

    select distinct {{ clean_lower('utm_source') }} as utm_source from {{ ref('social_sources') }}

),

search_engines as (

    select {{ clean_lower('host') }} as host from {{ ref('search_engines') }}

),

social_networks as (

    select {{ clean_lower('host') }} as host from {{ ref('social_networks') }}

),

-- Host lists match by suffix, so they are joined once per distinct referrer host, not per session.
referrer_hosts as (

    -- read from the input, not the sessions CTE: DuckDB would materialize a CTE read twice
    select distinct referrer_host from {{ sessions }}
    where referrer_host is not null

),

search_engine_referrers as (

    select distinct referrer_hosts.referrer_host

    from referrer_hosts
    inner join search_engines
        on {{ host_matches('referrer_hosts.referrer_host', 'search_engines.host') }}

),

social_network_referrers as (

    select distinct referrer_hosts.referrer_host

    from referrer_hosts
    inner join social_networks
        on {{ host_matches('referrer_hosts.referrer_host', 'social_networks.host') }}

),

sessions_with_channel as (

    select
        sessions.*,
        case
            -- Rule 1: paid search mediums bought on a social network are paid social.
            when channel_mediums.channel = 'paid_search' and social_sources.utm_source is not null
                then 'paid_social'
            -- Rules 1 to 8: the medium decides.
            when channel_mediums.channel is not null then channel_mediums.channel
            -- Rule 9: any other medium. A medium listed without a channel, such as GA4's `(none)`, is no
            -- medium: the referrer decides.
            when sessions.utm_medium is not null and channel_mediums.utm_medium is null then 'other'
            -- Rules 10 to 12: no medium, the referrer decides.
            when search_engine_referrers.referrer_host is not null then 'organic_search'
            when social_network_referrers.referrer_host is not null then 'organic_social'
            when sessions.referrer_host is not null and not {{ is_shop_domain('sessions.referrer_host') }}
                then 'referral'
            -- Rule 13.
            else 'direct'
        end as channel

    from sessions
    left join channel_mediums
        on sessions.utm_medium = channel_mediums.utm_medium
    left join social_sources
        on sessions.utm_source = social_sources.utm_source
    left join search_engine_referrers
        on sessions.referrer_host = search_engine_referrers.referrer_host
    left join social_network_referrers
        on sessions.referrer_host = social_network_referrers.referrer_host

),

sessions_with_source as (

    select
        *,
        coalesce(
            utm_source,
            case when channel in ('organic_search', 'organic_social', 'referral') then referrer_host end,
            '(direct)'
        ) as source

    from sessions_with_channel

)

select * from sessions_with_source
{%- endmacro %}
