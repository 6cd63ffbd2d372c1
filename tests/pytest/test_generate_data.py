"""Tests of scripts/generate_data.py: the command line, determinism, sizes, formats and the data itself.

The generator runs as a subprocess (as users run it). Expectations come from SPEC sections 1-3 and are
computed here, in DuckDB SQL or Python, never read back from the generator's own constants.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "generate_data.py"

SPEC_COLUMNS = {  # SPEC section 1, in order
    "raw_events": ["event_id", "event_ts", "loaded_at", "anonymous_id", "customer_id", "event_name", "page_url",
                   "page_referrer", "utm_source", "utm_medium", "utm_campaign", "product_id", "order_id",
                   "device_category", "user_agent"],
    "raw_orders": ["order_id", "customer_id", "ordered_at", "status", "order_total", "discount_code"],
    "raw_order_items": ["order_id", "product_id", "quantity", "unit_price"],
    "raw_returns": ["return_id", "order_id", "product_id", "quantity", "refund_amount", "returned_at", "reason"],
    "raw_products": ["product_id", "product_name", "category", "list_price"],
    "raw_customers": ["customer_id", "email", "full_name", "country_code", "created_at"],
}
TIMESTAMP_COLUMNS = {"event_ts", "loaded_at", "ordered_at", "returned_at", "created_at"}
MONEY_COLUMNS = {"order_total", "unit_price", "refund_amount", "list_price"}
QUANTITY_COLUMNS = {"quantity"}
BOT_PATTERN = "bot|crawl|spider|slurp|headless|lighthouse|python-requests|curl|wget"  # SPEC 2
SEARCH_ENGINES = ["google.com", "google.es", "google.co.uk", "google.de", "google.fr", "bing.com", "yahoo.com",
                  "duckduckgo.com", "baidu.com", "yandex.ru", "ecosia.org"]
SOCIAL_NETWORKS = ["facebook.com", "instagram.com", "t.co", "twitter.com", "x.com", "linkedin.com", "lnkd.in",
                   "pinterest.com", "tiktok.com", "youtube.com", "reddit.com"]
SOCIAL_SOURCES = ["facebook", "instagram", "twitter", "x", "linkedin", "pinterest", "tiktok", "youtube", "reddit",
                  "meta"]
TEN_MB = 10 * 1024 * 1024


def generate(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the generator into out (quietly); fail the test if it fails."""
    result = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--quiet", *args],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result


def csv_header(path: Path) -> list[str]:
    with path.open() as handle:
        return handle.readline().rstrip("\n").split(",")


def read_csv_sql(path: Path) -> str:
    return f"read_csv('{path}', header = true, all_varchar = true)"


