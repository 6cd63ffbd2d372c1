"""Issue 7, faults: BI tools reading while `dbt build` runs.

What DuckDB 2 does with the build's own database file (documented in the README): one process writes it, and
while dbt holds it no other process can open it, not even read-only ("Conflicting lock is held"); the other way
round, a reader holding the file open makes `dbt build` fail to start.

What BI tools read instead: the copy scripts/publish_marts.py writes beside the database and swaps in atomically.
Reader processes polling it (open read-only, count every mart, close, again) during an incremental `dbt build`
and the publication that follows, and during publications alternating between two builds, are never refused
and always see one complete set: the row counts of every mart of load 1 or of every row, never a mix, never a
missing table. A reader that keeps the file open across a swap keeps reading the set it opened.

Databases: load 1 of the demo (the events loaded before 2026-08-15) and every row (tests/pytest/demo_build.py).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from demo_build import demo_build
from faults_support import (
    BUILD,
    MAX_OUTPUT,
    dbt_command,
    demo_project,
    environment,
    load_1_build,
    mart_counts,
    publish,
    read_counts,
    run,
    start_readers,
    stop_readers,
)

LOCK_ERROR = "Conflicting lock is held"


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """Row counts of every mart: after load 1, and after every row."""
    load_1 = mart_counts(load_1_build(tmp_path_factory))
    every_row = mart_counts(demo_build(tmp_path_factory).database)
    assert set(load_1) == set(every_row) and "kpi_scorecard" in load_1
    assert load_1 != every_row, "the two loads must be told apart by their counts"
    return {"load_1": load_1, "every_row": every_row}


@pytest.fixture
def incremental(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project with every demo row, a copy of the load-1 database): the next `dbt build` is an incremental load."""
    database = tmp_path / "kpis.duckdb"
    shutil.copy2(load_1_build(tmp_path_factory), database)
    return demo_project(tmp_path / "project"), database


def build_watching_readers(project_dir: Path, database: Path) -> tuple[str, list[tuple[int, str]]]:
    """Run `dbt build` and, once it has started a node, try to open its database read-only every 0.1 s until it
    exits. Returns dbt's output and the attempts: (log lines seen when the attempt ended, opened | refused)."""
    process = subprocess.Popen(
        dbt_command(project_dir, BUILD), cwd=project_dir, env=environment(project_dir, database),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    attempts: list[tuple[int, str]] = []
    try:
        while process.poll() is None:
            if any(" START " in line for line in lines):
                try:
                    duckdb.connect(str(database), read_only=True).close()
                    attempts.append((len(lines), "opened"))
                except duckdb.IOException as error:
                    assert LOCK_ERROR in str(error)
                    attempts.append((len(lines), "refused"))
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        reader.join(timeout=10)
    output = "".join(lines)
    assert process.returncode == 0, output[-MAX_OUTPUT:]
    return output, attempts


def observed_sets(records: list[dict[str, Any]], counts: dict[str, dict[str, int]]) -> list[str]:
    """The name of the complete set each record of one reader saw; fails on an error or a set that is neither."""
    failures = [record for record in records if not record["ok"]]
    assert not failures, f"{len(failures)} of {len(records)} reads failed, e.g. {failures[0]['error']}"
    names = []
    for record in records:
        seen = record["counts"]
        name = next((name for name, expected in counts.items() if seen == expected), None)
        assert name is not None, f"a reader saw an incomplete or mixed set: {seen}"
        assert record["publication"] == [len(seen), sum(seen.values())]
        names.append(name)
    return names


def test_during_a_build_its_database_refuses_readers_and_the_published_copy_serves_them(
    incremental: tuple[Path, Path], tmp_path: Path, counts: dict[str, dict[str, int]]
) -> None:
    """One incremental build: this process tries the build's database, two reader processes poll the copy."""
    project_dir, database = incremental
    published = tmp_path / "kpis_bi.duckdb"
    assert publish(database, published).returncode == 0
    processes, outputs, stop = start_readers(published, tmp_path, 2)
    try:
        output, attempts = build_watching_readers(project_dir, database)
        published_now = publish(database, published)
        assert published_now.returncode == 0, published_now.stderr
        time.sleep(1)
    finally:
        readers = stop_readers(processes, outputs, stop)

    # The build's own database: refused while dbt holds it.
    refused = [seen for seen, outcome in attempts if outcome == "refused"]
    assert len(refused) >= 3, f"too few attempts during the build: {attempts}"
    # An attempt may succeed only once dbt has closed the file: after the last node started.
    last_start = max(index for index, line in enumerate(output.splitlines(keepends=True)) if " START " in line)
    assert all(seen > last_start for seen, outcome in attempts if outcome == "opened"), attempts

    # The published copy: every read succeeded and saw one complete set, load 1 until the publication.
    for records in readers:
        names = observed_sets(records, counts)
        assert len(names) >= 20
        assert names[0] == "load_1" and names[-1] == "every_row"
        # Once a reader has seen the new set, the old one never comes back.
        assert names == sorted(names, key=["load_1", "every_row"].index)
    assert mart_counts(database) == counts["every_row"]


def test_a_reader_holding_the_database_makes_dbt_build_fail(incremental: tuple[Path, Path]) -> None:
    project_dir, database = incremental
    with duckdb.connect(str(database), read_only=True):
        result = run(project_dir, database, BUILD)
    assert result.returncode != 0
    assert LOCK_ERROR in result.stdout + result.stderr


def test_publishing_swaps_atomically_under_readers(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, counts: dict[str, dict[str, int]]
) -> None:
    sources = {"load_1": load_1_build(tmp_path_factory), "every_row": demo_build(tmp_path_factory).database}
    published = tmp_path / "kpis_bi.duckdb"
    assert publish(sources["load_1"], published).returncode == 0
    processes, outputs, stop = start_readers(published, tmp_path, 2)
    order = ["every_row", "load_1"] * 5
    try:
        for name in order:
            result = publish(sources[name], published)
            assert result.returncode == 0, result.stderr
    finally:
        readers = stop_readers(processes, outputs, stop)
    for records in readers:
        names = observed_sets(records, counts)
        switches = sum(1 for before, after in itertools.pairwise(names) if before != after)
        assert switches >= 3, f"a reader saw too few publications to test the swap: {switches}"
    # Only the published file is left: no temporary copy, no write-ahead log.
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith((".kpis_bi", "kpis_bi"))) == [
        "kpis_bi.duckdb"
    ]


