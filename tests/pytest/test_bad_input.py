"""Bad input (issue 7): each case of the issue fed to a full `dbt build`, in seed and in Parquet mode.

Either the bad rows are kept aside with their reason (queryable in the stg_shop__<table>_rejected models, and
raw = accepted + duplicates + rejected still holds for every raw table and load), or the build stops with a
message that names the table, the column and the problem. The decision for each case is documented in
docs/decisions.md ("Bad input"); the rows and their expected outcomes are in tests/pytest/scenarios/bad_input.py.

The cases share as few builds as possible: one messy dataset per mode, an empty and a one-row dataset, and a
dataset with a renamed and a missing column (the only case that must stop the build). Seed files that cannot be
loaded at all (not UTF-8, empty, rows of the wrong width, a line too long) share one `dbt seed`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pipeline import (
    ARROW_TYPES,
    RAW_COLUMNS,
    Mode,
    arrow_value,
    connect,
    copy_project,
    dbt_environment,
    dbt_executable,
    fetch_dicts,
    run_dbt,
    write_raw_data,
)
from scenarios import KPI_COLUMNS, KPI_GRAINS
from scenarios import bad_input as cases
from scenarios.bad_input import ACCEPTED, DUPLICATE, BadInputScenario, RawTable

MODES: tuple[Mode, ...] = ("seeds", "parquet")
MAX_OUTPUT_CHARS = 12_000


@dataclass
class Build:
    """What one `dbt build` left behind."""

    scenario: str
    mode: Mode
    returncode: int
    output: str
    database: Path
    project_dir: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        return connect(self.database)

    def run_results(self) -> dict[str, dict[str, Any]]:
        """run_results.json by node name (tests by their name, models by theirs)."""
        results = json.loads((self.project_dir / "target" / "run_results.json").read_text(encoding="utf-8"))
        return {result["unique_id"].split(".")[2]: result for result in results["results"]}

    def tail(self) -> str:
        return self.output[-MAX_OUTPUT_CHARS:]


# ---------------------------------------------------------------------------------------------------------
# Writing raw tables as delivered: any columns, text cells.
# ---------------------------------------------------------------------------------------------------------


def columns_of(table: str, raw: RawTable) -> list[str]:
    return list(raw.columns) if raw.columns is not None else [name for name, _ in RAW_COLUMNS[table]]


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, str | None]]) -> None:
    """A CSV as a shop export writes it: header, then cells; NULL is an empty cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(name) is None else row.get(name) for name in columns])


def parquet_column(table: str, name: str, cells: Sequence[str | None]) -> pa.Array:
    """A column in its SPEC 1 type when every cell converts to it; as text otherwise (a producer writing text),
    which is how an unparseable value can reach the project in Parquet."""
    kind = dict(RAW_COLUMNS[table]).get(name, "string")
    if kind != "string":
        try:
            return pa.array([arrow_value(cell, kind) for cell in cells], type=ARROW_TYPES[kind])
        except (ValueError, ArithmeticError):
            pass
    return pa.array(list(cells), type=pa.string())


def write_raw(project_dir: Path, scenario: BadInputScenario, mode: Mode) -> dict[str, Any]:
    """Write the scenario's raw tables for `mode`; return the vars pointing the project at them. In Parquet mode
    the raw seeds hold their header only, so a model that read a seed instead would see no rows."""
    for table in RAW_COLUMNS:
        raw = scenario.tables.get(table, RawTable(()))
        rows = [row.values for row in raw.rows]
        seed = project_dir / "seeds" / f"{table}.csv"
        if mode == "seeds":
            write_csv(seed, columns_of(table, raw), rows)
            continue
        write_csv(seed, [name for name, _ in RAW_COLUMNS[table]], [])
        arrays = {name: parquet_column(table, name, [row.get(name) for row in rows]) for name in columns_of(table, raw)}
        path = project_dir / "raw" / table / "part-0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(arrays), path)
    return {"raw_data_path": str(project_dir / "raw")} if mode == "parquet" else {}