@pytest.fixture(scope="module")
def default_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CSVs of a default run (what the committed seeds are)."""
    out = tmp_path_factory.mktemp("default")
    generate(out)
    return out


@pytest.fixture(scope="module")
def db(default_seeds: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The default data in DuckDB, cleaned per SPEC 2 and sessionised per SPEC 3, as plain SQL views."""
    con = duckdb.connect()
    for table in SPEC_COLUMNS:
        con.execute(f"create table {table} as select * from {read_csv_sql(default_seeds / f'{table}.csv')}")
    con.execute("create macro clean(x) as nullif(trim(x), '')")
    con.execute("create macro host_of(url) as "
                "regexp_replace(lower(regexp_extract(url, '^[a-zA-Z]+://([^/?#:]+)', 1)), '^www\\.', '')")
    con.execute("create macro host_in(h, hosts) as "
                "list_bool_or(list_transform(hosts, lambda x: h = x or ends_with(h, '.' || x)))")
    con.execute("""
        create table events as
        select
            clean(event_id) as event_id, clean(event_ts)::timestamp as event_ts,
            clean(loaded_at)::timestamp as loaded_at, clean(anonymous_id) as anonymous_id,
            clean(customer_id) as customer_id, lower(clean(event_name)) as event_name, page_url,
            clean(page_referrer) as page_referrer, lower(clean(utm_source)) as utm_source,
            lower(clean(utm_medium)) as utm_medium, clean(product_id) as product_id, clean(order_id) as order_id,
            user_agent,
            case
                when clean(event_id) is null then 'missing_event_id'
                when clean(anonymous_id) is null then 'missing_anonymous_id'
                when clean(event_ts) is null then 'missing_event_ts'
                when lower(clean(event_name)) not in ('page_view', 'product_view', 'add_to_cart',
                    'remove_from_cart', 'begin_checkout', 'purchase') then 'unknown_event_name'
                when lower(clean(event_name)) in ('product_view', 'add_to_cart', 'remove_from_cart')
                    and clean(product_id) is null then 'missing_product_id'
                when lower(clean(event_name)) = 'purchase' and clean(order_id) is null then 'missing_order_id'
            end as rejection_reason
        from raw_events
    """)
    con.execute(f"""
        create table human_events as
        select * from events
        where rejection_reason is null and not regexp_matches(lower(user_agent), '{BOT_PATTERN}')
        qualify row_number() over (partition by event_id order by loaded_at) = 1
    """)
    con.execute("""
        create table session_events as
        with flagged as (
            select *, coalesce(event_ts - lag(event_ts) over visitor > interval 30 minute, true) as starts_session
            from human_events
            window visitor as (partition by anonymous_id order by event_ts, event_id)
        )
        select *, sum(starts_session::int) over (partition by anonymous_id order by event_ts, event_id)
            as session_number
        from flagged
    """)
    con.execute(f"""
        create table sessions as
        with summary as (
            select
                anonymous_id, session_number,
                arg_min({{'medium': utm_medium, 'source': utm_source, 'host': host_of(page_referrer)}},
                        (event_ts, event_id)) as first_event,
                bool_or(event_name = 'add_to_cart') as has_add_to_cart,
                bool_or(event_name = 'purchase') as has_purchase
            from session_events
            group by all
        )
        select *, case
            when first_event.medium in ('cpc', 'ppc', 'paid', 'paidsearch', 'paid_search', 'sem') then
                case when first_event.source in {SOCIAL_SOURCES} then '1 paid_social' else '1 paid_search' end
            when first_event.medium in ('paid_social', 'paidsocial', 'social_paid') then '2 paid_social'
            when first_event.medium in ('display', 'banner', 'cpm') then '3 display'
            when first_event.medium in ('email', 'e-mail', 'newsletter') then '4 email'
            when first_event.medium in ('affiliate', 'affiliates') then '5 affiliate'
            when first_event.medium in ('social', 'social-network', 'social-media', 'sm') then '6 organic_social'
            when first_event.medium = 'organic' then '7 organic_search'
            when first_event.medium is not null then '8 other'
            when host_in(first_event.host, {SEARCH_ENGINES}) then '9 organic_search'
            when host_in(first_event.host, {SOCIAL_NETWORKS}) then '10 organic_social'
            when first_event.host is not null and not host_in(first_event.host, ['shop.example.com']) then '11 referral'
            when first_event.host is not null then '12 direct (internal referrer)'
            else '12 direct'
        end as channel_rule
        from summary
    """)
    yield con
    con.close()


# --------------------------------------------------------------------------------------------------
# Command line, determinism, sizes, formats
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--events", "-5"], ["--events", "0"], ["--events", "many"], ["--seed", "-1"],
                                  ["--format", "json"], ["--part-rows", "0"]])
def test_bad_arguments_exit_non_zero_with_one_line(tmp_path: Path, args: list[str]) -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path), *args],
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert args[0].lstrip("-") in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", "--events", "3000")
    generate(tmp_path / "b", "--events", "3000")
    for table in SPEC_COLUMNS:
        assert (tmp_path / "a" / f"{table}.csv").read_bytes() == (tmp_path / "b" / f"{table}.csv").read_bytes()


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", "--events", "3000", "--seed", "1")
    generate(tmp_path / "b", "--events", "3000", "--seed", "2")
    for table in ("raw_events", "raw_orders", "raw_customers"):
        assert (tmp_path / "a" / f"{table}.csv").read_bytes() != (tmp_path / "b" / f"{table}.csv").read_bytes()
    ids = [set(duckdb.sql(f"select event_id from {read_csv_sql(tmp_path / run / 'raw_events.csv')}").fetchall())
           for run in ("a", "b")]
    assert len(ids[0] & ids[1]) < 0.01 * len(ids[0])


