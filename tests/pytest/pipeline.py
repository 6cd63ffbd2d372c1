"""Run the whole dbt pipeline on hand-made raw tables, in an isolated copy of the project.

A scenario gives the six raw tables of SPEC 1 as rows (dicts of column -> text cell, `None` or a missing
key = NULL, exactly what a CSV cell would hold). `build_pipeline` copies the project into a scratch
folder, writes the tables either as the raw seeds (`mode="seeds"`) or as Parquet files read through the
var `raw_data_path` (`mode="parquet"`), runs `dbt build` there (unit tests excluded: they do not depend
on data and run elsewhere) and returns the path of the DuckDB file it made.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

Mode = Literal["seeds", "parquet"]
Row = Mapping[str, str | None]
Tables = Mapping[str, Sequence[Row]]

REPO_ROOT = Path(__file__).resolve().parents[2]

# SPEC 1: every raw table, its columns in order and their types.
RAW_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "raw_events": (
        ("event_id", "string"),
        ("event_ts", "timestamp"),
        ("loaded_at", "timestamp"),
        ("anonymous_id", "string"),
        ("customer_id", "string"),
        ("event_name", "string"),
        ("page_url", "string"),
        ("page_referrer", "string"),
        ("utm_source", "string"),
        ("utm_medium", "string"),
        ("utm_campaign", "string"),
        ("product_id", "string"),
        ("order_id", "string"),
        ("device_category", "string"),
        ("user_agent", "string"),
    ),
    "raw_orders": (
        ("order_id", "string"),
        ("customer_id", "string"),
        ("ordered_at", "timestamp"),
        ("status", "string"),
        ("order_total", "decimal"),
        ("discount_code", "string"),
    ),
    "raw_order_items": (
        ("order_id", "string"),
        ("product_id", "string"),
        ("quantity", "integer"),
        ("unit_price", "decimal"),
    ),
    "raw_returns": (
        ("return_id", "string"),
        ("order_id", "string"),
        ("product_id", "string"),
        ("quantity", "integer"),
        ("refund_amount", "decimal"),
        ("returned_at", "timestamp"),
        ("reason", "string"),
    ),
    "raw_products": (
        ("product_id", "string"),
        ("product_name", "string"),
        ("category", "string"),
        ("list_price", "decimal"),
    ),
    "raw_customers": (
        ("customer_id", "string"),
        ("email", "string"),
        ("full_name", "string"),
        ("country_code", "string"),
        ("created_at", "timestamp"),
    ),
}

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us"),
    "decimal": pa.decimal128(12, 2),
    "integer": pa.int32(),
}

# What dbt needs to parse and build the project. The raw seeds are written per scenario.
PROJECT_ITEMS = (
    "dbt_project.yml",
    "profiles.yml",
    "packages.yml",
    "dependencies.yml",
    "package-lock.yml",
    "selectors.yml",
    "models",
    "macros",
    "docs",
    "analyses",
    "snapshots",
    "dbt_packages",
    "tests/dbt",
    "seeds/lookups",
    "seeds/_seeds.yml",
)


class DbtFailed(RuntimeError):
    """dbt exited non-zero; keeps the command and dbt's output."""

    def __init__(self, command: str, output: str) -> None:
        super().__init__(f"{command}\n{output}")
        self.command = command
        self.output = output

    def summary(self, max_chars: int) -> str:
        """The command and the end of dbt's output, where it lists what failed."""
        output = self.output if len(self.output) <= max_chars else "...\n" + self.output[-max_chars:]
        return f"{self.command}\n{output}"


def dbt_executable() -> Path:
    """The dbt installed next to the running Python (the project's virtualenv)."""
    return Path(sys.executable).parent / "dbt"


def copy_project(destination: Path) -> None:
    """Copy what dbt needs from the repository into `destination`, without raw data or build output."""
    for item in PROJECT_ITEMS:
        source = REPO_ROOT / item
        target = destination / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, target)


def check_tables(tables: Tables) -> None:
    """Refuse a scenario that names an unknown table or column: a typo must not become a NULL."""
    unknown_tables = set(tables) - set(RAW_COLUMNS)
    if unknown_tables:
        raise ValueError(f"unknown raw tables: {sorted(unknown_tables)}")
    for table, rows in tables.items():
        known = {name for name, _ in RAW_COLUMNS[table]}
        for row in rows:
            unknown_columns = set(row) - known
            if unknown_columns:
                raise ValueError(f"{table}: unknown columns {sorted(unknown_columns)} in {dict(row)}")


def write_seed_csv(path: Path, table: str, rows: Sequence[Row]) -> None:
    """One raw seed: header = SPEC 1 columns in order; a NULL is an empty cell."""
    columns = [name for name, _ in RAW_COLUMNS[table]]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(name) is None else row.get(name) for name in columns])


def arrow_value(cell: str | None, column_type: str) -> Any:
    """A text cell as the Python value of its SPEC 1 type. Text is kept verbatim (blanks included)."""
    if column_type == "string":
        return cell
    if cell is None or cell.strip() == "":
        return None
    if column_type == "timestamp":
        return dt.datetime.fromisoformat(cell.strip())
    if column_type == "decimal":
        return Decimal(cell.strip())
    return int(cell.strip())


def write_parquet(path: Path, table: str, rows: Sequence[Row]) -> None:
    """One raw table as a Parquet file with the SPEC 1 types (timestamp, decimal(12,2), integer, string)."""
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in RAW_COLUMNS[table]])
    columns = {
        name: pa.array([arrow_value(row.get(name), kind) for row in rows], type=ARROW_TYPES[kind])
        for name, kind in RAW_COLUMNS[table]
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), path)