def run_build(workdir: Path, scenario: BadInputScenario, mode: Mode) -> Build:
    project_dir = workdir / "project"
    copy_project(project_dir)
    dbt_vars = {**write_raw(project_dir, scenario, mode), **scenario.dbt_vars}
    database = workdir / "pipeline.duckdb"
    result = run_dbt(project_dir, database, ["build", "--exclude", "test_type:unit"], dbt_vars)
    return Build(scenario.name, mode, result.returncode, result.stdout + result.stderr, database, project_dir)


GetBuild = Callable[[BadInputScenario, Mode], Build]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GetBuild]:
    """(scenario, mode) -> its build, each run once per module, on first use."""
    builds: dict[tuple[str, Mode], Build] = {}

    def get(scenario: BadInputScenario, mode: Mode) -> Build:
        key = (scenario.name, mode)
        if key not in builds:
            builds[key] = run_build(tmp_path_factory.mktemp(f"bad-input-{scenario.name}-{mode}"), scenario, mode)
        return builds[key]

    yield get


@pytest.fixture(scope="module")
def succeeded(build: GetBuild) -> Iterator[Callable[[BadInputScenario, Mode], duckdb.DuckDBPyConnection]]:
    """(scenario, mode) -> a read-only connection to a build that must have succeeded."""
    connections: dict[tuple[str, Mode], duckdb.DuckDBPyConnection] = {}

    def get(scenario: BadInputScenario, mode: Mode) -> duckdb.DuckDBPyConnection:
        result = build(scenario, mode)
        if result.returncode != 0:
            pytest.fail(f"dbt build failed for {scenario.name} in {mode} mode:\n{result.tail()}", pytrace=False)
        key = (scenario.name, mode)
        if key not in connections:
            connections[key] = result.connect()
        return connections[key]

    yield get
    for connection in connections.values():
        connection.close()


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def comparable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = connection.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


def as_of_date(connection: duckdb.DuckDBPyConnection) -> str | None:
    return comparable(scalar(connection, "select as_of_date from intermediate.int_as_of_date"))


def mart_rows(connection: duckdb.DuckDBPyConnection, mart: str) -> list[tuple[Any, ...]]:
    columns = KPI_COLUMNS[mart]
    rows = fetch_dicts(connection, f"select {', '.join(columns)} from marts.{mart}")
    width = len(KPI_GRAINS[mart])
    return sorted((tuple(comparable(row[name]) for name in columns) for row in rows), key=lambda r: str(r[:width]))


def assert_rows(actual: Sequence[tuple[Any, ...]], expected: Sequence[tuple[Any, ...]], what: str) -> None:
    expected = sorted(expected, key=str)
    actual = sorted(actual, key=str)
    assert len(actual) == len(expected) and all(
        got == pytest.approx(want) for got, want in zip(actual, expected, strict=True)
    ), f"{what}:\n  got      {actual}\n  expected {expected}"


def load_of(table: str, values: Mapping[str, str | None]) -> str | None:
    """The load of a raw row: the UTC date of loaded_at for events, the whole snapshot (None) elsewhere."""
    if table != "raw_events" or values.get("loaded_at") is None:
        return None
    return str(values["loaded_at"])[:10]


def expected_counts(scenario: BadInputScenario, table: str) -> dict[str | None, Counter[str]]:
    """Per load: how many raw rows end accepted, duplicate or rejected."""
    counts: dict[str | None, Counter[str]] = {}
    for row in scenario.tables[table].rows:
        kind = row.outcome if row.outcome in (ACCEPTED, DUPLICATE) else "rejected"
        counts.setdefault(load_of(table, row.values), Counter())[kind] += 1
    return counts


# ---------------------------------------------------------------------------------------------------------
# The messy dataset: every case that keeps bad rows aside, in both modes
# ---------------------------------------------------------------------------------------------------------

TABLES_WITH_REJECTIONS = list(cases.REJECTED_MODELS)  # all six raw tables


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("table", TABLES_WITH_REJECTIONS)
def test_every_bad_row_is_kept_aside_with_its_reason(succeeded: Any, mode: Mode, table: str) -> None:
    model, keys = cases.REJECTED_MODELS[table]
    rows = succeeded(cases.MESSY, mode).execute(f"select {', '.join(keys)}, rejection_reason from staging.{model}")
    actual = Counter(tuple(row) for row in rows.fetchall())
    expected = Counter(
        (*(cases.clean(row.values.get(key)) for key in keys), row.outcome)
        for row in cases.MESSY.tables[table].rows
        if row.outcome not in (ACCEPTED, DUPLICATE)
    )
    assert actual == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("table", TABLES_WITH_REJECTIONS)
