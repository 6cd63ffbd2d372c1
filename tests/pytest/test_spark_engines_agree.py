"""Issue 5: the same project, models and tests on Apache Spark, and the two engines agree.

Runs in `make test-spark` only (it sets ECOMMERCE_KPIS_SPARK_TESTS=1): a Spark build takes minutes, and CI runs
the Spark suite as a step of its own after `make test`. Everything on Spark runs in this process, through
dbt's Python API, in one local pyspark session (one JVM start instead of one per dbt command), with the
in-memory catalog and a fresh warehouse folder.

1. `dbt build` of the whole project on Spark from the demo seeds, reporting in Europe/Madrid (var
   reporting_timezone, so every mart date goes through each engine's time zone conversion): every seed, model,
   data test and unit test must pass (warnings allowed: the KPI target test only warns). Meanwhile DuckDB builds
   the seeds and models of the same project, with the same var, into a private database.
2. The engines agree: every raw seed and lookup table holds the same rows on both; every `kpi_*` mart and the
   scorecard are equal row for row (same columns, rates within a relative 1e-9).
3. The Spark seed loader (macros/spark_seeds.sql) keeps NULLs, quotes, backslashes, line breaks, non-ASCII
   text and microseconds, checked against values parsed here from the CSV.
4. Parquet mode and truly incremental runs on Spark: the hand-made three-load scenario of the incremental tests
   (tests/pytest/scenarios/loads.py, with a few rows on days of their own) is delivered as Parquet, load after
   load, each followed by `dbt build` (incremental after the first); after every load the sessions, order
   channels and reporting date are the hand-computed ones; the runs after loads 2 and 3 leave the partition
   files that their new rows cannot change as they were (names and modification times), drop a day whose
   sessions all vanished, and give the event models and every `kpi_*` mart equal, row for row, to a full
   refresh of the same data on Spark. The same chain again with a reporting time zone far east of UTC
   (Pacific/Auckland, UTC+12 in May, where local days start at noon UTC of the day before) must equal its full
   refresh too: the sessions' partitions are then local days, the event models' partitions UTC days.
5. A Google Analytics 4 export (the hand-made one of tests/pytest/test_ga4_source.py and a small one written by
   `generate_data.py --format ga4`, both in GA4's nested schema, in one folder) read
   through the var ga4_export_path: `dbt build` with every data test passes on Spark, and the raw relations
   mapped from the export, the rejected events and every `kpi_*` mart equal DuckDB's build of the same export.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pipeline import (
    REPO_ROOT,
    DbtFailed,
    connect,
    copy_project,
    dbt_executable,
    run_dbt_build,
    without_run_stamp,
    write_raw_data,
)
from scenarios import SHOP, event, loads

pytestmark = pytest.mark.skipif(
    os.environ.get("ECOMMERCE_KPIS_SPARK_TESTS") != "1",
    reason="the Spark suite runs in `make test-spark` (ECOMMERCE_KPIS_SPARK_TESTS=1)",
)

# The marts compared between the engines: every KPI mart and the scorecard, discovered so a new one is covered.
KPI_MARTS = tuple(sorted(path.stem for path in (REPO_ROOT / "models" / "marts" / "kpis").glob("kpi_*.sql")))
# The seeds, raw and lookups, compared too: the first thing that differed between the engines was the seeds.
SEED_TABLES = tuple(
    sorted(f"raw.{path.stem}" for path in (REPO_ROOT / "seeds").glob("raw_*.csv"))
    + sorted(f"lookups.{path.stem}" for path in (REPO_ROOT / "seeds" / "lookups").glob("*.csv"))
)
RELATIVE_TOLERANCE = 1e-9
# The main build's reporting time zone (on both engines): a zone with daylight saving, east of UTC.
MAIN_BUILD_VARS = {"reporting_timezone": "Europe/Madrid"}
# The second loads chain's: local days start 12 hours before UTC days.
EAST_LOADS_VARS = {"reporting_timezone": "Pacific/Auckland"}
# dbt's errors come last in its output; keep a failure message readable.
MAX_MESSAGE_CHARS = 12_000

Relation = tuple[list[str], list[tuple[Any, ...]]]


@dataclass
class SparkRun:
    """What one dbt command on Spark did: its success and the nodes that failed, with dbt's message."""

    command: str
    success: bool
    failures: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # unique_id -> status

    def explain(self) -> str:
        lines = [f"dbt {self.command} on Spark failed:", *self.failures]
        return "\n".join(lines)[:MAX_MESSAGE_CHARS]


