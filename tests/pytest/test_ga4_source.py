"""The whole pipeline on a hand-made Google Analytics 4 export (var ga4_export_path).

The export (written with pyarrow in GA4's nested schema, tests/pytest/ga4_handmade.py) has a daily table of
2026-12-01 split into two shards, the intraday table of the same day repeating three of its rows, the
intraday table of 2026-12-02, and a file whose name names no export table. Every expected value below is
worked out by hand from the mapping (docs/decisions.md, "Google Analytics 4 export"):

- u1 (never logged in): session 100 on 2026-12-01, 10:00:00 session_start, 10:00:01 page_view /,
  10:01:00 page_view /products/p1 carrying the session's campaign tags (google / cpc / xmas),
  10:01:01 view_item [p1], 10:02:00 add_to_cart [p1, p2], 10:03:00 begin_checkout,
  10:04:00 purchase T1 (30.00; items p1 x1 at 10, p2 x1 at 20; coupon "(not set)"),
  10:04:30 the same purchase T1 again (a reloaded confirmation page), 10:05:00 user_engagement.
- u2 (user_id c2, mobile, France): session 200, 11:00:00 page_view from www.facebook.com,
  11:00:05 view_item without items, 11:00:10 view_item [no item_id, p3], 11:01:00 purchase with transaction
  id "(not set)", 11:02:00 purchase T2 (15.00; p3 x3 at 5; coupon WELCOME); on 2026-12-02 09:00 a refund of
  T2 without items (15.00).
- u3: 12:00:00 page_view tagged source "(not set)", medium "(none)", campaign "(data deleted)".
- u4: on 2026-12-02, 09:30:00 session_start and 09:30:01 page_view from www.google.com.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ga4_handmade import event_row, item, write_export_table
from pipeline import REPO_ROOT, DbtFailed, build_ga4_pipeline, connect, fetch_dicts

DAY_1 = dt.date(2026, 12, 1)
DAY_2 = dt.date(2026, 12, 2)
SHOP = "https://shop.example.com"


def u1_rows() -> list[dict[str, Any]]:
    """u1's nine events of 2026-12-01."""
    common = {"user_pseudo_id": "u1", "session_id": 100}
    return [
        event_row(
            **common, timestamp="2026-12-01 10:00:00", event_name="session_start", params={"page_location": f"{SHOP}/"}
        ),
        event_row(
            **common, timestamp="2026-12-01 10:00:01", event_name="page_view", params={"page_location": f"{SHOP}/"}
        ),
        event_row(
            **common,
            timestamp="2026-12-01 10:01:00",
            event_name="page_view",
            params={"page_location": f"{SHOP}/products/p1", "source": "google", "medium": "cpc", "campaign": "xmas"},
        ),
        event_row(
            **common,
            timestamp="2026-12-01 10:01:01",
            event_name="view_item",
            params={"page_location": f"{SHOP}/products/p1"},
            items=[item("p1", item_name="Mug", item_category="Kitchen", price_in_usd=10.0)],
        ),
        event_row(
            **common,
            timestamp="2026-12-01 10:02:00",
            event_name="add_to_cart",
            params={"page_location": f"{SHOP}/products/p1"},
            items=[
                item("p1", quantity=1, price_in_usd=10.0),
                item("p2", item_name="Tea", item_category="Food", quantity=1, price_in_usd=20.0),
            ],
        ),
        event_row(
            **common,
            timestamp="2026-12-01 10:03:00",
            event_name="begin_checkout",
            params={"page_location": f"{SHOP}/checkout"},
        ),
        *[
            event_row(
                **common,
                timestamp=moment,
                event_name="purchase",
                params={"page_location": f"{SHOP}/thanks", "coupon": "(not set)"},
                transaction_id="T1",
                purchase_revenue_in_usd=30.0,
                items=[item("p1", quantity=1, price_in_usd=10.0), item("p2", quantity=1, price_in_usd=20.0)],
            )
            for moment in ("2026-12-01 10:04:00", "2026-12-01 10:04:30")
        ],
        event_row(
            **common,
            timestamp="2026-12-01 10:05:00",
            event_name="user_engagement",
            params={"page_location": f"{SHOP}/thanks"},
        ),
    ]


