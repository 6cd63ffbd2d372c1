-- SPEC 2, nothing is lost: for every load (UTC date of loaded_at),
-- raw rows = accepted distinct events + duplicate rows removed + rejected rows.
-- Returns the loads where the identity breaks, with the difference.

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
