"""The Google Analytics 4 BigQuery export, as Parquet: the schema of one `events_YYYYMMDD` table.

GA4 exports one table per day of the property's time zone (`events_YYYYMMDD`) and, with streaming export on,
`events_intraday_YYYYMMDD` for the day in progress (deleted once that day's daily table is complete). One row
per event, nested, not flattened: `event_params`, `user_properties` and `items` are repeated records (arrays of
structs), `device`, `geo`, `traffic_source`, `ecommerce`, ... are records (structs).

Sources
-------
* Column list and types: "[GA4] BigQuery Export schema", https://support.google.com/analytics/answer/7029846
  (the same text at https://developers.google.com/analytics/bigquery/event-schema), and, for the session
  traffic-source record, https://developers.google.com/analytics/bigquery/traffic-attribution-data.
  BigQuery INTEGER is INT64 and FLOAT is FLOAT64 there: every integer below is int64, every float is double
  (`event_params.value.float_value` included: it is FLOAT64 in the export, not a 32-bit float).
  `item_list_index`, `device.is_limited_ad_tracking` and `stream_id` are STRING in the export, not numbers.
* Parquet layout: BigQuery's "Export table data to Cloud Storage" page, section "Parquet export details"
  (https://cloud.google.com/bigquery/docs/exporting-data). As we read it, INT64 is written as INT64, FLOAT64
  as DOUBLE, BOOL as BOOLEAN, STRING as BYTE_ARRAY annotated STRING, a record as a group and a repeated
  record as a repeated group; it does not promise the three-level ``LIST`` / ``list`` / ``element`` wrapping.
  Only the page's opening could be re-read when this module was written, not that table, so check the
  layout of a real ``bq extract`` file before relying on it. A repeated BigQuery field is never NULL: an
  empty array instead.

What this fixture writes, and why
---------------------------------
pyarrow can only write the standard three-level list (`<name> (LIST) { repeated group list { required group
element {...} } }`); it cannot write a bare repeated group. Parquet's backward-compatibility rules make a
reader (pyarrow, DuckDB, Spark) see both layouts as the same logical `list<struct<...>>`, so the models
that read the export must address `event_params`, `items` and `user_properties` as lists (`unnest`,
`explode`, list functions) and never by physical path (`event_params.list.element.key`). List elements are
declared non-null and lists are empty, not NULL, when there is nothing to list, as BigQuery writes them.
Every other column, and every struct field, is nullable, as in BigQuery (all NULLABLE).

Simplified on purpose: `session_traffic_source_last_click` carries `manual_campaign`, `google_ads_campaign`
and `cross_channel_campaign` but not the `sa360_campaign`, `cm360_campaign` and `dv360_campaign` records;
the `publisher` record (ad revenue) is left out. GA4 adds export columns over time (the batch_* columns,
`collected_traffic_source` and `session_traffic_source_last_click` came in 2023-2024), so older tables lack
some of them: readers should select the columns they need and not assume this exact list.
"""

from __future__ import annotations

import pyarrow as pa

STRING = pa.string()
INT64 = pa.int64()
FLOAT64 = pa.float64()
BOOL = pa.bool_()

PROPERTY_TIME_ZONE = "Europe/Madrid"  # the demo property's time zone: event_date and table dates are local dates
DAILY_PREFIX = "events_"
INTRADAY_PREFIX = "events_intraday_"


def repeated(struct: pa.StructType) -> pa.ListType:
    """A BigQuery REPEATED RECORD: a list of non-null structs (an empty list, never NULL, when there are none)."""
    return pa.list_(pa.field("element", struct, nullable=False))


def record(*fields: tuple[str, pa.DataType]) -> pa.StructType:
    """A BigQuery RECORD: a struct of nullable fields."""
    return pa.struct([pa.field(name, kind) for name, kind in fields])


PARAM_VALUE = record(("string_value", STRING), ("int_value", INT64), ("float_value", FLOAT64),
                     ("double_value", FLOAT64))
EVENT_PARAM = record(("key", STRING), ("value", PARAM_VALUE))
USER_PROPERTY = record(("key", STRING), ("value", record(
    ("string_value", STRING), ("int_value", INT64), ("float_value", FLOAT64), ("double_value", FLOAT64),
    ("set_timestamp_micros", INT64))))

PRIVACY_INFO = record(("analytics_storage", STRING), ("ads_storage", STRING), ("uses_transient_token", STRING))
USER_LTV = record(("revenue", FLOAT64), ("currency", STRING))
WEB_INFO = record(("browser", STRING), ("browser_version", STRING), ("hostname", STRING))
DEVICE = record(
    ("category", STRING), ("mobile_brand_name", STRING), ("mobile_model_name", STRING),
    ("mobile_marketing_name", STRING), ("mobile_os_hardware_model", STRING), ("operating_system", STRING),
    ("operating_system_version", STRING), ("vendor_id", STRING), ("advertising_id", STRING), ("language", STRING),
    ("is_limited_ad_tracking", STRING), ("time_zone_offset_seconds", INT64), ("browser", STRING),
    ("browser_version", STRING), ("web_info", WEB_INFO))