def test_a_reader_keeps_its_set_across_a_swap(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, counts: dict[str, dict[str, int]]
) -> None:
    published = tmp_path / "kpis_bi.duckdb"
    assert publish(load_1_build(tmp_path_factory), published).returncode == 0
    with duckdb.connect(str(published), read_only=True) as connection:
        assert read_counts(connection) == counts["load_1"]
        assert publish(demo_build(tmp_path_factory).database, published).returncode == 0
        assert read_counts(connection) == counts["load_1"]
    assert mart_counts(published) == counts["every_row"]


def test_the_published_copy_holds_marts_only_read_only(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, counts: dict[str, dict[str, int]]
) -> None:
    published = tmp_path / "kpis_bi.duckdb"
    database = demo_build(tmp_path_factory).database
    result = publish(database, published)
    assert result.returncode == 0, result.stderr
    assert f"Published {len(counts['every_row'])} mart tables" in result.stdout
    assert stat.S_IMODE(os.stat(published).st_mode) == 0o444
    with duckdb.connect(str(published), read_only=True) as connection:
        schemas = connection.execute(
            "select distinct table_schema from information_schema.tables order by 1"
        ).fetchall()
        publication = connection.execute("select mart_tables, mart_rows, as_of_date from meta.publication").fetchone()
        as_of = connection.execute("select max(window_end) from marts.kpi_scorecard").fetchone()
    assert schemas == [("marts",), ("meta",)]
    assert publication[:2] == (len(counts["every_row"]), sum(counts["every_row"].values()))
    assert publication[2] is not None and as_of[0] is not None and publication[2] >= as_of[0]


def test_publish_refuses_and_keeps_the_previous_copy(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, counts: dict[str, dict[str, int]]
) -> None:
    database = tmp_path / "kpis.duckdb"
    shutil.copy2(load_1_build(tmp_path_factory), database)
    published = tmp_path / "kpis_bi.duckdb"
    assert publish(database, published).returncode == 0

    # The build's database still open for writing (a dbt build running).
    with duckdb.connect(str(database)):
        result = publish(database, published)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "is open in another process (is a dbt build still running?); nothing published"
    )

    # A failed dbt run.
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"results": [
        {"unique_id": "model.ecommerce_kpis.fct_sessions", "status": "success"},
        {"unique_id": "model.ecommerce_kpis.kpi_traffic", "status": "error"},
        {"unique_id": "model.ecommerce_kpis.kpi_scorecard", "status": "skipped"},
    ]}))
    script = publish(database, published, "--run-results", str(run_results))
    assert script.returncode == 1
    expected = "did not succeed: model.ecommerce_kpis.kpi_traffic (error), model.ecommerce_kpis.kpi_scorecard (skipped)"
    assert expected in script.stderr

    # No database at all.
    missing = publish(tmp_path / "missing.duckdb", published)
    assert missing.returncode == 1 and "no database at" in missing.stderr

    assert mart_counts(published) == counts["load_1"]
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".kpis_bi")] == []