@pytest.mark.parametrize("events", [500, 4000, 25000])
def test_events_sets_the_number_of_event_rows(tmp_path: Path, events: int) -> None:
    generate(tmp_path, "--events", str(events))
    rows = duckdb.sql(f"select count(*) from {read_csv_sql(tmp_path / 'raw_events.csv')}").fetchall()[0][0]
    assert abs(rows - events) <= 0.04 * events


def test_other_tables_scale_with_events(tmp_path: Path) -> None:
    generate(tmp_path / "small", "--events", "3000")
    generate(tmp_path / "large", "--events", "30000")
    for table in ("raw_orders", "raw_order_items", "raw_customers"):
        small, large = (duckdb.sql(f"select count(*) from {read_csv_sql(tmp_path / run / f'{table}.csv')}")
                        .fetchall()[0][0] for run in ("small", "large"))
        assert 5 * small < large < 20 * small, table


def test_default_run_is_a_small_shop_under_ten_megabytes(default_seeds: Path, db: duckdb.DuckDBPyConnection) -> None:
    total = sum((default_seeds / f"{table}.csv").stat().st_size for table in SPEC_COLUMNS)
    assert 3 * 1024 * 1024 < total < TEN_MB
    first, last = db.sql("select min(event_ts)::date, max(event_ts)::date from events").fetchall()[0]
    assert (str(first), str(last)) == ("2026-06-01", "2026-08-29")  # a fixed 90 days, not based on today
    assert 150 <= db.sql("select count(*) from raw_products").fetchall()[0][0] <= 250


def test_csv_columns_are_exactly_the_spec_columns(default_seeds: Path) -> None:
    assert sorted(path.name for path in default_seeds.iterdir()) == sorted(f"{t}.csv" for t in SPEC_COLUMNS)
    for table, columns in SPEC_COLUMNS.items():
        assert csv_header(default_seeds / f"{table}.csv") == columns


def test_csv_timestamps_and_money_are_formatted(db: duckdb.DuckDBPyConnection) -> None:
    for table, columns in SPEC_COLUMNS.items():
        for column in columns:
            values = [v for (v,) in db.sql(f"select distinct {column} from {table} where {column} is not null")
                      .fetchall()]
            if column in TIMESTAMP_COLUMNS:
                assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", v) for v in values), (table, column)
            if column in MONEY_COLUMNS:
                assert all(re.fullmatch(r"-?\d+\.\d\d", v) for v in values), (table, column)
            if column in QUANTITY_COLUMNS:
                assert all(re.fullmatch(r"[1-9]\d*", v) for v in values), (table, column)


def test_parquet_parts_stream_with_declared_types(tmp_path: Path) -> None:
    generate(tmp_path, "--format", "parquet", "--events", "12000", "--part-rows", "2500")
    events = sorted((tmp_path / "raw_events").glob("*.parquet"))
    assert [p.name for p in events[:3]] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert len(events) >= 4
    for table, columns in SPEC_COLUMNS.items():
        parts = sorted((tmp_path / table).glob("part-*.parquet"))
        assert parts, table
        schema = pq.read_schema(parts[0])
        assert schema.names == columns
        for name in columns:
            kind = schema.field(name).type
            if name in TIMESTAMP_COLUMNS:
                assert pa.types.is_timestamp(kind) and kind.tz is None, (table, name)
            elif name in MONEY_COLUMNS:
                assert kind == pa.decimal128(12, 2), (table, name)
            elif name in QUANTITY_COLUMNS:
                assert kind in (pa.int32(), pa.int64()), (table, name)
            else:
                assert kind == pa.string(), (table, name)
    rows = duckdb.sql(f"select count(*) from read_parquet('{tmp_path}/raw_events/*.parquet')").fetchall()[0][0]
    assert abs(rows - 12000) <= 0.04 * 12000
    described = dict(duckdb.sql(f"describe select * from read_parquet('{tmp_path}/raw_orders/*.parquet')")
                     .fetchall()[i][:2] for i in range(len(SPEC_COLUMNS["raw_orders"])))
    assert described["ordered_at"] == "TIMESTAMP" and described["order_total"] == "DECIMAL(12,2)"