def test_nothing_is_lost(succeeded: Any, mode: Mode, table: str) -> None:
    # raw = accepted + duplicates + rejected, for every load, with the split the outcomes of the rows say.
    connection = succeeded(cases.MESSY, mode)
    is_events = table == "raw_events"
    load = "cast(loaded_at as date)" if is_events else "cast(null as date)"
    splits = {"accepted": cases.ACCEPTED_MODELS[table], "rejected": cases.REJECTED_MODELS[table][0]}
    if is_events:
        splits["duplicate"] = "stg_shop__events_duplicates"
    actual: dict[str | None, Counter[str]] = {}
    for kind, model in splits.items():
        for day, count in connection.execute(f"select {load}, count(*) from staging.{model} group by 1").fetchall():
            actual.setdefault(comparable(day), Counter())[kind] = count
    expected = expected_counts(cases.MESSY, table)
    assert {day: +counts for day, counts in actual.items()} == expected
    raw_rows = len(cases.MESSY.tables[table].rows)
    assert sum(sum(counts.values()) for counts in actual.values()) == raw_rows


@pytest.mark.parametrize("mode", MODES)
def test_identity_tests_pass_and_the_rejection_rate_warns_per_table_and_load(build: GetBuild, mode: Mode) -> None:
    result = build(cases.MESSY, mode)
    results = result.run_results()
    assert results["assert_events_accounting_identity"]["status"] == "pass"
    assert results["assert_raw_tables_accounting_identity"]["status"] == "pass"
    # Every (table, load) above 5 % rejected, from the outcomes of the rows.
    high = sorted(
        (table, load)
        for table in TABLES_WITH_REJECTIONS
        for load, counts in expected_counts(cases.MESSY, table).items()
        if counts["rejected"] / sum(counts.values()) > 0.05
    )
    assert len(high) == 8, high  # events (three loads), orders, order items, returns, products, customers
    rate_test = results["assert_rejection_rate_below_threshold"]
    assert (rate_test["status"], rate_test["failures"]) == ("warn", len(high))
    for table, load in high:
        where = f", load of {load}" if load else " (the whole snapshot)"
        assert f"Rejection rate above 5.0%: {table}{where}" in result.output, (table, load)


@pytest.mark.parametrize("mode", MODES)
def test_extra_columns_are_ignored_with_a_warning(build: GetBuild, succeeded: Any, mode: Mode) -> None:
    connection = succeeded(cases.MESSY, mode)
    output = build(cases.MESSY, mode).output
    for table, column in (("raw_events", cases.EXTRA_EVENT_COLUMN), ("raw_orders", cases.EXTRA_ORDER_COLUMN)):
        assert f"has columns the contract does not know, ignored: {column}" in output, table
        assert f"Raw table {table} (" in output
    # ...and they reach no model.
    leaked = scalar(
        connection,
        "select count(*) from information_schema.columns where column_name in ('ip_address', 'coupon_note') "
        "and table_schema not in ('raw')",
    )
    assert leaked == 0


@pytest.mark.parametrize("mode", MODES)
def test_marts_count_only_the_accepted_rows(succeeded: Any, mode: Mode) -> None:
    connection = succeeded(cases.MESSY, mode)
    assert as_of_date(connection) == cases.MESSY_AS_OF_DATE
    channels = dict(connection.execute("select order_id, channel from marts.fct_orders").fetchall())
    assert channels == cases.MESSY_ORDER_CHANNELS
    assert_rows(mart_rows(connection, "kpi_return_rate"), cases.MESSY_RETURN_RATE, "kpi_return_rate")


