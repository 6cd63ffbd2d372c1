-- Sessions with their marketing channel and source (SPEC 3, rules 1 to 12, first match wins): the rules are
-- in macros/channel_rules.sql, shared with fct_sessions' incremental runs, which use them to find the sessions
-- whose channel a lookup edit changed.
--
-- A view (issue 4): the rules are joins to small lookups over sessions already aggregated. Writing every
-- session to a table took 3.2 s at 10^7 events; reading this view instead made fct_sessions 0.3 s slower and
-- int_orders_attributed no slower (docs/performance.md). A lookup edit reaches all history at the next build.
{{ config(materialized='view') }}

{{ classify_sessions(ref('int_sessions_aggregated')) }}
