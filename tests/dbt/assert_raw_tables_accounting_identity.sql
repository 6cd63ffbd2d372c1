-- Issue 7, nothing is lost: for every raw table other than raw_events (tests/dbt/assert_events_accounting_identity.sql
-- checks it per load), raw rows = accepted rows + rejected rows. These tables arrive as full snapshots, so the
-- whole table is one load (macros/rejection_rates.sql). Returns the tables where the identity breaks.

with

rates as (

    {{ rejection_rates_sql(
        tables=['raw_orders', 'raw_order_items', 'raw_returns', 'raw_products', 'raw_customers']
    ) }}

)

select
    raw_table,
    load_date,
    raw_rows,
    accepted_rows + duplicate_rows + rejected_rows as accounted_rows
from rates
where raw_rows != accepted_rows + duplicate_rows + rejected_rows
