-- Every row of the Google Analytics 4 export (var ga4_export_path: the folder of its events_*.parquet tables),
-- read as it is, in GA4's nested schema, pruned to the columns the mapping uses: the struct fields it needs are
-- lifted out of device, geo and ecommerce, and the items keep only the fields it reads (macros/ga4.sql), so the
-- type of this relation does not depend on the optional columns an export holds. No rule is applied here: the
-- mapping and its verdicts are in base_ga4__events, which unit tests can feed with fixture rows.
--
-- Without the var the relation is empty but typed like an export, so the GA4 models, their unit tests and their
-- data tests always exist and run in the default build.
{%- set export_path = ga4_export_path() %}

with

{% if export_path -%}
export_rows as (

    select
        filename as export_file,
        cast(file_row_number as bigint) as export_row_number,
        user_pseudo_id,
        user_id,
        event_name,
        device.category as device_category,
        geo.country as geo_country,
        ecommerce.transaction_id as transaction_id,
        event_params,
        {{ ga4_items_pruned('items') }} as items,
        cast(event_timestamp as bigint) as event_timestamp,
        cast(event_bundle_sequence_id as bigint) as event_bundle_sequence_id,
        cast(ecommerce.purchase_revenue_in_usd as double) as purchase_revenue_in_usd,
        cast(ecommerce.refund_value_in_usd as double) as refund_value_in_usd

    from {{ ga4_export_files(export_path) }}

)
{%- else -%}
export_rows as (

    select
        cast(null as {{ dbt.type_string() }}) as export_file,
        cast(null as bigint) as export_row_number,
        cast(null as {{ dbt.type_string() }}) as user_pseudo_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as event_name,
        cast(null as {{ dbt.type_string() }}) as device_category,
        cast(null as {{ dbt.type_string() }}) as geo_country,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        cast(null as {{ ga4_event_params_type() }}) as event_params,
        cast(null as {{ ga4_items_type() }}) as items,
        cast(null as bigint) as event_timestamp,
        cast(null as bigint) as event_bundle_sequence_id,
        cast(null as double) as purchase_revenue_in_usd,
        cast(null as double) as refund_value_in_usd

    where false

)
{%- endif %}

select * from export_rows
