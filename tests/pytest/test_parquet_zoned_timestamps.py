"""Typed Parquet timestamps of every kind are read as the instants they are, in UTC.

Spark, BigQuery exports and tz-aware pandas write Parquet TIMESTAMP with isAdjustedToUTC=true, which DuckDB reads
as `timestamp with time zone`; others write it without a zone, in milliseconds, microseconds or nanoseconds. Each
timestamp column (event_ts, loaded_at, ordered_at, returned_at, created_at) is written here in another of those
types, with zones that are not UTC, and the build runs in a session whose TimeZone is not UTC either: every
parsed value must still be the UTC time of the instant, and no row may be rejected as unparseable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
from pipeline import RAW_COLUMNS, connect, copy_project, run_dbt, write_seed_csv

UTC = dt.UTC
MADRID = ZoneInfo("Europe/Madrid")

# One consistent row per table (visitor w1 buys o1 and returns it), the instants written in these Parquet types.
INSTANTS = {
    ("raw_events", "event_ts"): (dt.datetime(2024, 4, 10, 12, 0, tzinfo=UTC), pa.timestamp("us", tz="UTC")),
    ("raw_events", "loaded_at"): (dt.datetime(2024, 4, 10, 14, 5, tzinfo=MADRID),
                                  pa.timestamp("ns", tz="Europe/Madrid")),
    ("raw_orders", "ordered_at"): (dt.datetime(2024, 4, 10, 14, 0, 0, 250_000, tzinfo=MADRID),
                                   pa.timestamp("ms", tz="Europe/Madrid")),
    ("raw_returns", "returned_at"): (dt.datetime(2024, 4, 17, 12, 0), pa.timestamp("ns")),
    ("raw_customers", "created_at"): (dt.datetime(2024, 1, 1, 1, 0, tzinfo=MADRID),
                                      pa.timestamp("us", tz="Europe/Madrid")),
}
EXPECTED_UTC = {
    ("base_shop__events", "event_ts"): dt.datetime(2024, 4, 10, 12, 0),
    ("base_shop__events", "loaded_at"): dt.datetime(2024, 4, 10, 12, 5),  # Madrid is UTC+2 in April
    ("base_shop__orders", "ordered_at"): dt.datetime(2024, 4, 10, 12, 0, 0, 250_000),
    ("base_shop__returns", "returned_at"): dt.datetime(2024, 4, 17, 12, 0),
    ("stg_shop__customers", "created_at"): dt.datetime(2024, 1, 1, 0, 0),  # UTC+1 in January
}
TEXT = {
    "raw_events": {"event_id": "e1", "anonymous_id": "w1", "event_name": "purchase", "order_id": "o1",
                   "customer_id": "c1", "page_url": "https://shop.example.com/checkout/thanks",
                   "device_category": "desktop", "user_agent": "Mozilla/5.0"},
    "raw_orders": {"order_id": "o1", "customer_id": "c1", "status": "delivered", "order_total": "25.00"},
    "raw_order_items": {"order_id": "o1", "product_id": "p1", "quantity": "1", "unit_price": "25.00"},
    "raw_returns": {"return_id": "r1", "order_id": "o1", "product_id": "p1", "quantity": "1",
                    "refund_amount": "25.00", "reason": "size"},
    "raw_products": {"product_id": "p1", "product_name": "Solo", "category": "shoes", "list_price": "25.00"},
    "raw_customers": {"customer_id": "c1", "email": "one@example.com", "full_name": "Only One",
                      "country_code": "es"},
}


def write_zoned_parquet(project_dir: Path) -> Path:
    raw = project_dir / "raw"
    for table, columns in RAW_COLUMNS.items():
        write_seed_csv(project_dir / "seeds" / f"{table}.csv", table, ())
        arrays = {}
        for name, _ in columns:
            if (table, name) in INSTANTS:
                value, arrow_type = INSTANTS[(table, name)]
                arrays[name] = pa.array([value], type=arrow_type)
            else:
                arrays[name] = pa.array([TEXT[table].get(name)], type=pa.string())
        path = raw / table / "part-0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(arrays), path)
    return raw


def test_typed_parquet_timestamps_of_any_kind_are_utc_instants(tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    copy_project(project_dir)
    raw = write_zoned_parquet(project_dir)
    # The session's TimeZone must not matter: run the build in one that is not UTC.
    profiles = project_dir / "profiles.yml"
    profiles.write_text(profiles.read_text(encoding="utf-8").replace("TimeZone: UTC", "TimeZone: America/New_York"),
                        encoding="utf-8")
    database = tmp_path / "pipeline.duckdb"
    result = run_dbt(project_dir, database, ["build", "--select", "+path:models/staging/shop", "--exclude",
                                             "test_type:unit"], {"raw_data_path": str(raw)})
    assert result.returncode == 0, (result.stdout + result.stderr)[-8000:]
    with connect(database) as connection:
        for (model, column), expected in EXPECTED_UTC.items():
            actual = connection.execute(f"select {column} from staging.{model}").fetchall()
            assert actual == [(expected,)], (model, column)
        for model in ("base_shop__events", "base_shop__orders", "base_shop__returns"):
            reasons = connection.execute(f"select rejection_reason from staging.{model}").fetchall()
            assert reasons == [(None,)], model
