-- SPEC 2, nothing is lost: for every load (UTC date of loaded_at),
-- raw rows = accepted distinct events + duplicate rows removed + rejected rows.
-- Returns the loads where the identity breaks, with the difference.

{#- A selection that built only some of these relations (e.g. `--select staging.ga4`, which picks this test
    because the raw events are mapped there) leaves the test empty instead of failing on a missing relation. -#}
{%- if raw_table_splits_built('raw_events') %}

with

counted as (

    select
        cast(cast(loaded_at as timestamp) as date) as load_date,
        count(*) as row_balance
    from {{ shop_raw('raw_events') }}
    group by load_date

    {% for split in ['stg_shop__events', 'stg_shop__events_duplicates', 'stg_shop__events_rejected'] -%}
    union all

    select
        cast(loaded_at as date) as load_date,
        -count(*) as row_balance
    from {{ ref(split) }}
    group by load_date

    {% endfor -%}
)

select
    load_date,
    sum(row_balance) as unaccounted_rows
from counted
group by load_date
having sum(row_balance) != 0

{%- else %}

select
    cast(null as date) as load_date,
    0 as unaccounted_rows
where 1 = 0

{%- endif %}