def write_raw_data(project_dir: Path, tables: Tables, mode: Mode) -> dict[str, Any]:
    """Write the scenario's raw tables for `mode`; return the dbt vars that point the project at them.

    In Parquet mode the raw seeds still exist (dbt builds every seed) but hold only their header, so a
    model that read a seed instead of the Parquet files would see no data and the test would fail.
    """
    seeds_dir = project_dir / "seeds"
    if mode == "seeds":
        for table in RAW_COLUMNS:
            write_seed_csv(seeds_dir / f"{table}.csv", table, tables.get(table, ()))
        return {}
    for table in RAW_COLUMNS:
        write_seed_csv(seeds_dir / f"{table}.csv", table, ())
        write_parquet(parquet_part(project_dir, table), table, tables.get(table, ()))
    return {"raw_data_path": str(raw_parquet_dir(project_dir))}


def raw_parquet_dir(project_dir: Path) -> Path:
    """The folder Parquet mode points `raw_data_path` at: one sub-folder of part files per raw table."""
    return project_dir / "raw"


def parquet_part(project_dir: Path, table: str, part: int = 0) -> Path:
    """Part file number `part` of a raw table in Parquet mode; dbt reads every part of the table's folder."""
    return raw_parquet_dir(project_dir) / table / f"part-{part}.parquet"


def dbt_environment(project_dir: Path, database: Path) -> dict[str, str]:
    """The environment of one isolated dbt run: its own database, temp folder and profiles."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DBT_", "ECOMMERCE_KPIS_"))
    }
    environment.update(
        ECOMMERCE_KPIS_DB=str(database),
        ECOMMERCE_KPIS_TEMP_DIR=str(project_dir / "duckdb_tmp"),
        DBT_PROFILES_DIR=str(project_dir),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return environment


def run_dbt(
    project_dir: Path, database: Path, arguments: Sequence[str], dbt_vars: Mapping[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    """One isolated dbt command in `project_dir` (its own database, target and logs); dbt's output kept."""
    command = [
        str(dbt_executable()),
        *arguments,
        "--target-path",
        str(project_dir / "target"),
        "--log-path",
        str(project_dir / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars))]
    return subprocess.run(
        command,
        cwd=project_dir,
        env=dbt_environment(project_dir, database),
        capture_output=True,
        text=True,
        check=False,
    )


def run_dbt_build(project_dir: Path, database: Path, dbt_vars: Mapping[str, Any]) -> str:
    """`dbt build` without unit tests; raise DbtFailed with dbt's output when anything fails."""
    result = run_dbt(project_dir, database, ["build", "--exclude", "test_type:unit"], dbt_vars)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise DbtFailed(f"{' '.join(result.args)} (in {project_dir}) exited {result.returncode}", output)
    return output


def build_pipeline(
    workdir: Path,
    tables: Tables,
    mode: Mode,
    dbt_vars: Mapping[str, Any] | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> Path:
    """Copy the project into `workdir`, write `tables` for `mode`, run dbt build; return the database.

    `prepare`, when given, edits the copied project (e.g. its YAML metadata) before dbt runs.
    """
    check_tables(tables)
    project_dir = workdir / "project"
    copy_project(project_dir)
    if prepare is not None:
        prepare(project_dir)
    all_vars = {**write_raw_data(project_dir, tables, mode), **(dbt_vars or {})}
    database = workdir / "pipeline.duckdb"
    run_dbt_build(project_dir, database, all_vars)
    return database


def read_artifact(project_dir: Path, name: str) -> dict[str, Any]:
    """A JSON artifact the last dbt command left in the project's target folder (run_results.json, manifest.json)."""
    return json.loads((project_dir / "target" / name).read_text(encoding="utf-8"))


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a built database."""
    return duckdb.connect(str(database), read_only=True)


def fetch_dicts(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows of a query as dicts keyed by column name."""
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# The column stamping each row with the start of the run that wrote it (macros/incremental.sql): it differs
# between any two builds by design, so comparisons of two builds leave it out.
RUN_STAMP_COLUMN = "built_at"


def without_run_stamp(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and rows without RUN_STAMP_COLUMN (unchanged when the relation has none)."""
    kept = [index for index, name in enumerate(columns) if name != RUN_STAMP_COLUMN]
    return [columns[index] for index in kept], [tuple(row[index] for index in kept) for row in rows]


def with_run_stamp_masked(compiled_sql: str) -> str:
    """Compiled SQL with the run's built_at literal (run_started_at, to the microsecond) replaced by a mark, so
    the SQL of two runs compares equal when only their start differs."""
    return re.sub(r"'\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}'", "'<run started>'", compiled_sql)


def build_ga4_pipeline(
    workdir: Path,
    write_export: Callable[[Path], None],
    dbt_vars: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Copy the project into `workdir`, let `write_export` write a GA4 export into a folder, run dbt build with
    the var ga4_export_path on it; return (project folder, database).

    The raw seeds hold only their header, so a model that read a seed instead of the export would see no data.
    """
    project_dir = workdir / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, {}, "seeds")
    export_dir = workdir / "ga4_export"
    export_dir.mkdir(parents=True, exist_ok=True)
    write_export(export_dir)
    database = workdir / "pipeline.duckdb"
    run_dbt_build(project_dir, database, {"ga4_export_path": str(export_dir), **(dbt_vars or {})})
    return project_dir, database
