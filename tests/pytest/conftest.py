"""Shared fixtures of the pytest suite."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

# Let the tests import the harness (`pipeline`) and the scenario data (`scenarios`) beside them.
sys.path.insert(0, str(Path(__file__).resolve().parent))
# ...and the scripts, as `python scripts/<name>.py` sees its sibling modules.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from pipeline import DbtFailed, Mode, build_pipeline, connect
from scenarios import Scenario

BuiltPipeline = Callable[[Scenario, Mode], duckdb.DuckDBPyConnection]

# dbt prints its errors and the summary last; keep the test report readable.
MAX_DBT_OUTPUT_CHARS = 12_000


@pytest.fixture(scope="session")
def built_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltPipeline]:
    """A function (scenario, mode) -> read-only connection to the database dbt built for it.

    Each (scenario, mode) is built once per test session, on first use; a failed build fails every test
    that needs it, with dbt's output, without running dbt again.
    """
    connections: dict[tuple[str, Mode], duckdb.DuckDBPyConnection] = {}
    failures: dict[tuple[str, Mode], str] = {}

    def get(scenario: Scenario, mode: Mode) -> duckdb.DuckDBPyConnection:
        key = (scenario.name, mode)
        if key not in connections and key not in failures:
            workdir = tmp_path_factory.mktemp(f"{scenario.name}-{mode}")
            try:
                connections[key] = connect(build_pipeline(workdir, scenario.tables, mode, scenario.dbt_vars))
            except DbtFailed as error:
                failures[key] = error.summary(MAX_DBT_OUTPUT_CHARS)
        if key in failures:
            pytest.fail(f"dbt build failed for scenario {scenario.name!r} in {mode} mode:\n{failures[key]}",
                        pytrace=False)
        return connections[key]

    yield get
    for connection in connections.values():
        connection.close()