@pytest.mark.parametrize("mode", MODES)
def test_strings_are_data(succeeded: Any, mode: Mode) -> None:
    # Quotes and SQL in campaign tags, unicode and emoji, very long values, URLs without scheme or with odd
    # ports: kept as they are, parsed as URLs, never executed.
    connection = succeeded(cases.MESSY, mode)
    assert_rows(mart_rows(connection, "kpi_referral_sources"), cases.MESSY_REFERRAL_SOURCES, "kpi_referral_sources")
    assert_rows(mart_rows(connection, "kpi_exit_pages"), cases.MESSY_EXIT_PAGES, "kpi_exit_pages")
    campaigns = connection.execute("select distinct utm_campaign from marts.fct_sessions").fetchall()
    assert sorted(campaigns, key=str) == sorted([(cases.SQL_CAMPAIGN,), (None,)], key=str)
    names = dict(connection.execute("select product_id, product_name from marts.dim_products").fetchall())
    assert names == {
        "p1": cases.PRODUCT_NAME_EMOJI, "p2": "Rain Jacket ☔", "p3": cases.LONG_PRODUCT_NAME, "p6": "Twice"
    }
    assert scalar(connection, "select count(*) from marts.fct_orders") == len(cases.MESSY_ORDER_CHANNELS)


@pytest.mark.parametrize("mode", MODES)
def test_purchase_events_of_unknown_orders_are_kept_and_reported(
    build: GetBuild, succeeded: Any, mode: Mode
) -> None:
    connection = succeeded(cases.MESSY, mode)
    warning = build(cases.MESSY, mode).run_results()["assert_purchase_events_name_known_orders"]
    assert (warning["status"], warning["failures"]) == ("warn", cases.MESSY_PURCHASES_OF_UNKNOWN_ORDERS)
    purchases = dict(
        connection.execute("select event_id, order_id from staging.stg_shop__events where event_name = 'purchase'")
        .fetchall()
    )
    assert purchases == {"e03": "o1", "e04": "o-ghost", "e07": "o2"}


@pytest.mark.parametrize("mode", MODES)
def test_conflicting_copies_of_an_event_are_flagged(build: GetBuild, succeeded: Any, mode: Mode) -> None:
    connection = succeeded(cases.MESSY, mode)
    flagged = connection.execute(
        "select event_id, delivery_number from staging.stg_shop__events_duplicates where is_conflicting"
    ).fetchall()
    assert set(flagged) == cases.MESSY_CONFLICTING_COPIES
    # the earliest delivery is the one kept
    assert scalar(connection, "select event_name from staging.stg_shop__events where event_id = 'e08'") == "page_view"
    warning = build(cases.MESSY, mode).run_results()["assert_event_copies_agree"]
    assert (warning["status"], warning["failures"]) == ("warn", len(cases.MESSY_CONFLICTING_COPIES))


@pytest.mark.parametrize("mode", MODES)
def test_offsets_whitespace_and_null_markers(succeeded: Any, mode: Mode) -> None:
    # An offset is converted to UTC in every timestamp column, loaded_at included: the delivery of e01 stamped
    # 11:00+02:00 (09:00 UTC) is the earliest and is kept. Tabs and no-break spaces are trimmed; `\N` is NULL.
    connection = succeeded(cases.MESSY, mode)
    events = {row["event_id"]: row for row in fetch_dicts(
        connection, "select event_id, event_ts, loaded_at, customer_id, device_category from staging.stg_shop__events")}
    assert events["e01"]["loaded_at"] == dt.datetime(2024, 3, 1, 9, 0)
    assert events["e02"]["event_ts"] == dt.datetime(2024, 3, 1, 10, 1)
    assert (events["e05"]["customer_id"], events["e05"]["device_category"]) == (None, "mobile")
    assert scalar(connection, "select ordered_at from staging.stg_shop__orders where order_id = 'o3'") == dt.datetime(
        2024, 3, 1, 11, 30)


@pytest.mark.parametrize("mode", MODES)
def test_rejected_rows_keep_the_raw_text(succeeded: Any, mode: Mode) -> None:
    connection = succeeded(cases.MESSY, mode)
    assert scalar(connection, "select order_total_raw from staging.stg_shop__orders_rejected where order_id = 'o6'"
                  ) == cases.UNPARSEABLE_TOTAL
    assert scalar(connection, "select event_ts_raw from staging.stg_shop__events_rejected where event_id = 'x03'"
                  ) == cases.UNPARSEABLE_EVENT_TS
    quantities = {raw for (raw,) in connection.execute(
        "select quantity_raw from staging.stg_shop__order_items_rejected").fetchall()}
    assert cases.ALMOST_WHOLE_QUANTITY in quantities
    # accepted rows carry no raw text
    assert scalar(connection, "select count(event_ts_raw) from staging.base_shop__events where rejection_reason is null"
                  ) == 0