def u2_u3_rows() -> list[dict[str, Any]]:
    """u2's and u3's events of 2026-12-01."""
    u2 = {"user_pseudo_id": "u2", "user_id": "c2", "session_id": 200, "device_category": "mobile", "country": "France"}
    return [
        event_row(
            **u2,
            timestamp="2026-12-01 11:00:00",
            event_name="page_view",
            params={"page_location": f"{SHOP}/", "page_referrer": "https://www.facebook.com/"},
        ),
        event_row(
            **u2,
            timestamp="2026-12-01 11:00:05",
            event_name="view_item",
            params={"page_location": f"{SHOP}/products/p3"},
        ),
        event_row(
            **u2,
            timestamp="2026-12-01 11:00:10",
            event_name="view_item",
            params={"page_location": f"{SHOP}/products/p3"},
            items=[
                item(None, item_name="No id"),
                item("p3", item_name="Pot", item_category="Kitchen", price_in_usd=5.0),
            ],
        ),
        event_row(
            **u2,
            timestamp="2026-12-01 11:01:00",
            event_name="purchase",
            params={"page_location": f"{SHOP}/thanks"},
            transaction_id="(not set)",
            purchase_revenue_in_usd=99.0,
            items=[item("p3", quantity=1, price_in_usd=99.0)],
        ),
        event_row(
            **u2,
            timestamp="2026-12-01 11:02:00",
            event_name="purchase",
            params={"page_location": f"{SHOP}/thanks", "coupon": "WELCOME"},
            transaction_id="T2",
            purchase_revenue_in_usd=15.0,
            items=[item("p3", quantity=3, price_in_usd=5.0)],
        ),
        event_row(
            user_pseudo_id="u3",
            session_id=300,
            timestamp="2026-12-01 12:00:00",
            event_name="page_view",
            params={
                "page_location": f"{SHOP}/",
                "source": "(not set)",
                "medium": "(none)",
                "campaign": "(data deleted)",
            },
        ),
    ]


def day_2_rows() -> list[dict[str, Any]]:
    """The intraday table of 2026-12-02: u2's refund, u4's visit."""
    return [
        event_row(
            user_pseudo_id="u2",
            user_id="c2",
            session_id=201,
            timestamp="2026-12-02 09:00:00",
            event_name="refund",
            transaction_id="T2",
            refund_value_in_usd=15.0,
            device_category="mobile",
            country="France",
        ),
        event_row(
            user_pseudo_id="u4",
            session_id=400,
            timestamp="2026-12-02 09:30:00",
            event_name="session_start",
            params={"page_location": f"{SHOP}/"},
        ),
        event_row(
            user_pseudo_id="u4",
            session_id=400,
            timestamp="2026-12-02 09:30:01",
            event_name="page_view",
            params={"page_location": f"{SHOP}/", "page_referrer": "https://www.google.com/"},
        ),
    ]


def write_export(folder: Path) -> None:
    """The export of the scenario: two shards of the daily table, two intraday tables, a stray file."""
    u1 = u1_rows()
    write_export_table(folder, "events_20261201-000000000000.parquet", u1)
    write_export_table(folder, "events_20261201-000000000001.parquet", u2_u3_rows())
    write_export_table(folder, "events_intraday_20261201.parquet", u1[:3])
    write_export_table(folder, "events_intraday_20261202.parquet", day_2_rows())
    write_export_table(folder, "events_backup.parquet", u1[:1])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The scenario built once, with the var ga4_export_path."""
    workdir = tmp_path_factory.mktemp("ga4")
    try:
        _, database = build_ga4_pipeline(workdir, write_export)
    except DbtFailed as error:
        pytest.fail(f"dbt build failed on the GA4 export:\n{error.summary(12_000)}", pytrace=False)
    connection = connect(database)
    yield connection
    connection.close()


def rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows of a query as dicts."""
    return fetch_dicts(connection, sql)


def test_sessions_and_pageviews_per_day_and_channel(built: duckdb.DuckDBPyConnection) -> None:
    """Five sessions. u1's is paid_search (its campaign tags sit on its third event); u2's comes from facebook;
    u3's medium (none) is no medium, so direct; on 2026-12-02 u4 comes from google and u2's refund alone makes
    an activity-only session (direct, no page). pageviews count page_view events only, not view_item."""
    got = rows(built, "select date_day, channel, sessions, users, pageviews from marts.kpi_traffic")
    assert sorted((r["date_day"], r["channel"], r["sessions"], r["users"], r["pageviews"]) for r in got) == [
        (DAY_1, "direct", 1, 1, 1),
        (DAY_1, "organic_social", 1, 1, 1),
        (DAY_1, "paid_search", 1, 1, 2),
        (DAY_2, "direct", 1, 1, 0),
        (DAY_2, "organic_search", 1, 1, 1),
    ]