GEO = record(("city", STRING), ("country", STRING), ("continent", STRING), ("region", STRING),
             ("sub_continent", STRING), ("metro", STRING))
APP_INFO = record(("id", STRING), ("version", STRING), ("install_store", STRING), ("firebase_app_id", STRING),
                  ("install_source", STRING))
TRAFFIC_SOURCE = record(("name", STRING), ("medium", STRING), ("source", STRING))
EVENT_DIMENSIONS = record(("hostname", STRING))
ECOMMERCE = record(
    ("total_item_quantity", INT64), ("purchase_revenue_in_usd", FLOAT64), ("purchase_revenue", FLOAT64),
    ("refund_value_in_usd", FLOAT64), ("refund_value", FLOAT64), ("shipping_value_in_usd", FLOAT64),
    ("shipping_value", FLOAT64), ("tax_value_in_usd", FLOAT64), ("tax_value", FLOAT64), ("unique_items", INT64),
    ("transaction_id", STRING))
ITEM = record(
    ("item_id", STRING), ("item_name", STRING), ("item_brand", STRING), ("item_variant", STRING),
    ("item_category", STRING), ("item_category2", STRING), ("item_category3", STRING), ("item_category4", STRING),
    ("item_category5", STRING), ("price_in_usd", FLOAT64), ("price", FLOAT64), ("quantity", INT64),
    ("item_revenue_in_usd", FLOAT64), ("item_revenue", FLOAT64), ("item_refund_in_usd", FLOAT64),
    ("item_refund", FLOAT64), ("coupon", STRING), ("affiliation", STRING), ("location_id", STRING),
    ("item_list_id", STRING), ("item_list_name", STRING), ("item_list_index", STRING), ("promotion_id", STRING),
    ("promotion_name", STRING), ("creative_name", STRING), ("creative_slot", STRING),
    ("item_params", repeated(EVENT_PARAM)))
COLLECTED_TRAFFIC_SOURCE = record(
    ("manual_campaign_id", STRING), ("manual_campaign_name", STRING), ("manual_source", STRING),
    ("manual_medium", STRING), ("manual_term", STRING), ("manual_content", STRING),
    ("manual_source_platform", STRING), ("manual_creative_format", STRING), ("manual_marketing_tactic", STRING),
    ("gclid", STRING), ("dclid", STRING), ("srsltid", STRING))
MANUAL_CAMPAIGN = record(
    ("campaign_id", STRING), ("campaign_name", STRING), ("source", STRING), ("medium", STRING), ("term", STRING),
    ("content", STRING), ("source_platform", STRING), ("creative_format", STRING), ("marketing_tactic", STRING))
GOOGLE_ADS_CAMPAIGN = record(
    ("customer_id", STRING), ("account_name", STRING), ("campaign_id", STRING), ("campaign_name", STRING),
    ("ad_group_id", STRING), ("ad_group_name", STRING))
CROSS_CHANNEL_CAMPAIGN = record(
    ("campaign_id", STRING), ("campaign_name", STRING), ("source", STRING), ("medium", STRING),
    ("source_platform", STRING), ("primary_channel_group", STRING), ("default_channel_group", STRING))
SESSION_TRAFFIC_SOURCE_LAST_CLICK = record(
    ("manual_campaign", MANUAL_CAMPAIGN), ("google_ads_campaign", GOOGLE_ADS_CAMPAIGN),
    ("cross_channel_campaign", CROSS_CHANNEL_CAMPAIGN))

EVENTS_SCHEMA = pa.schema([
    ("event_date", STRING),  # YYYYMMDD, local date of the property's time zone
    ("event_timestamp", INT64),  # microseconds since the epoch, UTC (client clock)
    ("event_name", STRING),
    ("event_params", repeated(EVENT_PARAM)),
    ("event_previous_timestamp", INT64),
    ("event_value_in_usd", FLOAT64),
    ("event_bundle_sequence_id", INT64),
    ("event_server_timestamp_offset", INT64),
    ("user_id", STRING),
    ("user_pseudo_id", STRING),
    ("privacy_info", PRIVACY_INFO),
    ("user_properties", repeated(USER_PROPERTY)),
    ("user_first_touch_timestamp", INT64),
    ("user_ltv", USER_LTV),
    ("device", DEVICE),
    ("geo", GEO),
    ("app_info", APP_INFO),
    ("traffic_source", TRAFFIC_SOURCE),  # the user's first-touch source, not the session's
    ("stream_id", STRING),
    ("platform", STRING),
    ("event_dimensions", EVENT_DIMENSIONS),
    ("ecommerce", ECOMMERCE),
    ("items", repeated(ITEM)),
    ("collected_traffic_source", COLLECTED_TRAFFIC_SOURCE),
    ("is_active_user", BOOL),
    ("batch_event_index", INT64),
    ("batch_page_id", INT64),
    ("batch_ordering_id", INT64),
    ("session_traffic_source_last_click", SESSION_TRAFFIC_SOURCE_LAST_CLICK),
])


def daily_table(yyyymmdd: str) -> str:
    return f"{DAILY_PREFIX}{yyyymmdd}"


def intraday_table(yyyymmdd: str) -> str:
    return f"{INTRADAY_PREFIX}{yyyymmdd}"
