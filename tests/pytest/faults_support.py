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
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pipeline import (
    RAW_COLUMNS,
    REPO_ROOT,
    copy_project,
    dbt_environment,
    dbt_executable,
    without_run_stamp,
    write_parquet,
)

DEMO_SEEDS = REPO_ROOT / "seeds"
PUBLISH = REPO_ROOT / "scripts" / "publish_marts.py"
Snapshot = dict[str, tuple[list[str], list[tuple[Any, ...]]]]
# Load 1 of the demo: the events loaded before this; every other raw table whole.
LOAD_1_BEFORE = "2026-08-15 00:00:00"
BUILD = ("build", "--exclude", "test_type:unit")
MAX_OUTPUT = 6_000


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
    """Columns and rows (sorted, floats rounded as in row_key) of every table of `schema`, without the run stamp
    `built_at` (it differs between any two builds)."""
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
            columns, rows = without_run_stamp([column[0] for column in cursor.description], cursor.fetchall())
            result[name] = (columns, sorted(row_key(row) for row in rows))
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


_load_1: dict[str, Path | str] = {}


def load_1_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built (`dbt build`, data tests included) on load 1 of the demo, once per test session; copy it
    before writing to it."""
    if "database" not in _load_1:
        workdir = tmp_path_factory.mktemp("faults-load-1")
        project_dir = demo_project(workdir / "project")
        kept = write_demo_seed(project_dir, "raw_events", lambda row: (row["loaded_at"] or "") < LOAD_1_BEFORE)
        assert kept > 0
        database = workdir / "load_1.duckdb"
        result = run(project_dir, database, BUILD)
        if result.returncode == 0:
            _load_1["database"] = database
        else:
            _load_1["database"] = (result.stdout + result.stderr)[-MAX_OUTPUT:]
    built = _load_1["database"]
    if isinstance(built, str):
        pytest.fail(f"dbt build of load 1 of the demo failed:\n{built}", pytrace=False)
    assert not built.with_name(built.name + ".wal").exists()
    return built


def publish(database: Path, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """scripts/publish_marts.py from `database` to `output` (`extra`: more arguments)."""
    return subprocess.run(
        [sys.executable, str(PUBLISH), "--database", str(database), "--out", str(output), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def mart_counts(database: Path) -> dict[str, int]:
    """Row count of every table of schema marts."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return read_counts(connection)


def read_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = connection.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return {name: connection.execute(f'select count(*) from marts."{name}"').fetchone()[0] for (name,) in names}


def poll(database: Path, out: Path, stop: Path) -> None:
    """A BI reader: until `stop` exists, open `database` read-only, read the row count of every mart and the
    publication record, close; one JSON line per attempt in `out` (ok + counts, or the error)."""
    with out.open("w", encoding="utf-8") as handle:
        while not stop.exists():
            record: dict[str, Any] = {}
            try:
                with duckdb.connect(str(database), read_only=True) as connection:
                    record["counts"] = read_counts(connection)
                    row = connection.execute("select mart_tables, mart_rows from meta.publication").fetchone()
                    record["publication"] = list(row) if row else None
                record["ok"] = True
            except duckdb.Error as error:
                record.update(ok=False, error=str(error).splitlines()[0])
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            time.sleep(0.05)


def start_readers(database: Path, folder: Path, count: int) -> tuple[list[subprocess.Popen[bytes]], list[Path], Path]:
    """`count` reader processes polling `database` (this file run as a script); returns them, their output
    files and the stop file that ends them."""
    stop = folder / "stop-readers"
    outputs = [folder / f"reader-{number}.jsonl" for number in range(count)]
    processes = [
        subprocess.Popen([sys.executable, __file__, "poll", str(database), str(out), str(stop)]) for out in outputs
    ]
    return processes, outputs, stop


def stop_readers(
    processes: list[subprocess.Popen[bytes]], outputs: list[Path], stop: Path
) -> list[list[dict[str, Any]]]:
    """End the readers and return the records of each, in the order it wrote them."""
    stop.touch()
    for process in processes:
        assert process.wait(timeout=60) == 0
    return [[json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] for out in outputs]


if __name__ == "__main__" and sys.argv[1:2] == ["poll"]:
    poll(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