def test_activity_events_bound_the_session_only(built: duckdb.DuckDBPyConnection) -> None:
    """u1's session runs from its session_start (10:00:00) to its user_engagement (10:05:00): 300 s; its events
    count the eight shop events (the two activity events and the three repeated rows do not count); it lands
    on / and is no bounce."""
    (session,) = rows(
        built,
        "select session_start, session_end, duration_seconds, event_count, pageviews, landing_page_path, is_bounce "
        "from marts.fct_sessions where anonymous_id = 'u1'",
    )
    assert session == {
        "session_start": dt.datetime(2026, 12, 1, 10, 0, 0),
        "session_end": dt.datetime(2026, 12, 1, 10, 5, 0),
        "duration_seconds": 300,
        "event_count": 8,
        "pageviews": 2,
        "landing_page_path": "/",
        "is_bounce": False,
    }


def test_product_views_and_add_to_carts_per_item(built: duckdb.DuckDBPyConnection) -> None:
    """One product view of p1 (u1) and one of p3 (u2's second view_item: its element without item_id is
    rejected, and its first view_item has no items at all); u1's add_to_cart of [p1, p2] is two add-to-carts,
    and p1's counts on its row."""
    got = rows(
        built,
        "select date_day, product_id, product_name, category, product_views, product_view_sessions, add_to_carts "
        "from marts.kpi_product_page_views",
    )
    assert sorted(tuple(r.values()) for r in got) == [
        (DAY_1, "p1", "Mug", "Kitchen", 1, 1, 1),
        (DAY_1, "p3", "Pot", "Kitchen", 1, 1, 0),
    ]
    add_to_carts = rows(built, "select product_id from staging.stg_shop__events where event_name = 'add_to_cart'")
    assert sorted(r["product_id"] for r in add_to_carts) == ["p1", "p2"]


def test_orders_and_revenue(built: duckdb.DuckDBPyConnection) -> None:
    """T1 once (its repeated purchase adds nothing), placed by u1 (no user_id) through paid_search, no coupon
    ((not set)); T2 by c2 through organic_social with WELCOME. The purchase with transaction id (not set) makes
    no order. Revenue 45.00; T2's whole refund returns its 3 units of p3 for 15.00."""
    got = rows(
        built,
        "select order_id, customer_id, channel, order_total, discount_code, ordered_at from marts.fct_orders",
    )
    assert sorted(tuple(r.values()) for r in got) == [
        ("T1", "u1", "paid_search", Decimal("30.00"), None, dt.datetime(2026, 12, 1, 10, 4, 0)),
        ("T2", "c2", "organic_social", Decimal("15.00"), "WELCOME", dt.datetime(2026, 12, 1, 11, 2, 0)),
    ]
    lines = rows(built, "select order_id, product_id, quantity, unit_price from staging.stg_shop__order_items")
    assert sorted(tuple(r.values()) for r in lines) == [
        ("T1", "p1", 1, Decimal("10.00")),
        ("T1", "p2", 1, Decimal("20.00")),
        ("T2", "p3", 3, Decimal("5.00")),
    ]
    (conversion,) = rows(built, "select sum(orders) as orders, sum(revenue) as revenue from marts.kpi_conversion_rate")
    assert (conversion["orders"], conversion["revenue"]) == (2, Decimal("45.00"))
    returns = rows(built, "select order_id, product_id, quantity, refund_amount from staging.stg_shop__returns")
    assert [tuple(r.values()) for r in returns] == [("T2", "p3", 3, Decimal("15.00"))]
    customers = rows(built, "select customer_id, country_code from staging.stg_shop__customers")
    assert sorted(tuple(r.values()) for r in customers) == [("c2", "FRANCE"), ("u1", "SPAIN")]


def test_rejected_rows_with_reasons(built: duckdb.DuckDBPyConnection) -> None:
    """Staging rejects u2's view_item without items and the element without item_id (missing_product_id) and
    the purchase with transaction id (not set) (missing_order_id); the stray file's row is not mapped at all."""
    got = rows(
        built,
        "select rejection_reason, anonymous_id, count(*) as n from staging.stg_shop__events_rejected group by all",
    )
    assert sorted(tuple(r.values()) for r in got) == [("missing_order_id", "u2", 1), ("missing_product_id", "u2", 2)]
    (unmapped,) = rows(
        built, "select export_file, export_table, rejection_reason from staging.stg_ga4__export_rows_rejected"
    )
    assert Path(unmapped["export_file"]).name == "events_backup.parquet"
    assert (unmapped["export_table"], unmapped["rejection_reason"]) == (None, "unknown_export_table")