def test_parquet_and_csv_hold_the_same_rows(tmp_path: Path) -> None:
    generate(tmp_path / "csv", "--events", "3000")
    generate(tmp_path / "pq", "--events", "3000", "--format", "parquet")
    for table in ("raw_events", "raw_orders", "raw_returns"):
        as_text = ", ".join(f"nullif({c}::varchar, '') as {c}" for c in SPEC_COLUMNS[table])
        csv_rows = f"select {as_text} from read_csv('{tmp_path}/csv/{table}.csv', header = true, all_varchar = true)"
        parquet_rows = f"select {as_text} from read_parquet('{tmp_path}/pq/{table}/*.parquet')"
        differ = duckdb.sql(f"select count(*) from (({csv_rows}) except all ({parquet_rows}))").fetchall()[0][0]
        total = duckdb.sql(f"select count(*) from ({csv_rows})").fetchall()[0][0]
        assert total > 0 and differ == 0, table


# --------------------------------------------------------------------------------------------------
# The faults of real pipelines (default data)
# --------------------------------------------------------------------------------------------------


def test_duplicate_deliveries_repeat_the_payload_and_land_later(db: duckdb.DuckDBPyConnection) -> None:
    payload = ", ".join(c for c in SPEC_COLUMNS["raw_events"] if c not in ("event_id", "loaded_at"))
    groups = db.sql(f"""
        select event_id, count(*) as copies, count(distinct ({payload})) as payloads,
               count(distinct loaded_at) as loads
        from raw_events where event_id is not null group by event_id having count(*) > 1
    """).fetchall()
    assert len(groups) >= 50
    assert all(payloads == 1 and loads == copies for _, copies, payloads, loads in groups)


def test_late_events_land_days_later_but_most_within_minutes(db: duckdb.DuckDBPyConnection) -> None:
    late, median_minutes = db.sql("""
        with first_delivery as (  -- a later duplicate delivery is not a late event
            select event_id, min(event_ts) as event_ts, min(loaded_at) as loaded_at
            from events where event_ts is not null and event_id is not null group by 1
        )
        select count(*) filter (where loaded_at - event_ts > interval 1 day),
               median(epoch(loaded_at - event_ts)) / 60
        from first_delivery
    """).fetchall()[0]
    assert late >= 20
    assert 0 < median_minutes < 60


def test_bot_traffic_is_present(db: duckdb.DuckDBPyConnection) -> None:
    agents = [ua for (ua,) in db.sql("select distinct user_agent from raw_events").fetchall()]
    for marker in ("Googlebot", "AhrefsBot", "HeadlessChrome", "python-requests", "curl/", "Lighthouse"):
        assert any(marker in ua for ua in agents), marker
    share = db.sql(f"select avg(regexp_matches(lower(user_agent), '{BOT_PATTERN}')::int) from raw_events")
    assert 0.02 < share.fetchall()[0][0] < 0.15