def test_messy_seed_and_parquet_modes_agree(succeeded: Any) -> None:
    for mart in KPI_COLUMNS:
        query = f"select * from marts.{mart} order by all"
        from_seeds = fetch_dicts(succeeded(cases.MESSY, "seeds"), query)
        assert fetch_dicts(succeeded(cases.MESSY, "parquet"), query) == from_seeds, mart


# ---------------------------------------------------------------------------------------------------------
# Empty tables and tables of one row
# ---------------------------------------------------------------------------------------------------------

CORE_MARTS = ("fct_sessions", "fct_orders", "dim_products", "dim_customers")


@pytest.mark.parametrize("mode", MODES)
def test_empty_raw_tables_build_empty_marts(build: GetBuild, succeeded: Any, mode: Mode) -> None:
    connection = succeeded(cases.EMPTY, mode)
    for mart in (*KPI_COLUMNS, *CORE_MARTS):
        assert scalar(connection, f"select count(*) from marts.{mart}") == 0, mart
    # No dated row at all: the reporting date is the build's date, so the deadlines still count down.
    assert as_of_date(connection) == dt.datetime.now(dt.UTC).date().isoformat()
    # The scorecard keeps a row per KPI, with no value and not met; nothing divided by zero.
    scorecard = connection.execute("select count(*), count(actual_value), count(*) filter (where status = 'met') "
                                   "from marts.kpi_scorecard").fetchone()
    assert scorecard == (len(KPI_COLUMNS), 0, 0)
    assert "division" not in build(cases.EMPTY, mode).output.lower()


def test_one_row_per_raw_table(succeeded: Any) -> None:
    connection = succeeded(cases.ONE_ROW, "seeds")
    assert as_of_date(connection) == cases.ONE_ROW_AS_OF_DATE
    for mart, expected in cases.ONE_ROW_MARTS.items():
        assert_rows(mart_rows(connection, mart), expected, mart)