@dataclass
class Builds:
    spark: SparkRun
    spark_relations: dict[str, Relation]
    duckdb_relations: dict[str, Relation]
    duckdb_failure: str | None


def run_dbt_on_spark(arguments: Sequence[str], project_dir: Path, work_dir: Path) -> SparkRun:
    """One dbt command on the `spark` target, in this process (the Spark session outlives it)."""
    from dbt.cli.main import dbtRunner

    command = [
        *arguments,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target", "spark",
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]  # fmt: skip
    result = dbtRunner().invoke(command)
    run = SparkRun(command=" ".join(arguments), success=result.success)
    if result.exception is not None:
        run.failures.append(f"{type(result.exception).__name__}: {result.exception}")
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status)
        run.statuses[node_result.node.unique_id] = status
        if status in ("error", "fail", "runtime error"):
            run.failures.append(f"{node_result.node.unique_id}: {status}: {node_result.message}")
    return run


def spark_session() -> Any:
    """The Spark session dbt opened in this process."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    return session if session is not None else SparkSession.builder.getOrCreate()


def spark_relation(table: str) -> Relation:
    dataframe = spark_session().table(table)
    return without_run_stamp(list(dataframe.columns), [tuple(row) for row in dataframe.collect()])


def duckdb_relation(connection: duckdb.DuckDBPyConnection, table: str) -> Relation:
    cursor = connection.execute(f"select * from {table}")
    return without_run_stamp([column[0] for column in cursor.description], cursor.fetchall())


def start_duckdb_build(work_dir: Path) -> subprocess.Popen[str]:
    """Seeds and models of the repository's project on DuckDB (its tests run in `make test`), in a private
    database and target folder."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DBT_", "ECOMMERCE_KPIS_"))}
    environment.update(
        ECOMMERCE_KPIS_DB=str(work_dir / "duckdb.duckdb"),
        ECOMMERCE_KPIS_TEMP_DIR=str(work_dir / "duckdb_tmp"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    command = [
        str(dbt_executable()), "build", "--resource-type", "seed", "--resource-type", "model",
        "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT), "--target", "dev",
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        "--vars", json.dumps(MAIN_BUILD_VARS),
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.fixture(scope="module")
def spark_work_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh warehouse for the in-memory catalog (it must not find the folders of an earlier process), UTC
    for the timestamps pyspark hands to Python, and the environment the `spark` profile reads."""
    work_dir = tmp_path_factory.mktemp("spark")
    settings = {
        "ECOMMERCE_KPIS_SPARK_CATALOG": "in-memory",
        "ECOMMERCE_KPIS_SPARK_WAREHOUSE": str(work_dir / "warehouse"),
        "ECOMMERCE_KPIS_SPARK_METASTORE": str(work_dir / "metastore"),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        "TZ": "UTC",
    }
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    time.tzset()
    yield work_dir
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    time.tzset()


@pytest.fixture(scope="module")
def builds(spark_work_dir: Path) -> Builds:
    """The full `dbt build` on Spark (DuckDB builds alongside), then the compared tables of both engines."""
    duckdb_dir = spark_work_dir / "duckdb"
    duckdb_dir.mkdir()
    duckdb_build = start_duckdb_build(duckdb_dir)
    spark = run_dbt_on_spark(["build", "--vars", json.dumps(MAIN_BUILD_VARS)], REPO_ROOT, spark_work_dir / "build")
    duckdb_output, _ = duckdb_build.communicate()
    compared = (*SEED_TABLES, *(f"marts.{name}" for name in KPI_MARTS))
    spark_relations = {}
    if spark.success:
        spark_relations = {table: spark_relation(table) for table in compared}
    duckdb_relations = {}
    duckdb_failure = None
    if duckdb_build.returncode == 0:
        with duckdb.connect(str(duckdb_dir / "duckdb.duckdb"), read_only=True) as connection:
            duckdb_relations = {table: duckdb_relation(connection, table) for table in compared}
    else:
        duckdb_failure = f"dbt build on DuckDB exited {duckdb_build.returncode}:\n{duckdb_output[-MAX_MESSAGE_CHARS:]}"
    return Builds(spark, spark_relations, duckdb_relations, duckdb_failure)


def test_dbt_build_passes_on_spark(builds: Builds) -> None:
    assert builds.spark.success and not builds.spark.failures, builds.spark.explain()
    kinds = {unique_id.split(".")[0] for unique_id in builds.spark.statuses}
    # Everything ran: seeds, models, data tests and unit tests (a selector typo would silently skip some).
    assert {"seed", "model", "test", "unit_test"} <= kinds, sorted(kinds)
    not_run = sorted(
        uid
        for uid, status in builds.spark.statuses.items()
        if status in ("skipped", "no-op") and uid.split(".")[0] in ("seed", "model", "test", "unit_test")
    )
    assert not not_run, f"not run on Spark: {not_run}"


def sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
    """Rows ordered by their non-float values (NULLs first), then by their floats: rows of a grain pair up
    even when a rate differs in its last digits between the engines."""
    exact = tuple((value is not None, str(as_utc_naive(value))) for value in row if not isinstance(value, float))
    floats = tuple(value for value in row if isinstance(value, float))
    return exact, floats


def as_utc_naive(value: Any) -> Any:
    """A zoned datetime as its naive UTC time: DuckDB seeds loaded_at as a timestamp with time zone, Spark's
    timestamp is an instant shown in its UTC session; both name the same UTC time."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def same_value(left: Any, right: Any) -> bool:
    left, right = as_utc_naive(left), as_utc_naive(right)
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        return math.isclose(float(left), float(right), rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)
    return (left is None and right is None) or (type(left) is type(right) and left == right)


def assert_same_relation(table: str, spark: Relation, duck: Relation) -> None:
    spark_columns, spark_rows = spark
    duck_columns, duck_rows = duck
    assert spark_columns == duck_columns, f"{table}: columns differ"
    assert len(spark_rows) == len(duck_rows), f"{table}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB"
    assert duck_rows, f"{table} is empty: the comparison would prove nothing"
    for spark_row, duck_row in zip(sorted(spark_rows, key=sort_key), sorted(duck_rows, key=sort_key), strict=True):
        differing = [
            f"{name}: Spark {spark_value!r} vs DuckDB {duck_value!r}"
            for name, spark_value, duck_value in zip(spark_columns, spark_row, duck_row, strict=True)
            if not same_value(spark_value, duck_value)
        ]
        assert not differing, f"{table}: first differing row {duck_row}:\n" + "\n".join(differing)


def compared(builds: Builds, table: str) -> tuple[Relation, Relation]:
    if builds.duckdb_failure:
        pytest.fail(builds.duckdb_failure, pytrace=False)
    if not builds.spark.success:
        pytest.fail(builds.spark.explain(), pytrace=False)
    return builds.spark_relations[table], builds.duckdb_relations[table]


@pytest.mark.parametrize("table", SEED_TABLES)
def test_seeds_are_equal_on_both_engines(builds: Builds, table: str) -> None:
    assert_same_relation(table, *compared(builds, table))


@pytest.mark.parametrize("mart", KPI_MARTS)
def test_kpi_marts_are_equal_on_both_engines(builds: Builds, mart: str) -> None:
    assert_same_relation(f"marts.{mart}", *compared(builds, f"marts.{mart}"))


def test_scorecard_is_compared() -> None:
    # The scorecard is the one mart every manager reads: it must be among the compared marts.
    assert "kpi_scorecard" in KPI_MARTS and len(KPI_MARTS) >= 10, KPI_MARTS


# --- 3. The seed loader ------------------------------------------------------------------------------------

SEED_CHECK_COLUMNS = {
    "id": "string",
    "text": "string",
    "at": "timestamp",
    "amount": "decimal(12, 2)",
    "flag": "boolean",
}
SEED_CHECK_ROWS = [
    ["quote", 'it\'s "quoted", with a comma', "2024-05-01 10:00:00.123456", "1.50", "true"],
    ["backslash", "C:\\temp\\new \\' \\\\", "2024-05-01 10:00:00.000001", "-0.01", "false"],
    ["empty", "", "", "", ""],
    ["none_text", "None", "2024-05-01 23:59:59.999999", "0", "true"],
    ["null_text", "null", "2024-05-01 00:00:00", "0.10", "false"],
    ["blank", " ", "2024-05-01 00:00:00", "0.20", "false"],
    ["line_break", "first line\nsecond line\r\nthird", "2024-05-01 00:00:00", "12345678.90", "false"],
    ["unicode", "Müller \u2013 café ☃ 🛒", "2024-02-29 12:34:56.5", "7", "true"],
    ["padded", "  padded  ", "2024-05-01 10:00:00", "3.00", "false"],
]
# The two ways the Spark seed loader reads a seed (macros/spark_seeds.sql), one seed each.
SEED_CHECK_LOADERS = {"spark_seed_check_file": True, "spark_seed_check_literals": False}


def expected_seed_value(cell: str, column_type: str, from_file: bool) -> Any:
    """What a CSV cell means, parsed here without dbt. An empty cell is NULL. Read from the file, text is kept
    verbatim (as DuckDB's COPY keeps it); through dbt's parsed rows, a text of blanks or `null` is NULL too,
    and a line break is a bare newline."""
    if cell == "" or (not from_file and column_type == "string" and cell.strip().lower() in ("", "null")):
        return None
    if not from_file:
        cell = cell.replace("\r\n", "\n")
    if column_type == "timestamp":
        return dt.datetime.fromisoformat(cell)
    if column_type.startswith("decimal"):
        return Decimal(cell)
    if column_type == "boolean":
        return cell == "true"
    return cell


def write_seed_checks(project_dir: Path) -> None:
    """The check rows as one seed per loader, and the raw seeds (header only) the copied models refer to."""
    write_raw_data(project_dir, {}, "seeds")
    seed_dir = project_dir / "seeds" / "spark_check"
    seed_dir.mkdir(parents=True)
    properties = ["version: 2", "seeds:"]
    column_types = [f"        {name}: {kind}" for name, kind in SEED_CHECK_COLUMNS.items()]
    for name, from_file in SEED_CHECK_LOADERS.items():
        with (seed_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SEED_CHECK_COLUMNS)
            writer.writerows(SEED_CHECK_ROWS)
        properties += [
            f"  - name: {name}",
            "    config:",
            f"      meta: {{spark_seed_from_file: {str(from_file).lower()}}}",
        ]
        properties += ["      column_types:", *column_types]
    (seed_dir / "_spark_check.yml").write_text("\n".join(properties) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def seed_checks(builds: Builds, spark_work_dir: Path) -> dict[str, Relation]:
    """The check seeds loaded on the session of the main build (after it), from a copy of the project."""
    project_dir = spark_work_dir / "seed-check" / "project"
    copy_project(project_dir)
    write_seed_checks(project_dir)
    run = run_dbt_on_spark(["seed", "--select", "path:seeds/spark_check"], project_dir, project_dir.parent)
    assert run.success and not run.failures, run.explain()
    return {name: spark_relation(f"raw.{name}") for name in SEED_CHECK_LOADERS}


@pytest.mark.parametrize("seed", SEED_CHECK_LOADERS)
def test_spark_seed_loader_keeps_nulls_text_and_microseconds(seed_checks: dict[str, Relation], seed: str) -> None:
    from_file = SEED_CHECK_LOADERS[seed]
    columns, rows = seed_checks[seed]
    assert columns == list(SEED_CHECK_COLUMNS)
    expected = {
        row[0]: tuple(
            expected_seed_value(cell, kind, from_file)
            for cell, kind in zip(row, SEED_CHECK_COLUMNS.values(), strict=True)
        )
        for row in SEED_CHECK_ROWS
    }
    loaded = {row[0]: row for row in rows}
    assert sorted(loaded) == sorted(expected)
    for row_id, values in expected.items():
        assert loaded[row_id] == values, f"{seed}: row {row_id!r}"


# --- 4. Parquet mode, repeated runs, and truly incremental runs -----------------------------------------

# The incremental event models, each with its partition column on Spark (macros/incremental_settings.sql).
EVENT_MODELS = {
    "staging.base_shop__events": "loaded_date",
    "staging.stg_shop__events": "event_date",
    "staging.stg_shop__events_duplicates": "event_date",
    "intermediate.int_events_sessionized": "event_date",
    "intermediate.int_sessions_aggregated": "date_day",
}

# Rows added to the loads scenario here, for days the scenario does not have:
# - v90 on 2024-04-20, with a duplicate: loaded with load 1 and touched by no later load, so in every event
#   model that day's partition must not be rewritten by the runs after loads 2 and 3;
# - v91's only session, on 2024-04-28 00:10 (load 1), which a late event of 2024-04-27 23:50 (load 3) moves back
#   to 2024-04-27: the sessions' partition 2024-04-28 must become empty (a partition absent from the output of
#   a dynamic overwrite would otherwise keep the vanished session);
# - v92, a duplicate loaded just before load 1 ends, so that the duplicates model's own cutoff stays near the
#   end of load 1 (it reads its cutoff from its own rows, which would otherwise be the v90 duplicate's).
EXTRA_EVENTS: list[loads.Row] = [
    event("e9001", "2024-04-20 10:00:00", "v90", "page_view", f"{SHOP}/"),
    event("e9002", "2024-04-20 10:05:00", "v90", "product_view", f"{SHOP}/products/p1", product_id="p1"),
    event("e9001", "2024-04-20 10:00:00", "v90", "page_view", f"{SHOP}/", loaded_at="2024-04-20 11:00:00"),
    event("e9101", "2024-04-28 00:10:00", "v91", "page_view", f"{SHOP}/"),
    event("e9102", "2024-04-27 23:50:00", "v91", "page_view", f"{SHOP}/sale", loaded_at="2024-05-03 14:00:00"),
    event("e9201", "2024-05-01 22:00:00", "v92", "page_view", f"{SHOP}/"),
    event("e9201", "2024-05-01 22:00:00", "v92", "page_view", f"{SHOP}/", loaded_at="2024-05-01 23:55:00"),
]
EXTRA_VISITORS = frozenset(str(row["anonymous_id"]) for row in EXTRA_EVENTS)
UNTOUCHED_DAY = "2024-04-20"
VANISHED_SESSION_DAY = "2024-04-28"
# The partitions that the runs after loads 2 and 3 cannot touch, worked out by hand from the loads (each run's
# cutoff is its model's latest loaded_at minus 60 minutes; see macros/incremental_partitions.sql):
UNTOUCHED_BY_LOAD: dict[int, dict[str, tuple[str, ...]]] = {
    # load 2 starts after 2024-05-02 00:00: base re-reads from 2024-05-01 on; every model's earliest rebuilt
    # day is 2024-05-01 (v1's session of 2024-05-01 23:00 continues, i302 gets a duplicate).
    2: {
        table: (f"{column}={UNTOUCHED_DAY}", f"{column}={VANISHED_SESSION_DAY}")
        for table, column in EVENT_MODELS.items()
        if table != "staging.stg_shop__events_duplicates"
    }
    | {"staging.stg_shop__events_duplicates": (f"event_date={UNTOUCHED_DAY}",)},
    # load 3: base re-reads from 2024-05-02; the late event e9102 makes 2024-04-27 the earliest rebuilt day of
    # the sessionized events and sessions, but stg_shop__events rebuilds only the days of the events delivered.
    3: {
        "staging.base_shop__events": (f"loaded_date={UNTOUCHED_DAY}", f"loaded_date={VANISHED_SESSION_DAY}"),
        "staging.stg_shop__events": (f"event_date={UNTOUCHED_DAY}", f"event_date={VANISHED_SESSION_DAY}"),
        "staging.stg_shop__events_duplicates": (f"event_date={UNTOUCHED_DAY}",),
        "intermediate.int_events_sessionized": (f"event_date={UNTOUCHED_DAY}",),
        "intermediate.int_sessions_aggregated": (f"date_day={UNTOUCHED_DAY}",),
    },
}

# What the loads test reads, and every model and seed these are built from: sessions, orders, the reporting
# date, every KPI mart with the scorecard, and the duplicates (no mart reads them).
LOADS_MODELS = ("+fct_sessions", "+fct_orders", "+int_as_of_date", "+kpi_scorecard", "+stg_shop__events_duplicates")
# Compared between the incremental chain and a full refresh of the same data, both on Spark.
COMPARED_AFTER_LOADS = (*EVENT_MODELS, *(f"marts.{name}" for name in KPI_MARTS))

Files = dict[str, dict[str, tuple[tuple[str, int], ...]]]  # table -> partition folder -> (file, mtime_ns)


def events_as_of(load: int) -> list[loads.Row]:
    return [row for row in (*loads.EVENTS, *EXTRA_EVENTS) if loads.load_of(row) <= load]


def snapshot_loads_state() -> tuple[list[loads.SessionRow], dict[str, str], str]:
    session = spark_session()
    sessions = [
        loads.SessionRow(
            row["anonymous_id"],
            row["session_start"].strftime("%Y-%m-%d %H:%M:%S"),
            row["session_end"].strftime("%Y-%m-%d %H:%M:%S"),
            row["event_count"],
            row["pageviews"],
            row["channel"],
            row["orders"],
        )
        for row in session.table("marts.fct_sessions").collect()
        if row["anonymous_id"] not in EXTRA_VISITORS
    ]
    channels = {row["order_id"]: row["channel"] for row in session.table("marts.fct_orders").collect()}
    (as_of,) = session.table("intermediate.int_as_of_date").collect()
    return sorted(sessions, key=lambda s: (s.anonymous_id, s.session_start)), channels, as_of[0].isoformat()


def table_location(table: str) -> Path:
    rows = spark_session().sql(f"describe table extended {table}").collect()
    (location,) = [row["data_type"] for row in rows if row["col_name"] == "Location"]
    return Path(location.removeprefix("file:"))


def partition_files() -> Files:
    """Every file of every partition folder of the event models, with its modification time: a partition that
    a run rewrites gets new files (Spark names each file after its job), one that it leaves keeps them."""
    files: Files = {}
    for table in EVENT_MODELS:
        location = table_location(table)
        files[table] = {
            folder.name: tuple(sorted((path.name, path.stat().st_mtime_ns) for path in folder.iterdir()))
            for folder in sorted(location.iterdir())
            if folder.is_dir() and "=" in folder.name
        }
    return files


@dataclass
class LoadsRun:
    """The loads scenario on Spark: per load the hand-checked state (or the failure), the partition files after
    each run, the incremental chain's and the full refresh's relations, and the event models' build times."""

    states: dict[int, Any] = field(default_factory=dict)
    files: dict[int, Files] = field(default_factory=dict)
    files_after_full_refresh: Files = field(default_factory=dict)
    incremental: dict[str, Relation] = field(default_factory=dict)
    full_refresh: dict[str, Relation] = field(default_factory=dict)
    seconds: dict[str, Any] = field(default_factory=dict)  # run -> wall time, or each event model's time
    failure: str | None = None


def build_loads(project_dir: Path, dbt_vars: Mapping[str, Any], *extra: str) -> tuple[SparkRun, float]:
    arguments = [
        "build", "--select", *LOADS_MODELS,
        "--exclude", "resource_type:test", "resource_type:unit_test",
        "--vars", json.dumps(dict(dbt_vars)), *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    # one target folder for every run, so dbt parses the project once
    run = run_dbt_on_spark(arguments, project_dir, project_dir.parent)
    return run, time.perf_counter() - started


def event_models_seconds(project_dir: Path) -> dict[str, float]:
    """The execution time of each event model in the last run (from dbt's run_results.json)."""
    results = json.loads((project_dir.parent / "target" / "run_results.json").read_text())["results"]
    names = {table.split(".")[1] for table in EVENT_MODELS}
    timed = {
        result["unique_id"].split(".")[-1]: round(result["execution_time"], 2)
        for result in results
        if result["unique_id"].split(".")[-1] in names
    }
    assert set(timed) == names, f"run_results.json lacks event models: {sorted(names - set(timed))}"
    return timed


def run_loads(project_dir: Path, extra_vars: Mapping[str, Any]) -> LoadsRun:
    """The loads scenario (with the rows above) in Parquet mode on Spark: load 1, `dbt build --full-refresh`;
    load 2, `dbt build`; load 3, again (incremental); then `dbt build --full-refresh` of the same data."""
    copy_project(project_dir)
    outcome = LoadsRun()
    dbt_vars: dict[str, Any] = {}
    for load in loads.LOADS:
        dbt_vars = {
            **write_raw_data(project_dir, {**loads.tables_as_of(load), "raw_events": events_as_of(load)}, "parquet"),
            **extra_vars,
        }
        # load 1 starts from scratch: the catalog holds the main build's tables under the same names
        run, seconds = build_loads(project_dir, dbt_vars, *(("--full-refresh",) if load == 1 else ()))
        if not run.success or run.failures:
            outcome.states[load] = run.explain()
            outcome.failure = f"load {load}: {run.explain()}"
            return outcome
        outcome.seconds[f"load {load}: dbt build (wall)"] = seconds
        outcome.seconds[f"load {load}: event models"] = event_models_seconds(project_dir)
        outcome.states[load] = snapshot_loads_state()
        outcome.files[load] = partition_files()
    outcome.incremental = {table: spark_relation(table) for table in COMPARED_AFTER_LOADS}
    run, seconds = build_loads(project_dir, dbt_vars, "--full-refresh")
    if not run.success or run.failures:
        outcome.failure = f"full refresh: {run.explain()}"
        return outcome
    outcome.seconds["full refresh: dbt build (wall)"] = seconds
    outcome.seconds["full refresh: event models"] = event_models_seconds(project_dir)
    outcome.full_refresh = {table: spark_relation(table) for table in COMPARED_AFTER_LOADS}
    outcome.files_after_full_refresh = partition_files()
    print(f"\nSpark, loads scenario {dict(extra_vars)}, seconds:", json.dumps(outcome.seconds, indent=1))
    return outcome


@pytest.fixture(scope="module")
def parquet_loads(builds: Builds, spark_work_dir: Path) -> LoadsRun:
    """The loads chain in UTC. Runs after the main build (it replaces its tables in the shared catalog)."""
    return run_loads(spark_work_dir / "loads" / "project", {})


@pytest.fixture(scope="module")
def parquet_loads_east(parquet_loads: LoadsRun, spark_work_dir: Path) -> LoadsRun:
    """The loads chain reporting in Pacific/Auckland, after the UTC chain (same catalog)."""
    return run_loads(spark_work_dir / "loads-east" / "project", EAST_LOADS_VARS)


@pytest.mark.parametrize("load", loads.LOADS)
def test_parquet_loads_on_spark_give_the_hand_computed_sessions(parquet_loads: LoadsRun, load: int) -> None:
    state = parquet_loads.states.get(load)
    if state is None:
        pytest.fail(f"load {load} was not built: an earlier load failed", pytrace=False)
    if isinstance(state, str):
        pytest.fail(state, pytrace=False)
    sessions, channels, as_of_date = state
    assert sessions == sorted(loads.SESSIONS_BY_LOAD[load], key=lambda s: (s.anonymous_id, s.session_start))
    assert channels == loads.ORDER_CHANNELS_BY_LOAD[load]
    assert as_of_date == loads.AS_OF_DATE_BY_LOAD[load]


def loads_succeeded(run: LoadsRun) -> LoadsRun:
    if run.failure:
        pytest.fail(run.failure, pytrace=False)
    return run


@pytest.mark.parametrize("table", COMPARED_AFTER_LOADS)
def test_incremental_runs_on_spark_equal_a_full_refresh(parquet_loads: LoadsRun, table: str) -> None:
    # Row for row, column for column: three incremental runs and one full refresh of the same data, on Spark.
    run = loads_succeeded(parquet_loads)
    assert_same_relation(table, run.incremental[table], run.full_refresh[table])


@pytest.mark.parametrize("table", COMPARED_AFTER_LOADS)
def test_incremental_runs_on_spark_equal_a_full_refresh_east_of_utc(parquet_loads_east: LoadsRun, table: str) -> None:
    run = loads_succeeded(parquet_loads_east)
    assert_same_relation(table, run.incremental[table], run.full_refresh[table])


def test_sessions_partitions_east_of_utc_are_local_days(parquet_loads_east: LoadsRun) -> None:
    # v1's session starts 2024-05-01 23:00 UTC, 2024-05-02 11:00 in Auckland: its partition is the local day.
    run = loads_succeeded(parquet_loads_east)
    columns, rows = run.incremental["intermediate.int_sessions_aggregated"]
    v1 = [dict(zip(columns, row, strict=True)) for row in rows if row[columns.index("anonymous_id")] == "v1"]
    assert [(row["session_start"].isoformat(sep=" "), row["date_day"].isoformat()) for row in v1] == [
        ("2024-05-01 23:00:00", "2024-05-02")
    ]
    assert "date_day=2024-05-02" in run.files[3]["intermediate.int_sessions_aggregated"]


@pytest.mark.parametrize("load", (2, 3))
def test_incremental_runs_on_spark_leave_untouched_partitions_alone(parquet_loads: LoadsRun, load: int) -> None:
    run = loads_succeeded(parquet_loads)
    before, after = run.files[load - 1], run.files[load]
    rewritten = [
        f"{table}/{partition}"
        for table, partitions in UNTOUCHED_BY_LOAD[load].items()
        for partition in partitions
        if partition not in before[table] or after[table].get(partition) != before[table][partition]
    ]
    assert not rewritten, f"the run after load {load} rewrote (or lost) partitions no new row can change: {rewritten}"
    # ...while it did rewrite others: every model wrote files the previous run had not.
    unchanged_models = [table for table in EVENT_MODELS if after[table] == before[table]]
    assert not unchanged_models, f"the run after load {load} wrote nothing in {unchanged_models}"


def test_the_partition_probe_sees_a_rewrite(parquet_loads: LoadsRun) -> None:
    # The check above can fail: the full refresh rewrites the untouched day of every event model.
    run = loads_succeeded(parquet_loads)
    last = run.files[loads.LOADS[-1]]
    for table, column in EVENT_MODELS.items():
        partition = f"{column}={UNTOUCHED_DAY}"
        assert partition in last[table] and partition in run.files_after_full_refresh[table], (table, partition)
        assert run.files_after_full_refresh[table][partition] != last[table][partition], table


def test_a_day_whose_sessions_all_vanished_is_dropped_on_spark(parquet_loads: LoadsRun) -> None:
    # v91's only session moved from 2024-04-28 to 2024-04-27 with load 3: the partition must be gone, not stale.
    run = loads_succeeded(parquet_loads)
    sessions = "intermediate.int_sessions_aggregated"
    assert f"date_day={VANISHED_SESSION_DAY}" in run.files[2][sessions]
    assert f"date_day={VANISHED_SESSION_DAY}" not in run.files[3][sessions]
    assert "date_day=2024-04-27" in run.files[3][sessions]
    columns, rows = run.incremental[sessions]
    v91 = [dict(zip(columns, row, strict=True)) for row in rows if row[columns.index("anonymous_id")] == "v91"]
    assert [(row["session_start"].isoformat(sep=" "), row["event_count"]) for row in v91] == [
        ("2024-04-27 23:50:00", 2)
    ]


# --- 5. a GA4 export on both engines ------------------------------------------------------------------------------

# export rows of the generated GA4 fixture added to the hand-made export
GA4_GENERATED_ROWS = 4000
GA4_RAW_TABLES = ("raw_events", "raw_orders", "raw_order_items", "raw_returns", "raw_products", "raw_customers")
GA4_COMPARED = (
    *(f"staging.stg_ga4__{table}" for table in GA4_RAW_TABLES),
    "staging.stg_shop__events_rejected",
    *(f"marts.{name}" for name in KPI_MARTS),
)


@dataclass
class Ga4Builds:
    spark: SparkRun
    spark_relations: dict[str, Relation]
    duckdb_relations: dict[str, Relation]
    duckdb_failure: str | None


@pytest.fixture(scope="module")
def ga4_builds(spark_work_dir: Path) -> Ga4Builds:
    """The GA4 export scenario built on Spark and on DuckDB, from one copy of the project whose raw seeds hold only
    their header. Its tests come last in this file, so it runs after the other builds of the shared catalog, whose
    tables it replaces (a full refresh: they hold other data under the same names); `-k ga4` runs it alone."""
    from test_ga4_source import write_export

    project_dir = spark_work_dir / "ga4" / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, {}, "seeds")
    export_dir = spark_work_dir / "ga4" / "export"
    write_export(export_dir)
    # beside it, the demo shop as the fixture generator writes it (daily and intraday tables, every quirk of
    # scripts/ga4_export.py); its visitors, orders, products and days are not the hand-made scenario's
    generated = spark_work_dir / "ga4" / "generated"
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "generate_data.py"), "--format", "ga4", "--out", str(generated),
         "--events", str(GA4_GENERATED_ROWS), "--seed", "7", "--quiet"],
        check=True,
    )
    for table in generated.glob("events_*.parquet"):
        shutil.copyfile(table, export_dir / table.name)
    # as a GA4 user would run it: in the property's time zone
    dbt_vars = {"ga4_export_path": str(export_dir), "reporting_timezone": "Europe/Madrid"}
    spark = run_dbt_on_spark(
        ["build", "--full-refresh", "--exclude", "test_type:unit", "--vars", json.dumps(dbt_vars)],
        project_dir,
        project_dir.parent,
    )
    spark_relations = {table: spark_relation(table) for table in GA4_COMPARED} if spark.success else {}
    database = spark_work_dir / "ga4" / "duckdb.duckdb"
    duckdb_relations: dict[str, Relation] = {}
    duckdb_failure = None
    try:
        run_dbt_build(project_dir, database, dbt_vars)
    except DbtFailed as error:
        duckdb_failure = error.summary(MAX_MESSAGE_CHARS)
    else:
        with connect(database) as connection:
            duckdb_relations = {table: duckdb_relation(connection, table) for table in GA4_COMPARED}
    return Ga4Builds(spark, spark_relations, duckdb_relations, duckdb_failure)


def test_ga4_export_build_passes_on_spark(ga4_builds: Ga4Builds) -> None:
    assert ga4_builds.spark.success and not ga4_builds.spark.failures, ga4_builds.spark.explain()
    accounting = [uid for uid in ga4_builds.spark.statuses if uid.endswith("assert_ga4_export_rows_accounted")]
    assert accounting and all(ga4_builds.spark.statuses[uid] == "pass" for uid in accounting), accounting


@pytest.mark.parametrize("table", GA4_COMPARED)
def test_ga4_export_gives_equal_tables_on_both_engines(ga4_builds: Ga4Builds, table: str) -> None:
    if not ga4_builds.spark.success:
        pytest.fail(ga4_builds.spark.explain(), pytrace=False)
    if ga4_builds.duckdb_failure is not None:
        pytest.fail(ga4_builds.duckdb_failure, pytrace=False)
    assert ga4_builds.spark_relations[table][1], f"{table} is empty on Spark: the export was not read"
    assert_same_relation(table, ga4_builds.spark_relations[table], ga4_builds.duckdb_relations[table])