def test_intraday_delivery_kept_daily_repeat_is_a_duplicate(built: duckdb.DuckDBPyConnection) -> None:
    """The intraday table of 2026-12-01 lands before its daily table: u1's first three events are kept from it,
    and their three daily copies are duplicates."""
    kept = rows(
        built,
        "select loaded_at from staging.stg_shop__events where anonymous_id = 'u1' "
        "and event_ts <= '2026-12-01 10:01:00'",
    )
    assert [r["loaded_at"] for r in kept] == [dt.datetime(2026, 12, 2, 12, 0)] * 3
    duplicates = rows(built, "select loaded_at from staging.stg_shop__events_duplicates")
    assert [r["loaded_at"] for r in duplicates] == [dt.datetime(2026, 12, 3, 0, 0)] * 3


def test_every_export_row_accounted_per_table(built: duckdb.DuckDBPyConnection) -> None:
    """Per export table: its rows (both shards of the daily table together), the raw events they stand for
    (u1's add_to_cart and u2's two-item view_item are two each), and where those raw events went."""
    got = rows(
        built,
        """
        select
            export_table,
            count(*) as export_rows,
            sum(raw_event_count) as raw_events
        from staging.base_ga4__events
        group by export_table
        """,
    )
    assert sorted((r["export_table"] or "", r["export_rows"], r["raw_events"]) for r in got) == [
        ("", 1, 0),
        ("events_20261201", 15, 17),
        ("events_intraday_20261201", 3, 3),
        ("events_intraday_20261202", 3, 3),
    ]
    fates = rows(
        built,
        """
        select loaded_at, 'accepted' as fate, count(*) as n from staging.stg_shop__events group by all
        union all
        select loaded_at, 'duplicate', count(*) from staging.stg_shop__events_duplicates group by all
        union all
        select loaded_at, 'rejected', count(*) from staging.stg_shop__events_rejected group by all
        """,
    )
    assert sorted((r["loaded_at"], r["fate"], r["n"]) for r in fates) == [
        (dt.datetime(2026, 12, 2, 12, 0), "accepted", 3),
        (dt.datetime(2026, 12, 3, 0, 0), "accepted", 11),
        (dt.datetime(2026, 12, 3, 0, 0), "duplicate", 3),
        (dt.datetime(2026, 12, 3, 0, 0), "rejected", 3),
        (dt.datetime(2026, 12, 3, 12, 0), "accepted", 3),
    ]


# --- the demo export of scripts/generate_data.py --format ga4, against the counts its generator knows --------------

GENERATED_EXPORT_ROWS = 3000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, Any]]]:
    """The generator's GA4 export (seed 42), built in the property's time zone (its truth file names it)."""
    workdir = tmp_path_factory.mktemp("ga4-generated")
    truth_path = workdir / "ga4_export" / "ga4_truth.json"

    def write(folder: Path) -> None:
        command = [sys.executable, str(REPO_ROOT / "scripts" / "generate_data.py"), "--format", "ga4", "--out",
                   str(folder), "--events", str(GENERATED_EXPORT_ROWS), "--seed", "42", "--quiet"]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr

    # the generator writes the truth file beside the tables; the zone is read from it before the build
    probe = workdir / "probe"
    write(probe)
    zone = json.loads((probe / "ga4_truth.json").read_text())["property_time_zone"]
    try:
        _, database = build_ga4_pipeline(workdir, write, {"reporting_timezone": zone})
    except DbtFailed as error:
        pytest.fail(f"dbt build failed on the generated GA4 export:\n{error.summary(12_000)}", pytrace=False)
    connection = connect(database)
    yield connection, json.loads(truth_path.read_text())
    connection.close()


def test_generated_export_page_views_sessions_and_orders(
    generated: tuple[duckdb.DuckDBPyConnection, dict[str, Any]],
) -> None:
    """Accepted page_view events = the generator's distinct page_view rows; sessions = its GA4 sessions, per local
    date of the property (its refunds, sent server-side outside any session, make no session); orders and their
    totals = its transactions."""
    connection, truth = generated
    page_views = rows(connection, "select count(*) as n from staging.stg_shop__events where event_name = 'page_view'")
    assert page_views[0]["n"] == truth["page_view_events"]
    per_day = rows(
        connection,
        "select strftime(date_day, '%Y%m%d') as day, count(*) as n from marts.fct_sessions group by all",
    )
    assert {r["day"]: r["n"] for r in per_day} == truth["sessions_per_event_date"]
    orders = rows(connection, "select order_id, order_total from staging.stg_shop__orders")
    assert {r["order_id"]: r["order_total"] for r in orders} == {
        order_id: Decimal(str(round(revenue, 2))) for order_id, revenue in truth["transaction_revenue"].items()
    }