# ---------------------------------------------------------------------------------------------------------
# A renamed and a missing column: the build stops, naming table and column
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_missing_or_renamed_column_stops_the_build_naming_table_and_column(build: GetBuild, mode: Mode) -> None:
    result = build(cases.BROKEN_COLUMNS, mode)
    assert result.returncode != 0, result.tail()
    place = "seeds/{}.csv" if mode == "seeds" else str(result.project_dir / "raw") + "/{}/*.parquet"
    output = " ".join(result.output.split())  # dbt wraps long messages
    renamed = (f"Raw table raw_orders ({place.format('raw_orders')}) does not match its contract: "
               f'column "ordered_at" is missing. It has columns the contract does not know: {cases.RENAMED_TO} '
               "(renamed?).")
    missing = (f"Raw table raw_products ({place.format('raw_products')}) does not match its contract: "
               'column "list_price" is missing.')
    assert renamed in output, result.tail()
    assert missing in output, result.tail()
    # loaded_at, the loader's stamp, must be a timestamp: the seed refuses the value, naming file, line, column
    # and value; in Parquet the contract refuses the column's type.
    if mode == "seeds":
        unreadable = (f'Error when converting column "loaded_at". Could not convert string "{cases.BAD_LOADED_AT}" '
                      "to 'TIMESTAMP WITH TIME ZONE'")
    else:
        unreadable = (f"Raw table raw_events ({place.format('raw_events')}) does not match its contract: "
                      'column "loaded_at" must be a timestamp (with or without time zone), got varchar.')
    assert unreadable in output, result.tail()
    # Every node that failed failed with one of those messages, never with a bare database error...
    failed = {name: node for name, node in result.run_results().items() if node["status"] == "error"}
    expected_failures = {"base_shop__orders", "base_shop__products"}
    expected_failures.add("raw_events" if mode == "seeds" else "base_shop__events")
    assert set(failed) == expected_failures
    for name, node in failed.items():
        message = " ".join(node["message"].split())
        assert "does not match its contract" in message or unreadable in message, (name, message)
    assert "Binder Error" not in result.output
    # ...and no mart was built from the broken tables.
    with result.connect() as connection:
        built = {name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    assert not built & {"fct_orders", "fct_sessions", "dim_products", "kpi_return_rate", "kpi_scorecard"}, built


# ---------------------------------------------------------------------------------------------------------
# Seed files that cannot be loaded: the seed stops naming file, line and the fix, never a traceback
# ---------------------------------------------------------------------------------------------------------

LATIN1_LINE = 60_002  # past 1 MB, where dbt's parser no longer reads the file (smaller ones: check_seed_encoding)
LONG_CELL = "x" * 1_000_000  # beyond Python csv's 131,072-character field limit


@pytest.fixture(scope="module")
def bad_seed_files(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One `dbt seed` on raw seeds that are each broken in another way, but raw_customers, which must load."""
    workdir = tmp_path_factory.mktemp("bad-seed-files")
    project_dir = workdir / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, {}, "seeds")
    seeds = project_dir / "seeds"
    (seeds / "raw_returns.csv").write_bytes(b"")
    columns = [name for name, _ in RAW_COLUMNS["raw_events"]]
    (seeds / "raw_events.csv").write_text(
        ",".join(columns) + "\n" + "e1" + "," * 6 + "https://shop.example.com/" + "x" * 2_100_000 + "," * 8 + "\n",
        encoding="utf-8",
    )
    (seeds / "raw_order_items.csv").write_text(
        "order_id,product_id,quantity,unit_price\no1,p1,2,3.50\no2,p1\no3,p1,1,2.00,gift,wrap\n", encoding="utf-8"
    )
    (seeds / "raw_orders.csv").write_text(
        "order_id,customer_id,ordered_at,status,order_total,discount_code\n"
        'o1,c1,2024-03-01 10:00:00,placed,"12.50,\n',
        encoding="utf-8",
    )
    products = b"product_id,product_name,category,list_price\n" + b"p0,Mug,kitchen,3.50\n" * (LATIN1_LINE - 2)
    (seeds / "raw_products.csv").write_bytes(products + "p1,Café cup,kitchen,4.00\n".encode("latin-1"))
    # ...as a Windows tool saves it: a byte order mark and \r\n line ends, which dbt's reader accepts too.
    (seeds / "raw_customers.csv").write_text(
        "customer_id,email,full_name,country_code,created_at\r\n"
        f"c1,a@example.com,{LONG_CELL},ES,2024-01-01 00:00:00\r\n",
        encoding="utf-8-sig",
        newline="",
    )
    database = workdir / "pipeline.duckdb"
    result = run_dbt(project_dir, database, ["seed"])
    return Build("bad-seed-files", "seeds", result.returncode, result.stdout + result.stderr, database, project_dir)


# Each broken seed of `bad_seed_files` and the line its failure must print.
SEED_FILE_PROBLEMS: dict[str, tuple[str, str]] = {
    "empty": (
        "raw_returns",
        (
            "seeds/raw_returns.csv is empty: a seed needs at least its header row, the names of its columns "
            "(return_id,order_id,product_id,quantity,refund_amount,returned_at,reason)"
        ),
    ),
    "short_row": (
        "raw_order_items",
        (
            "seeds/raw_order_items.csv, line 3: 2 cells, the header has 4 (order_id,product_id,quantity,unit_price);"
            " every row needs one cell per column (an empty cell for a missing value)"
        ),
    ),
    "long_row": ("raw_order_items", "seeds/raw_order_items.csv, line 4: 6 cells, the header has 4"),
    "line_too_long": (
        "raw_events",
        (
            "seeds/raw_events.csv, line 2: longer than DuckDB reads in a CSV line (2,000,000 bytes); deliver such "
            "values as Parquet (var raw_data_path)"
        ),
    ),
    "unclosed_quote": ("raw_orders", "seeds/raw_orders.csv, line 2, column order_total: a quote is not closed"),
    "latin1": (
        "raw_products",
        (
            f"seeds/raw_products.csv, line {LATIN1_LINE}: not UTF-8 text (Latin-1 or Windows-1252?); "
            "save the file as UTF-8"
        ),
    ),
}


@pytest.mark.parametrize("case", SEED_FILE_PROBLEMS)
def test_a_seed_file_that_cannot_be_loaded_stops_naming_file_line_and_fix(bad_seed_files: Build, case: str) -> None:
    seed, line = SEED_FILE_PROBLEMS[case]
    output = " ".join(bad_seed_files.output.split())  # dbt wraps long messages
    assert bad_seed_files.returncode != 0
    assert f"Seed file seeds/{seed}.csv cannot be loaded:" in output, bad_seed_files.tail()
    assert f"- {line}" in output, bad_seed_files.tail()
    assert bad_seed_files.run_results()[seed]["status"] == "error"
    assert "Traceback" not in output, bad_seed_files.tail()


def test_a_cell_of_a_million_characters_is_loaded_whole(bad_seed_files: Build) -> None:
    assert bad_seed_files.run_results()["raw_customers"]["status"] == "success", bad_seed_files.tail()
    with bad_seed_files.connect() as connection:
        assert scalar(connection, "select full_name from raw.raw_customers where customer_id = 'c1'") == LONG_CELL
        assert scalar(connection, "select created_at from raw.raw_customers") == "2024-01-01 00:00:00"


def test_a_small_seed_that_is_not_utf8_is_refused_before_dbt_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # dbt reads seeds of up to 1 MB while parsing, before the project's code runs: make build checks them first.
    from check_seed_encoding import main

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "raw_products.csv").write_bytes("product_id,product_name\np1,Mug\np2,Café cup\n".encode("latin-1"))
    (seeds / "raw_orders.csv").write_text("order_id\no1\n", encoding="utf-8")
    assert main(["--seeds", str(seeds)]) == 1
    expected = (
        f"{seeds}/raw_products.csv, line 3: not UTF-8 text (byte 0xe9; Latin-1 or Windows-1252?); "
        "save the file as UTF-8"
    )
    assert capsys.readouterr().err == expected + "\n"
    assert main(["--seeds", str(seeds / "missing")]) == 0


# ---------------------------------------------------------------------------------------------------------
# Settings that keep the database from opening: a memory limit DuckDB would refuse stops dbt naming the variable,
# as the last thing printed; a database path that cannot be opened prints DuckDB's reason, then dbt's own
# traceback (not the project's)
# ---------------------------------------------------------------------------------------------------------


def dbt_seed_with(tmp_path_factory: pytest.TempPathFactory, name: str, **environ: str) -> str:
    """The output of `dbt seed` in a fresh copy of the project, with `environ` set."""
    project_dir = tmp_path_factory.mktemp(name) / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, {}, "seeds")
    environment = dbt_environment(project_dir, project_dir / "kpis.duckdb")
    environment.update(environ)
    result = subprocess.run(
        [str(dbt_executable()), "--no-use-colors", "seed", "--target-path", str(project_dir / "target"),
         "--log-path", str(project_dir / "logs")],
        cwd=project_dir, env=environment, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_a_memory_limit_duckdb_would_refuse_stops_naming_the_variable(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    output = dbt_seed_with(tmp_path_factory, "bad-memory-limit", ECOMMERCE_KPIS_MEMORY_LIMIT="lots")
    assert ("a valid ECOMMERCE_KPIS_MEMORY_LIMIT: it must be a size such as 3GB, 500MB or 80%, got "
            '"lots"') in output, output[-3000:]
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def unopenable_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`dbt seed` with the database in a folder that does not exist: the connection fails before any hook or
    macro runs."""
    return dbt_seed_with(tmp_path_factory, "unopenable-database", ECOMMERCE_KPIS_DB="/nonexistent/folder/kpis.duckdb")


def test_a_database_that_cannot_be_opened_is_named_with_duckdbs_reason(unopenable_database: str) -> None:
    assert 'Cannot open file "/nonexistent/folder/kpis.duckdb"' in unopenable_database, unopenable_database[-3000:]


@pytest.mark.xfail(
    strict=True,
    reason="dbt-duckdb wraps only a RuntimeError from duckdb.connect and dbt-core prints a stack trace for any other "
    "error; nothing of the project runs before the connection opens (docs/decisions.md, Bad input)",
)
def test_no_traceback_follows_the_reason(unopenable_database: str) -> None:
    assert "Traceback" not in unopenable_database
