"""Hand-made Google Analytics 4 exports for the tests: GA4's nested BigQuery export schema as Parquet.

`EXPORT_SCHEMA` is the published event export schema of scripts/ga4_export_schema.py (the columns the project
reads and many it does not: a real export carries them, and the project must read past them). `event_row`
builds one export row from the few values a test cares about; `write_export_table` writes rows as one file of
an export table, e.g. `events_20261201.parquet`, `events_intraday_20261201.parquet` or a shard
`events_20261201-000000000001.parquet`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from ga4_export_schema import EVENTS_SCHEMA

# The export's schema as the fixture generator writes it (scripts/ga4_export_schema.py): the hand-made tables
# here and the generated demo export are read by the same models, so they share one layout.
EXPORT_SCHEMA = EVENTS_SCHEMA


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
