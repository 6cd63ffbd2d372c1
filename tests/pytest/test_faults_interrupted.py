"""Issue 7, faults: a `dbt build` killed halfway leaves the database usable, and the next build completes with
the marts an uninterrupted build gives.

The demo shop (the committed seeds) in scratch copies of the project, seed mode:

- reference: one uninterrupted `dbt build` of every row (tests/pytest/demo_build.py);
- killed first build: an empty database, `dbt build` SIGKILLed (the whole process group, no cleanup) when it
  starts `fct_sessions`, i.e. with staging and intermediate built and no mart complete;
- killed incremental load: a database built on load 1 (the events loaded before 2026-08-15), then every row
  arrives and the next `dbt build` is SIGKILLed when it starts, in turn, loading the raw_events seed, the
  incremental `stg_shop__events` (after `base_shop__events` appended the new rows), or the mart
  `kpi_conversion_rate` (with `fct_sessions` already rebuilt and the scorecard not).

After each kill the database opens and every relation the last complete build made can be read; then a plain
`dbt build` (data tests included: the accounting identity must hold) succeeds, and every table and view of
staging, intermediate and marts equals the reference, row for row, with no `__dbt_tmp` / `__dbt_backup`
leftovers. The mart kill also shows why BI tools read the published copy (scripts/publish_marts.py): the
build's own database then mixes two loads (new sessions, old scorecard), while the published file still holds
load 1 complete, and after the next successful build and publication the reference.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
from demo_build import demo_build
from faults_support import (
    BUILD,
    MAX_OUTPUT,
    Snapshot,
    build_and_kill,
    demo_project,
    differences,
    load_1_build,
    node_started,
    publish,
    relations,
    run,
    snapshot,
)

COMPARED_SCHEMAS = ("staging", "intermediate", "marts")


def build(project_dir: Path, database: Path) -> None:
    result = run(project_dir, database, BUILD)
    assert result.returncode == 0, f"dbt build failed:\n{(result.stdout + result.stderr)[-MAX_OUTPUT:]}"


def publish_ok(database: Path, output: Path) -> None:
    result = publish(database, output)
    assert result.returncode == 0, result.stderr


def full_snapshot(database: Path) -> dict[str, Snapshot]:
    return {schema: snapshot(database, schema) for schema in COMPARED_SCHEMAS}


def assert_equals_reference(database: Path, reference: dict[str, Snapshot]) -> None:
    actual = full_snapshot(database)
    problems = [
        f"{schema}.{line}" for schema in COMPARED_SCHEMAS for line in differences(actual[schema], reference[schema])
    ]
    assert not problems, "after the rebuild, differs from the uninterrupted build:\n" + "\n".join(problems)
    leftovers = [name for name in relations(database) if "__dbt_tmp" in name or "__dbt_backup" in name]
    assert not leftovers, f"dbt's intermediate relations left behind: {leftovers}"


def assert_killed(status: int, output: str, trigger: str | None, node: str) -> None:
    assert trigger is not None, f"dbt build ended before it started {node}:\n{output[-MAX_OUTPUT:]}"
    assert status == -signal.SIGKILL, f"dbt exited {status}, not killed:\n{output[-MAX_OUTPUT:]}"
    assert "Completed successfully" not in output


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Snapshot]:
    """Staging, intermediate and marts of one uninterrupted build of every demo row (the shared demo build)."""
    return full_snapshot(demo_build(tmp_path_factory).database)


@pytest.fixture(scope="module")
def load_1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Snapshot]:
    """A database built on load 1 only (the demo events loaded before LOAD_1_BEFORE), and its marts."""
    database = load_1_build(tmp_path_factory)
    return database, snapshot(database)


def test_a_first_build_killed_halfway_then_rebuilt(tmp_path: Path, reference: dict[str, Snapshot]) -> None:
    project_dir = demo_project(tmp_path / "project")
    database = tmp_path / "kpis.duckdb"
    status, output, trigger = build_and_kill(project_dir, database, node_started("fct_sessions"))
    assert_killed(status, output, trigger, "fct_sessions")

    # Usable: the file opens (DuckDB replays or drops the write-ahead log) and what was committed is readable.
    built = relations(database)
    assert "staging.stg_shop__events" in built and "intermediate.int_sessions_classified" in built
    assert "marts.kpi_scorecard" not in built, "the kill came too late to be halfway"
    for schema in COMPARED_SCHEMAS:
        snapshot(database, schema)

    build(project_dir, database)
    assert_equals_reference(database, reference)


@pytest.mark.parametrize("node", ["raw_events", "stg_shop__events", "kpi_conversion_rate"])
def test_an_incremental_build_killed_halfway_then_rebuilt(
    tmp_path: Path, node: str, reference: dict[str, Snapshot], load_1: tuple[Path, Snapshot]
) -> None:
    load_1_database, load_1_marts = load_1
    database = tmp_path / "kpis.duckdb"
    shutil.copy2(load_1_database, database)
    published = tmp_path / "kpis_bi.duckdb"
    publish_ok(database, published)
    project_dir = demo_project(tmp_path / "project")  # every row: load 1 and the rest

    status, output, trigger = build_and_kill(project_dir, database, node_started(node))
    assert_killed(status, output, trigger, node)

    # Usable: every mart is there and readable (from load 1 or from the killed build).
    marts = snapshot(database)
    assert set(marts) == set(load_1_marts)
    if node == "kpi_conversion_rate":
        # The build's database now mixes two loads: a BI tool reading it would see sessions of every row and
        # the scorecard of load 1. The published copy does not.
        assert load_1_marts["fct_sessions"] != reference["marts"]["fct_sessions"]
        assert marts["fct_sessions"] == reference["marts"]["fct_sessions"]
        assert marts["kpi_scorecard"] == load_1_marts["kpi_scorecard"]
    assert snapshot(published) == load_1_marts

    build(project_dir, database)
    assert_equals_reference(database, reference)
    publish_ok(database, published)
    assert snapshot(published) == reference["marts"]
