-- Issue 7: warn, without failing the build, for every raw table and load (the UTC date of loaded_at for
-- events, the whole snapshot for the other tables) whose share of rejected rows is above the var
-- max_rejection_rate (default 0.05). Duplicate deliveries of events are not rejections. The loads are also
-- logged by name, with the model holding the rejected rows and their reasons.
{{ config(severity='warn') }}

{%- set rates_sql = rejection_rates_sql() %}
{{ log_high_rejection_rates(rates_sql) }}

select *
from ({{ rates_sql }}) as rates
where rejection_rate > max_rejection_rate
