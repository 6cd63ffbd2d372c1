"""Helpers of the fault tests (issue 7): the demo project in a scratch folder, dbt run in the background with
its log lines watched, and marts snapshotted for comparison.

Built on tests/pytest/pipeline.py (copy_project, dbt_environment): every project copy has its own database,
target and logs, so these tests never touch the repository's database or each other's.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
from pipeline import RAW_COLUMNS, REPO_ROOT, copy_project, dbt_environment, dbt_executable, write_parquet

DEMO_SEEDS = REPO_ROOT / "seeds"
Snapshot = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def read_demo_table(table: str) -> list[dict[str, str | None]]:
    """The committed demo rows of one raw table, as text cells (an empty cell is NULL)."""
    with (DEMO_SEEDS / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return [{key: (value if value != "" else None) for key, value in row.items()} for row in csv.DictReader(handle)]


def demo_tables() -> dict[str, list[dict[str, str | None]]]:
    return {table: read_demo_table(table) for table in RAW_COLUMNS}


def demo_project(project_dir: Path) -> Path:
    """A copy of the project with the committed demo seeds."""
    copy_project(project_dir)
    for table in RAW_COLUMNS:
        shutil.copy2(DEMO_SEEDS / f"{table}.csv", project_dir / "seeds" / f"{table}.csv")
    return project_dir


def write_demo_seed(project_dir: Path, table: str, keep: Callable[[dict[str, str | None]], bool]) -> int:
    """Rewrite one raw seed of the copy with the demo rows that `keep` accepts; return how many were kept."""
    source = DEMO_SEEDS / f"{table}.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fieldnames = list(reader.fieldnames or [])
        rows = [row for row in reader if keep({key: (value or None) for key, value in row.items()})]
    with (project_dir / "seeds" / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def write_demo_parquet(folder: Path) -> Path:
    """The demo raw tables as Parquet, <folder>/<table>/part-0.parquet, for the var raw_data_path."""
    for table, rows in demo_tables().items():
        write_parquet(folder / table / "part-0.parquet", table, rows)
    return folder


def environment(project_dir: Path, database: Path, **extra: str) -> dict[str, str]:
    return {**dbt_environment(project_dir, database), **extra}


def dbt_command(project_dir: Path, arguments: Sequence[str], dbt_vars: Mapping[str, Any] | None = None) -> list[str]:
    command = [
        str(dbt_executable()),
        "--no-use-colors",
        *arguments,
        "--target-path",
        str(project_dir / "target"),
        "--log-path",
        str(project_dir / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars))]
    return command


def run(
    project_dir: Path,
    database: Path,
    arguments: Sequence[str],
    dbt_vars: Mapping[str, Any] | None = None,
    **extra_env: str,
) -> subprocess.CompletedProcess[str]:
    """One dbt command in the copy, to completion; output kept."""
    return subprocess.run(
        dbt_command(project_dir, arguments, dbt_vars),
        cwd=project_dir,
        env=environment(project_dir, database, **extra_env),
        capture_output=True,
        text=True,
        check=False,
    )


def build_and_kill(
    project_dir: Path,
    database: Path,
    kill_when: Callable[[str], bool],
    dbt_vars: Mapping[str, Any] | None = None,
    timeout_seconds: float = 600,
) -> tuple[int, str, str | None]:
    """Start `dbt build` (one dbt thread, so nodes run one after the other), read its log lines as they come and
    SIGKILL its whole process group on the first line `kill_when` accepts: no cleanup, like a crash or an OOM
    kill. Returns (exit status, output, the line that triggered the kill or None if the build ended first)."""
    process = subprocess.Popen(
        dbt_command(project_dir, ["build", "--exclude", "test_type:unit"], dbt_vars),
        cwd=project_dir,
        env=environment(project_dir, database, ECOMMERCE_KPIS_THREADS="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    trigger = None
    try:
        for line in process.stdout:
            lines.append(line)
            if kill_when(line):
                trigger = line.strip()
                os.killpg(process.pid, signal.SIGKILL)
                break
        lines.extend(process.stdout.read().splitlines(keepends=True))
        status = process.wait(timeout=timeout_seconds)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return status, "".join(lines), trigger


def node_started(name: str) -> Callable[[str], bool]:
    """A kill_when: dbt logged the START of the model or seed `name` (e.g. `... START sql table model
    marts.fct_sessions ...`)."""
    return lambda line: " START " in line and f".{name} " in line


def relations(database: Path) -> dict[str, str]:
    """schema.name -> table type of every relation of a database (opened read-only)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
    return {f"{schema}.{name}": kind for schema, name, kind in rows}


def row_key(row: Sequence[Any]) -> tuple[tuple[bool, str, str], ...]:
    """A total order on rows of mixed types and NULLs; floats rounded to 9 significant digits, so the last-bit
    noise of a parallel sum sorts and compares alike."""
    return tuple(
        (value is None, type(value).__name__, f"{value:.9g}" if isinstance(value, float) else str(value))
        for value in row
    )


def snapshot(database: Path, schema: str = "marts") -> Snapshot:
    """Columns and rows (sorted, floats rounded as in row_key) of every table of `schema`."""
    result: Snapshot = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        for name in names:
            cursor = connection.execute(f'select * from "{schema}"."{name}"')
            columns = [column[0] for column in cursor.description]
            result[name] = (columns, sorted(row_key(row) for row in cursor.fetchall()))
    return result


def differences(actual: Snapshot, expected: Snapshot) -> list[str]:
    """What differs between two snapshots, one line per table."""
    lines = []
    for name in sorted(set(actual) | set(expected)):
        if name not in actual or name not in expected:
            lines.append(f"{name}: only in {'expected' if name in expected else 'actual'}")
            continue
        (actual_columns, actual_rows), (expected_columns, expected_rows) = actual[name], expected[name]
        if actual_columns != expected_columns:
            lines.append(f"{name}: columns {actual_columns} != {expected_columns}")
        elif actual_rows != expected_rows:
            missing = [row for row in expected_rows if row not in actual_rows][:3]
            extra = [row for row in actual_rows if row not in expected_rows][:3]
            lines.append(
                f"{name}: {len(actual_rows)} rows vs {len(expected_rows)} expected;"
                f" missing e.g. {missing}; extra e.g. {extra}"
            )
    return lines
