"""Hand-made Google Analytics 4 exports for the tests: GA4's nested BigQuery export schema as Parquet.

`EXPORT_SCHEMA` follows the published event export schema (the columns the project reads and many it does
not: a real export carries them, and the project must read past them). `event_row` builds one export row
from the few values a test cares about; `write_export_table` writes rows as one file of an export table, e.g.
`events_20261201.parquet`, `events_intraday_20261201.parquet` or a shard `events_20261201-000000000001.parquet`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

PARAM_VALUE = pa.struct(
    [
        ("string_value", pa.string()),
        ("int_value", pa.int64()),
        ("float_value", pa.float64()),
        ("double_value", pa.float64()),
    ]
)
EVENT_PARAM = pa.struct([("key", pa.string()), ("value", PARAM_VALUE)])
USER_PROPERTY = pa.struct(
    [
        ("key", pa.string()),
        (
            "value",
            pa.struct(
                [
                    ("string_value", pa.string()),
                    ("int_value", pa.int64()),
                    ("float_value", pa.float64()),
                    ("double_value", pa.float64()),
                    ("set_timestamp_micros", pa.int64()),
                ]
            ),
        ),
    ]
)
ITEM = pa.struct(
    [
        ("item_id", pa.string()),
        ("item_name", pa.string()),
        ("item_brand", pa.string()),
        ("item_variant", pa.string()),
        ("item_category", pa.string()),
        ("item_category2", pa.string()),
        ("item_category3", pa.string()),
        ("item_category4", pa.string()),
        ("item_category5", pa.string()),
        ("price_in_usd", pa.float64()),
        ("price", pa.float64()),
        ("quantity", pa.int64()),
        ("item_revenue_in_usd", pa.float64()),
        ("item_revenue", pa.float64()),
        ("item_refund_in_usd", pa.float64()),
        ("item_refund", pa.float64()),
        ("coupon", pa.string()),
        ("affiliation", pa.string()),
        ("location_id", pa.string()),
        ("item_list_id", pa.string()),
        ("item_list_name", pa.string()),
        ("item_list_index", pa.string()),
        ("promotion_id", pa.string()),
        ("promotion_name", pa.string()),
        ("creative_name", pa.string()),
        ("creative_slot", pa.string()),
        ("item_params", pa.list_(EVENT_PARAM)),
    ]
)


def _struct(*names: str, types: Mapping[str, pa.DataType] | None = None) -> pa.StructType:
    """A struct of string fields, except those typed in `types`."""
    return pa.struct([(name, (types or {}).get(name, pa.string())) for name in names])


EXPORT_SCHEMA = pa.schema(
    [
        ("event_date", pa.string()),
        ("event_timestamp", pa.int64()),
        ("event_name", pa.string()),
        ("event_params", pa.list_(EVENT_PARAM)),
        ("event_previous_timestamp", pa.int64()),
        ("event_value_in_usd", pa.float64()),
        ("event_bundle_sequence_id", pa.int64()),
        ("event_server_timestamp_offset", pa.int64()),
        ("user_id", pa.string()),
        ("user_pseudo_id", pa.string()),
        ("privacy_info", _struct("analytics_storage", "ads_storage", "uses_transient_token")),
        ("user_properties", pa.list_(USER_PROPERTY)),
        ("user_first_touch_timestamp", pa.int64()),
        ("user_ltv", _struct("revenue", "currency", types={"revenue": pa.float64()})),
        (
            "device",
            pa.struct(
                [
                    ("category", pa.string()),
                    ("mobile_brand_name", pa.string()),
                    ("mobile_model_name", pa.string()),
                    ("mobile_marketing_name", pa.string()),
                    ("mobile_os_hardware_model", pa.string()),
                    ("operating_system", pa.string()),
                    ("operating_system_version", pa.string()),
                    ("vendor_id", pa.string()),
                    ("advertising_id", pa.string()),
                    ("language", pa.string()),
                    ("is_limited_ad_tracking", pa.string()),
                    ("time_zone_offset_seconds", pa.int64()),
                    ("browser", pa.string()),
                    ("browser_version", pa.string()),
                    ("web_info", _struct("browser", "browser_version", "hostname")),
                ]
            ),
        ),
        ("geo", _struct("city", "country", "continent", "region", "sub_continent", "metro")),
        ("app_info", _struct("id", "version", "install_store", "firebase_app_id", "install_source")),
        ("traffic_source", _struct("name", "medium", "source")),
        ("stream_id", pa.string()),
        ("platform", pa.string()),
        ("event_dimensions", _struct("hostname")),
        (
            "ecommerce",
            pa.struct(
                [
                    ("total_item_quantity", pa.int64()),
                    ("purchase_revenue_in_usd", pa.float64()),
                    ("purchase_revenue", pa.float64()),
                    ("refund_value_in_usd", pa.float64()),
                    ("refund_value", pa.float64()),
                    ("shipping_value_in_usd", pa.float64()),
                    ("shipping_value", pa.float64()),
                    ("tax_value_in_usd", pa.float64()),
                    ("tax_value", pa.float64()),
                    ("unique_items", pa.int64()),
                    ("transaction_id", pa.string()),
                ]
            ),
        ),
        ("items", pa.list_(ITEM)),
        (
            "collected_traffic_source",
            _struct(
                "manual_campaign_id",
                "manual_campaign_name",
                "manual_source",
                "manual_medium",
                "manual_term",
                "manual_content",
                "gclid",
                "dclid",
                "srsltid",
            ),
        ),
        ("is_active_user", pa.bool_()),
        ("batch_event_index", pa.int64()),
        ("batch_page_id", pa.int64()),
        ("batch_ordering_id", pa.int64()),
    ]
)


def micros(timestamp: str) -> int:
    """'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC) as microseconds since the epoch, GA4's event_timestamp."""
    moment = dt.datetime.fromisoformat(timestamp).replace(tzinfo=dt.UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def param(key: str, value: str | int | float) -> dict[str, Any]:
    """One event_params element, its value in the field GA4 uses for its type."""
    fields: dict[str, Any] = {"string_value": None, "int_value": None, "float_value": None, "double_value": None}
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"unsupported param value {value!r}")
    if isinstance(value, str):
        fields["string_value"] = value
    elif isinstance(value, int):
        fields["int_value"] = value
    else:
        fields["double_value"] = value
    return {"key": key, "value": fields}


def item(item_id: str | None, **fields: Any) -> dict[str, Any]:
    """One items element; the fields not given are NULL."""
    return {"item_id": item_id, **fields}


def event_row(
    *,
    user_pseudo_id: str,
    timestamp: str,
    event_name: str,
    session_id: int | None,
    params: Mapping[str, str | int | float] | None = None,
    items: Sequence[Mapping[str, Any]] = (),
    user_id: str | None = None,
    bundle: int = 1,
    device_category: str = "desktop",
    country: str | None = "Spain",
    transaction_id: str | None = None,
    purchase_revenue_in_usd: float | None = None,
    refund_value_in_usd: float | None = None,
) -> dict[str, Any]:
    """One export row with the values a test gives and GA4-like values elsewhere."""
    event_params = [param("ga_session_id", session_id)] if session_id is not None else []
    event_params += [param(key, value) for key, value in (params or {}).items()]
    ecommerce = None
    if transaction_id is not None or purchase_revenue_in_usd is not None or refund_value_in_usd is not None:
        ecommerce = {
            "transaction_id": transaction_id,
            "purchase_revenue_in_usd": purchase_revenue_in_usd,
            "purchase_revenue": purchase_revenue_in_usd,
            "refund_value_in_usd": refund_value_in_usd,
            "refund_value": refund_value_in_usd,
            "total_item_quantity": sum(element.get("quantity") or 0 for element in items) or None,
        }
    return {
        "event_date": timestamp[:10].replace("-", ""),
        "event_timestamp": micros(timestamp),
        "event_name": event_name,
        "event_params": event_params,
        "event_bundle_sequence_id": bundle,
        "user_id": user_id,
        "user_pseudo_id": user_pseudo_id,
        "privacy_info": {"analytics_storage": "Yes", "ads_storage": "Yes", "uses_transient_token": "No"},
        "user_properties": [],
        "device": {"category": device_category, "operating_system": "Linux", "browser": "Firefox"},
        "geo": {"country": country, "city": "(not set)", "continent": "Europe"},
        "traffic_source": {"name": "(direct)", "medium": "(none)", "source": "(direct)"},
        "stream_id": "1234567890",
        "platform": "WEB",
        "ecommerce": ecommerce,
        "items": [dict(element) for element in items],
        "is_active_user": True,
    }


def write_export_table(folder: Path, file_name: str, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Rows as one Parquet file of the export, in the export schema (columns not given are NULL)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    pq.write_table(pa.Table.from_pylist([dict(row) for row in rows], schema=EXPORT_SCHEMA), path)
    return path
