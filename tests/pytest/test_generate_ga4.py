"""Tests of `generate_data.py --format ga4`: the demo shop as a nested Google Analytics 4 BigQuery export.

The generator runs as a subprocess. Every expectation is recounted here from the Parquet files, with pyarrow or
DuckDB SQL, never read from the generator's internals: the truth file is checked against those recounts, the
quirks against the numbers the generator's documentation states, and the shop against the raw-contract
tables of the same seed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "generate_data.py"
sys.path.insert(0, str(REPO / "scripts"))
from ga4_export_schema import EVENTS_SCHEMA  # noqa: E402

SEED = "7"
EXPORT_ROWS = 20_000
STATED_QUIRKS = {  # the numbers the generator's documentation promises
    "medium_none": 3, "campaign_not_set": 3, "campaign_other": 2, "page_title_data_deleted": 2,
    "purchase_repeated": 2, "purchase_without_transaction_id": 1, "purchase_transaction_id_not_set": 1,
    "user_id_empty_string": 3, "source_medium_on_later_event": 3, "item_without_item_id": 2,
    "view_item_empty_items": 2, "view_item_two_items": 2, "identical_row_repeated": 3,
}
BOT_PATTERN = "bot|crawl|spider|slurp|headless|lighthouse|python-requests|curl|wget"


def generate(out: Path, *args: str) -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--quiet", *args],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def param(key: str, kind: str = "string_value") -> str:
    """SQL for the value of one event param of the current row."""
    return f"list_filter(event_params, lambda p: p.key = '{key}')[1].value.{kind}"


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ga4")
    generate(out, "--format", "ga4", "--events", str(EXPORT_ROWS), "--seed", SEED)
    return out


@pytest.fixture(scope="module")
def truth(export_dir: Path) -> dict:
    return json.loads((export_dir / "ga4_truth.json").read_text())


@pytest.fixture(scope="module")
def db(export_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """rows: every row of every file; daily: rows of the daily tables; events: distinct rows, with key params."""
    con = duckdb.connect()
    con.execute(f"create table rows as select * from read_parquet('{export_dir}/events_*.parquet', filename = true)")
    con.execute("create table daily as select * exclude (filename) from rows where filename not like '%intraday%'")
    con.execute(f"""
        create table events as
        select *, {param('ga_session_id', 'int_value')} as ga_session_id,
               {param('source')} as source_param, {param('medium')} as medium_param,
               {param('campaign')} as campaign_param, {param('page_title')} as page_title
        from (select distinct * exclude (filename) from rows)
    """)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.sql(sql).fetchall()[0][0]


# --------------------------------------------------------------------------------------------------
# Files and schema
# --------------------------------------------------------------------------------------------------


def test_one_daily_table_per_local_date_and_an_intraday_copy_of_the_last(export_dir: Path) -> None:
    names = sorted(p.name for p in export_dir.glob("*.parquet"))
    daily = [n for n in names if re.fullmatch(r"events_\d{8}\.parquet", n)]
    intraday = [n for n in names if re.fullmatch(r"events_intraday_\d{8}\.parquet", n)]
    assert len(daily) + len(intraday) == len(names)
    days = [date(int(n[7:11]), int(n[11:13]), int(n[13:15])) for n in daily]
    assert days == [days[0] + timedelta(d) for d in range(len(days))]  # every date, none missing
    assert days[0] == date(2026, 6, 1)
    assert days[-1] in (date(2026, 8, 29), date(2026, 8, 30))  # Aug 29 after 22:00 UTC is Aug 30 in Madrid
    assert intraday == [f"events_intraday_{days[-1]:%Y%m%d}.parquet"]
    last_daily = pq.read_table(export_dir / daily[-1])
    assert last_daily.num_rows > 0 and last_daily.equals(pq.read_table(export_dir / intraday[0]))


def test_files_have_the_schema_of_the_module(export_dir: Path) -> None:
    for path in export_dir.glob("*.parquet"):
        assert pq.read_schema(path).equals(EVENTS_SCHEMA), path.name
    layout = str(pq.ParquetFile(next(export_dir.glob("events_2*.parquet"))).schema)
    assert "event_params (List)" in layout and "repeated group field_id=-1 list" in layout  # nested, standard LIST


def test_duckdb_reads_lists_and_structs(export_dir: Path) -> None:
    kinds = dict(duckdb.sql(f"describe select * from read_parquet('{export_dir}/events_2*.parquet')")
                 .fetchall()[i][:2] for i in range(len(EVENTS_SCHEMA)))
    assert list(kinds) == EVENTS_SCHEMA.names
    assert kinds["event_params"] == ('STRUCT("key" VARCHAR, "value" STRUCT(string_value VARCHAR, int_value BIGINT, '
                                     'float_value DOUBLE, double_value DOUBLE))[]')
    assert kinds["items"].startswith("STRUCT(item_id VARCHAR, item_name VARCHAR") and kinds["items"].endswith("[]")
    for column in ("device", "geo", "traffic_source", "ecommerce", "session_traffic_source_last_click"):
        assert kinds[column].startswith("STRUCT("), column
    assert (kinds["event_date"], kinds["event_timestamp"], kinds["is_active_user"]) == ("VARCHAR", "BIGINT",
                                                                                       "BOOLEAN")
    unnested = duckdb.sql(f"select count(*) from (select unnest(event_params) as p "
                          f"from read_parquet('{export_dir}/events_2*.parquet')) where p.key = 'page_location'")
    assert unnested.fetchall()[0][0] > 1000


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    for run, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        generate(tmp_path / run, "--format", "ga4", "--events", "4000", "--seed", seed)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len([name for name in files if name.startswith("events_intraday_")]) == 1  # even for a tiny export
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "ga4_truth.json").read_bytes() != (tmp_path / "c" / "ga4_truth.json").read_bytes()


def test_events_sets_the_number_of_export_rows(truth: dict) -> None:
    rows = sum(truth["tables"].values())
    assert abs(rows - EXPORT_ROWS) <= 0.1 * EXPORT_ROWS


# --------------------------------------------------------------------------------------------------
# The truth file agrees with a recount
# --------------------------------------------------------------------------------------------------


def test_truth_table_rows(export_dir: Path, truth: dict) -> None:
    counted = {p.stem: pq.ParquetFile(p).metadata.num_rows for p in export_dir.glob("*.parquet")}
    assert truth["tables"] == counted


def test_truth_sessions(db: duckdb.DuckDBPyConnection, truth: dict) -> None:
    sessions = "select distinct user_pseudo_id, ga_session_id, event_date from events where ga_session_id is not null"
    assert scalar(db, f"select count(distinct (user_pseudo_id, ga_session_id)) from ({sessions})") == truth["sessions"]
    per_date = dict(db.sql(f"select event_date, count(*) from ({sessions}) group by 1").fetchall())
    assert per_date == truth["sessions_per_event_date"]
    crossing = scalar(db, f"select count(*) from (select 1 from ({sessions}) group by user_pseudo_id, ga_session_id "
                          "having count(*) > 1)")
    assert crossing == truth["quirks"]["sessions_crossing_midnight"] and crossing >= 1


def test_truth_event_and_item_counts(db: duckdb.DuckDBPyConnection, truth: dict) -> None:
    assert scalar(db, "select count(*) from events where event_name = 'page_view'") == truth["page_view_events"]
    items = dict(db.sql("select event_name, sum(len(items)) from events group by 1").fetchall())
    assert items["view_item"] == truth["view_item_items"]
    assert items["add_to_cart"] == truth["add_to_cart_items"]
    assert scalar(db, "select count(*) from events where event_name = 'refund'") == truth["refund_events"]


def test_event_key_identifies_an_event(db: duckdb.DuckDBPyConnection) -> None:
    """Distinct rows are distinct events by (user_pseudo_id, event_timestamp, event_name, bundle id)."""
    rows, keys = db.sql("select count(*), count(distinct (user_pseudo_id, event_timestamp, event_name, "
                        "event_bundle_sequence_id)) from events").fetchall()[0]
    assert rows == keys


def test_truth_transactions_and_first_revenue(db: duckdb.DuckDBPyConnection, truth: dict) -> None:
    first = dict(db.sql("""
        select ecommerce.transaction_id, arg_min(ecommerce.purchase_revenue_in_usd, event_timestamp)
        from events
        where event_name = 'purchase' and coalesce(ecommerce.transaction_id, '(not set)') <> '(not set)'
        group by 1
    """).fetchall())
    assert len(first) == truth["transactions"] > 20
    assert first == pytest.approx(truth["transaction_revenue"])


# --------------------------------------------------------------------------------------------------
# Quirks, in the stated numbers
# --------------------------------------------------------------------------------------------------


def test_truth_states_the_documented_quirk_numbers(truth: dict) -> None:
    assert {k: truth["quirks"][k] for k in STATED_QUIRKS} == STATED_QUIRKS


def test_placeholder_values(db: duckdb.DuckDBPyConnection) -> None:
    def sessions(where: str) -> int:
        return scalar(db, f"select count(distinct (user_pseudo_id, ga_session_id)) from events where {where}")

    assert sessions("medium_param = '(none)' and source_param = '(direct)'") == STATED_QUIRKS["medium_none"]
    assert sessions("campaign_param = '(not set)'") == STATED_QUIRKS["campaign_not_set"]
    assert sessions("campaign_param = '<Other>'") == STATED_QUIRKS["campaign_other"]
    assert scalar(db, "select count(*) from events where page_title = '(data deleted)'") == 2
    # GA4's own placeholders elsewhere: first-touch source of direct users, unknown cities.
    assert scalar(db, "select count(*) from events where traffic_source.medium = '(none)'") > 100
    assert scalar(db, "select count(*) from events where geo.city = '(not set)'") > 0


def test_purchase_quirks(db: duckdb.DuckDBPyConnection) -> None:
    repeated = db.sql("""
        select ecommerce.transaction_id, count(*), count(distinct ecommerce.purchase_revenue_in_usd),
               max(event_timestamp) - min(event_timestamp), count(distinct ga_session_id)
        from events where event_name = 'purchase' and ecommerce.transaction_id like 'o-%'
        group by 1 having count(*) > 1
    """).fetchall()
    assert len(repeated) == STATED_QUIRKS["purchase_repeated"]
    assert all(copies == 2 and revenues == 1 and later > 0 and sessions == 1
               for _, copies, revenues, later, sessions in repeated)
    assert scalar(db, "select count(*) from events where event_name = 'purchase' "
                      "and ecommerce.transaction_id is null") == 1
    assert scalar(db, "select count(*) from events where event_name = 'purchase' "
                      "and ecommerce.transaction_id = '(not set)'") == 1


def test_user_ids(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "select count(*) from events where user_id = ''") == STATED_QUIRKS["user_id_empty_string"]
    users, identified = db.sql("select count(distinct user_pseudo_id), count(distinct user_pseudo_id) filter "
                               "(where nullif(user_id, '') is not null) from events").fetchall()[0]
    assert 0 < identified < 0.3 * users  # most users never log in


def test_source_medium_on_a_later_event_than_the_first(db: duckdb.DuckDBPyConnection) -> None:
    late = scalar(db, """
        select count(*) from (
            select user_pseudo_id, ga_session_id,
                   bool_or(source_param is not null) filter (where event_timestamp = first_ts) as on_first,
                   bool_or(source_param is not null) as anywhere
            from (select *, min(event_timestamp) over (partition by user_pseudo_id, ga_session_id) as first_ts
                  from events where ga_session_id is not null)
            group by all
        ) where anywhere and not coalesce(on_first, false)
    """)
    assert late == STATED_QUIRKS["source_medium_on_later_event"]


def test_item_quirks(db: duckdb.DuckDBPyConnection) -> None:
    def count(sql: str) -> int:
        return scalar(db, sql)

    assert count("select count(*) from (select unnest(items) as i from events where event_name = 'view_item') "
                 "where i.item_id is null") == STATED_QUIRKS["item_without_item_id"]
    assert count("select count(*) from events where event_name = 'view_item' and len(items) = 0") == 2
    assert count("select count(*) from events where event_name = 'view_item' and len(items) = 2") == 2
    assert count("select count(*) from events where event_name = 'view_item' and len(items) > 2") == 0


def test_identical_rows_and_intraday_repeats(db: duckdb.DuckDBPyConnection, truth: dict) -> None:
    assert scalar(db, "select count(*) - count(distinct daily) from daily") == STATED_QUIRKS["identical_row_repeated"]
    intraday = scalar(db, "select count(*) from rows where filename like '%intraday%'")
    not_in_daily = scalar(db, "select count(*) from (select * exclude (filename) from rows "
                              "where filename like '%intraday%' except all select * from daily)")
    assert intraday == truth["quirks"]["intraday_rows_repeated_by_daily"] > 0 and not_in_daily == 0


# --------------------------------------------------------------------------------------------------
# The same shop as the raw-contract tables of the same seed
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory, truth: dict) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate(out, "--format", "parquet", "--events", str(truth["shop_events"]), "--seed", SEED)
    return out


def test_same_shop_as_the_raw_contract(db: duckdb.DuckDBPyConnection, raw: Path) -> None:
    db.execute(f"""
        create or replace table raw_human as
        select * from (
            select nullif(trim(event_id), '') as event_id, event_ts, loaded_at, nullif(trim(anonymous_id), '')
                   as anonymous_id, lower(trim(event_name)) as event_name, nullif(trim(product_id), '') as product_id,
                   nullif(trim(order_id), '') as order_id, user_agent
            from read_parquet('{raw}/raw_events/*.parquet')
        )
        where event_id is not null and anonymous_id is not null and event_ts is not null
          and event_name in ('page_view', 'product_view', 'add_to_cart', 'remove_from_cart', 'begin_checkout',
                             'purchase')
          and (event_name not in ('product_view', 'add_to_cart', 'remove_from_cart') or product_id is not null)
          and (event_name <> 'purchase' or order_id is not null)
          and not regexp_matches(lower(user_agent), '{BOT_PATTERN}')
        qualify row_number() over (partition by event_id order by loaded_at) = 1
    """)
    raw_sessions = scalar(db, """
        select sum(starts::int) from (
            select coalesce(event_ts - lag(event_ts) over (partition by anonymous_id order by event_ts, event_id)
                            > interval 30 minute, true) as starts
            from raw_human)
    """)
    ga4_sessions = scalar(db, "select count(distinct (user_pseudo_id, ga_session_id)) from events "
                              "where ga_session_id is not null")
    assert ga4_sessions == raw_sessions > 500  # no bots, same visits, same 30-minute rule

    raw_counts = dict(db.sql("select event_name, count(*) from raw_human group by 1").fetchall())
    assert scalar(db, "select count(*) from events where event_name = 'page_view'") == (
        raw_counts["page_view"] + raw_counts["product_view"])  # a product page is a page
    items = dict(db.sql("select event_name, sum(len(items)) from events group by 1").fetchall())
    assert items["view_item"] == raw_counts["product_view"] + STATED_QUIRKS["view_item_two_items"]
    assert items["add_to_cart"] == raw_counts["add_to_cart"]

    db.execute(f"create or replace table raw_orders as select * from read_parquet('{raw}/raw_orders/*.parquet')")
    compared = db.sql("""
        with ga4 as (
            select ecommerce.transaction_id as order_id,
                   arg_min(ecommerce.purchase_revenue_in_usd, event_timestamp) as revenue
            from events where event_name = 'purchase' and ecommerce.transaction_id like 'o-%' group by 1
        ), web as (select distinct order_id from raw_human where event_name = 'purchase')
        select count(*) filter (where ga4.order_id is not null), count(*) filter (where web.order_id is not null),
               count(*) filter (where ga4.order_id is not null and web.order_id is null),
               count(*) filter (where abs(ga4.revenue - o.order_total::double) > 0.001),
               count(*) filter (where web.order_id is not null and trim(o.status) = 'cancelled'),
               count(*) filter (where ga4.order_id is not null and trim(o.status) = 'cancelled')
        from ga4 full join web using (order_id) left join raw_orders o using (order_id)
    """).fetchall()[0]
    in_ga4, web_orders, unknown_to_shop, revenue_differs, cancelled_web, cancelled_in_ga4 = compared
    broken_ids = STATED_QUIRKS["purchase_without_transaction_id"] + STATED_QUIRKS["purchase_transaction_id_not_set"]
    assert in_ga4 == web_orders - broken_ids and unknown_to_shop == 0 and revenue_differs == 0
    assert cancelled_web >= 1  # true of this seed's shop, so that the next line checks something
    assert cancelled_in_ga4 >= cancelled_web - broken_ids  # GA4 never hears of cancellations
    phone_in_ga4 = scalar(db, """
        select count(*) from raw_orders o
        where o.ordered_at >= '2026-06-01' and trim(o.order_id) in (
            select ecommerce.transaction_id from events where event_name = 'purchase')
          and trim(o.order_id) not in (select order_id from raw_human where event_name = 'purchase')
    """)
    assert phone_in_ga4 == 0
    refunds_of_unknown_orders = scalar(db, f"""
        select count(*) from events
        where event_name = 'refund' and ecommerce.transaction_id not in (
            select trim(order_id) from read_parquet('{raw}/raw_returns/*.parquet'))
    """)
    assert refunds_of_unknown_orders == 0