def test_every_rejection_reason_occurs(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(db.sql("select rejection_reason, count(*) from events where rejection_reason is not null "
                         "group by 1").fetchall())
    for reason in ("missing_event_id", "missing_anonymous_id", "missing_event_ts", "unknown_event_name",
                   "missing_product_id", "missing_order_id"):
        assert counts.get(reason, 0) >= 3, reason
    assert sum(counts.values()) < 0.02 * db.sql("select count(*) from events").fetchall()[0][0]


def test_returns_naming_unknown_orders(db: duckdb.DuckDBPyConnection) -> None:
    unknown, known = db.sql("""
        select count(*) filter (where o.order_id is null), count(*) filter (where o.order_id is not null)
        from raw_returns r left join raw_orders o on trim(r.order_id) = trim(o.order_id)
    """).fetchall()[0]
    assert unknown >= 3
    assert known > 5 * unknown


def test_cancelled_phone_and_discounted_orders(db: duckdb.DuckDBPyConnection) -> None:
    statuses = dict(db.sql("select trim(status), count(*) from raw_orders group by 1").fetchall())
    assert set(statuses) == {"placed", "shipped", "delivered", "cancelled"}
    phone = db.sql("""
        select count(*) from raw_orders o
        where o.ordered_at::timestamp >= '2026-06-01'
          and not exists (select 1 from events e where e.order_id = trim(o.order_id))
    """).fetchall()[0][0]
    assert phone >= 3
    assert db.sql("select count(*) from raw_orders where clean(discount_code) is not null").fetchall()[0][0] >= 10


def test_visitors_log_in_mid_visit(db: duckdb.DuckDBPyConnection) -> None:
    logins = db.sql("""
        select count(*) from (
            select customer_id, lag(customer_id) over visit as previous_customer,
                   event_ts - lag(event_ts) over visit as gap
            from human_events window visit as (partition by anonymous_id order by event_ts, event_id)
        ) where customer_id is not null and previous_customer is null and gap <= interval 30 minute
    """).fetchall()[0][0]
    assert logins >= 20


def test_stray_case_and_blank_text(db: duckdb.DuckDBPyConnection) -> None:
    def count(where: str) -> int:
        return db.sql(f"select count(*) from raw_events where {where}").fetchall()[0][0]

    assert count("utm_medium <> lower(trim(utm_medium))") >= 5  # e.g. ' CPC ', 'Email'
    assert count("utm_source <> lower(utm_source)") >= 5  # e.g. 'Google'
    assert count("utm_medium is not null and trim(utm_medium) = ''") >= 1  # blank tag
    assert count("event_name <> lower(trim(event_name))") >= 20  # e.g. 'Page_View'
    assert count("device_category <> lower(trim(device_category))") >= 20  # e.g. 'Mobile '


def test_pages_referrers_and_products_look_like_a_shop(db: duckdb.DuckDBPyConnection) -> None:
    def count(where: str) -> int:
        return db.sql(f"select count(*) from events where {where}").fetchall()[0][0]

    for path in ("/", "/cart", "/checkout"):
        assert count(f"page_url = 'https://shop.example.com{path}'") > 0, path
    assert count("page_url like 'https://shop.example.com/category/%'") > 0
    assert count("page_url like '%?%'") > 0 and count("page_url like '%#%'") > 0
    assert count("page_referrer is null") > 0
    for host in ("google.com", "google.es", "bing.com", "facebook.com", "t.co", "instagram.com"):
        assert count(f"host_of(page_referrer) = '{host}' or ends_with(host_of(page_referrer), '.{host}')") > 0, host
    # A product page's product_view carries that page's product; purchases carry no product.
    mismatched = count("event_name = 'product_view' and page_url like '%/products/%' and rejection_reason is null "
                       "and regexp_extract(page_url, '/products/([^?#]+)', 1) <> product_id")
    assert mismatched == 0
    assert count("event_name = 'purchase' and order_id is not null and product_id is not null") == 0


def test_every_channel_rule_occurs(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(db.sql("select channel_rule, count(*) from sessions group by 1").fetchall())
    expected = ["1 paid_search", "1 paid_social", "2 paid_social", "3 display", "4 email", "5 affiliate",
                "6 organic_social", "7 organic_search", "8 other", "9 organic_search", "10 organic_social",
                "11 referral", "12 direct", "12 direct (internal referrer)"]
    for rule in expected:
        assert counts.get(rule, 0) >= 3, (rule, counts)


def test_funnel_rates_are_realistic(db: duckdb.DuckDBPyConnection) -> None:
    conversion, abandonment = db.sql("""
        select avg(has_purchase::int),
               count(*) filter (where has_add_to_cart and not has_purchase) / count(*) filter (where has_add_to_cart)
        from sessions
    """).fetchall()[0]
    assert 0.015 <= conversion <= 0.04
    assert 0.60 <= abandonment <= 0.80


# --------------------------------------------------------------------------------------------------
# Referential consistency (default data)
# --------------------------------------------------------------------------------------------------


def test_purchase_events_match_their_orders(db: duckdb.DuckDBPyConnection) -> None:
    purchases, matched, same_customer, seconds_after = db.sql("""
        select count(*), count(o.order_id), count(*) filter (where trim(o.customer_id) = p.customer_id),
               max(epoch(o.ordered_at::timestamp - p.event_ts))
        from (select order_id, customer_id, min(event_ts) as event_ts from events
              where rejection_reason is null and event_name = 'purchase' group by all) p
        left join raw_orders o on trim(o.order_id) = p.order_id
    """).fetchall()[0]
    assert purchases >= 50
    assert matched == purchases == same_customer
    assert 0 < seconds_after <= 60


def test_order_items_belong_to_orders_and_add_up(db: duckdb.DuckDBPyConnection) -> None:
    orphans = db.sql("select count(*) from raw_order_items i anti join raw_orders o using (order_id)")
    assert orphans.fetchall()[0][0] == 0
    rows = db.sql("""
        select o.order_id, o.order_total::decimal(12, 2), clean(o.discount_code),
               sum(i.quantity::int * i.unit_price::decimal(12, 2)), count(i.order_id)
        from raw_orders o left join raw_order_items i using (order_id) group by all
    """).fetchall()
    assert len(rows) >= 200
    for order_id, total, code, subtotal, lines in rows:
        assert lines >= 1, order_id
        if code is None:
            assert total == subtotal, order_id
        else:
            assert 0 < subtotal - total <= subtotal / 4, order_id  # codes take 10-20 % off
    items_per_order = db.sql("select count(*), count(distinct (order_id, product_id)) from raw_order_items")
    assert len(set(items_per_order.fetchall()[0])) == 1  # one line per product and order


def test_ids_point_to_existing_rows(db: duckdb.DuckDBPyConnection) -> None:
    def orphans(sql: str) -> int:
        return db.sql(sql).fetchall()[0][0]

    assert orphans("select count(*) from raw_orders o anti join raw_customers c using (customer_id)") == 0
    assert orphans("select count(*) from events e anti join raw_customers c using (customer_id) "
                   "where e.customer_id is not null") == 0
    assert orphans("select count(*) from events e anti join raw_products p using (product_id) "
                   "where e.product_id is not null") == 0
    assert orphans("select count(*) from raw_order_items i anti join raw_products p using (product_id)") == 0
    assert orphans("""select count(*) from raw_orders o join raw_customers c using (customer_id)
                      where c.created_at::timestamp > o.ordered_at::timestamp""") == 0
    for table, key in (("raw_orders", "order_id"), ("raw_customers", "customer_id"), ("raw_products", "product_id"),
                       ("raw_returns", "return_id")):
        assert orphans(f"select count(*) - count(distinct {key}) from {table}") == 0, table


def test_returns_follow_their_orders_within_weeks(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.sql("""
        select r.return_id, epoch(r.returned_at::timestamp - o.ordered_at::timestamp) / 86400 as days,
               trim(o.status), r.refund_amount::decimal(12, 2), r.quantity::int, i.quantity::int,
               i.unit_price::decimal(12, 2), r.returned_at::timestamp
        from raw_returns r
        join raw_orders o using (order_id)
        left join raw_order_items i on i.order_id = r.order_id and i.product_id = r.product_id
    """).fetchall()
    assert len(rows) >= 20
    last_day = db.sql("select max(event_ts) from events").fetchall()[0][0]
    for return_id, days, status, refund, quantity, bought, price, returned_at in rows:
        assert 0 < days <= 60 and status != "cancelled", return_id
        assert bought is not None and 1 <= quantity <= bought, return_id
        assert 0 < refund <= quantity * price, return_id
        assert returned_at.date() <= last_day.date(), return_id


def test_repeat_customers_buy_again_through_several_paths(db: duckdb.DuckDBPyConnection) -> None:
    """Some repeat within 90 days organically without a code, some through paid or with a code, some later."""
    organic = "'9 organic_search', '10 organic_social', '11 referral', '12 direct', '12 direct (internal referrer)'"
    db.execute(f"""
        create or replace temp table repeat_orders as
        with attributed as (
            select o.order_id, trim(o.customer_id) as customer_id, o.ordered_at::timestamp as ordered_at,
                   clean(o.discount_code) as code, s.channel_rule
            from raw_orders o
            left join (
                select order_id, arg_min((anonymous_id, session_number), (event_ts, event_id)) as session_key
                from session_events where event_name = 'purchase' group by 1
            ) p on p.order_id = trim(o.order_id)
            left join sessions s on (s.anonymous_id, s.session_number) = p.session_key
            where trim(o.status) <> 'cancelled'
        ), numbered as (
            select *, row_number() over customer as sequence, min(ordered_at) over customer as first_at
            from attributed window customer as (partition by customer_id order by ordered_at, order_id)
        )
        select *, ordered_at <= first_at + interval 90 day as within_90_days,
               coalesce(channel_rule in ({organic}), false) and code is null as is_organic
        from numbered where sequence >= 2
    """)
    organic_count, pushed, later = db.sql("""
        select count(distinct customer_id) filter (where within_90_days and is_organic),
               count(distinct customer_id) filter (where within_90_days and not is_organic),
               count(distinct customer_id) filter (where not within_90_days)
        from repeat_orders
    """).fetchall()[0]
    assert organic_count >= 5 and pushed >= 5 and later >= 2
