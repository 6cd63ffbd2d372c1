"""Issue 5: the same project, models and tests on Apache Spark, and the two engines agree.

Runs in `make test-spark` only (it sets ECOMMERCE_KPIS_SPARK_TESTS=1): a Spark build takes minutes, and CI runs
the Spark suite as a step of its own after `make test`. Everything on Spark runs in this process, through
dbt's Python API, in one local pyspark session (one JVM start instead of one per dbt command), with the
in-memory catalog and a fresh warehouse folder.

1. `dbt build` of the whole project on Spark from the demo seeds: every seed, model, data test and unit test
   must pass (warnings allowed: the KPI target test only warns). Meanwhile DuckDB builds the seeds and models
   of the same project into a private database.
2. The engines agree: every raw seed and lookup table holds the same rows on both; every `kpi_*` mart and the
   scorecard are equal row for row (same columns, rates within a relative 1e-9).
3. The Spark seed loader (macros/spark_seeds.sql) keeps NULLs, quotes, backslashes, line breaks, non-ASCII
   text and microseconds, checked against values parsed here from the CSV.
4. Parquet mode and repeated runs on Spark: the hand-made three-load scenario of the incremental tests
   (tests/pytest/scenarios/loads.py) is delivered as Parquet, load after load, each followed by `dbt build`
   (no full refresh); after every load the sessions, order channels and reporting date are the hand-computed
   ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pipeline import REPO_ROOT, copy_project, dbt_executable, write_raw_data
from scenarios import loads

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
    return list(dataframe.columns), [tuple(row) for row in dataframe.collect()]


def duckdb_relation(connection: duckdb.DuckDBPyConnection, table: str) -> Relation:
    cursor = connection.execute(f"select * from {table}")
    return [column[0] for column in cursor.description], cursor.fetchall()


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
    spark = run_dbt_on_spark(["build"], REPO_ROOT, spark_work_dir / "build")
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
    exact = tuple((value is not None, str(value)) for value in row if not isinstance(value, float))
    floats = tuple(value for value in row if isinstance(value, float))
    return exact, floats


def same_value(left: Any, right: Any) -> bool:
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


# --- 4. Parquet mode and repeated runs ---------------------------------------------------------------------


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
    ]
    channels = {row["order_id"]: row["channel"] for row in session.table("marts.fct_orders").collect()}
    (as_of,) = session.table("intermediate.int_as_of_date").collect()
    return sorted(sessions, key=lambda s: (s.anonymous_id, s.session_start)), channels, as_of[0].isoformat()


# What the loads test reads, and every model and seed these are built from.
LOADS_MODELS = ("+fct_sessions", "+fct_orders", "+int_as_of_date")


@pytest.fixture(scope="module")
def parquet_loads(builds: Builds, spark_work_dir: Path) -> Mapping[int, Any]:
    """The loads scenario in Parquet mode on Spark: load 1, `dbt build`; load 2, `dbt build`; load 3, again.
    Runs after the main build (it replaces its tables in the shared catalog). Returns per load the state or
    the failure."""
    project_dir = spark_work_dir / "loads" / "project"
    copy_project(project_dir)
    states: dict[int, Any] = {}
    for load in loads.LOADS:
        dbt_vars = write_raw_data(project_dir, loads.tables_as_of(load), "parquet")
        run = run_dbt_on_spark(
            [
                "build",
                "--select",
                *LOADS_MODELS,
                "--exclude",
                "resource_type:test",
                "resource_type:unit_test",
                "--vars",
                json.dumps(dbt_vars),
            ],
            project_dir,
            # one target folder for the three loads, so dbt parses the project once
            project_dir.parent,
        )
        if not run.success or run.failures:
            states[load] = run.explain()
            break
        states[load] = snapshot_loads_state()
    return states


@pytest.mark.parametrize("load", loads.LOADS)
def test_parquet_loads_on_spark_give_the_hand_computed_sessions(parquet_loads: Mapping[int, Any], load: int) -> None:
    state = parquet_loads.get(load)
    if state is None:
        pytest.fail(f"load {load} was not built: an earlier load failed", pytrace=False)
    if isinstance(state, str):
        pytest.fail(state, pytrace=False)
    sessions, channels, as_of_date = state
    assert sessions == sorted(loads.SESSIONS_BY_LOAD[load], key=lambda s: (s.anonymous_id, s.session_start))
    assert channels == loads.ORDER_CHANNELS_BY_LOAD[load]
    assert as_of_date == loads.AS_OF_DATE_BY_LOAD[load]
