"""scripts/summarize_marts.py: what `make build` prints at the end, on a scenario whose numbers are known."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
from pipeline import Mode
from scenarios import Scenario, traffic

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "summarize_marts.py"

BuiltPipeline = Callable[[Scenario, Mode], duckdb.DuckDBPyConnection]


def summarize(database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env={**os.environ, "ECOMMERCE_KPIS_DB": str(database)},
    )


def figure(output: str, label: str) -> str:
    """The value printed on the line that starts with `label`."""
    for line in output.splitlines():
        if line.strip().startswith(label):
            return line.split()[-1]
    raise AssertionError(f"no line {label!r} in:\n{output}")


def test_summary_prints_row_counts_and_latest_day_headlines(built_pipeline: BuiltPipeline) -> None:
    connection = built_pipeline(traffic.SCENARIO, "seeds")
    database = Path(
        connection.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
    )
    result = summarize(database)
    assert result.returncode == 0, result.stderr
    # Hand-counted in scenarios/traffic.py: 9 (day, channel) rows; on the latest day (D2) six sessions
    # (direct 2, email, other, paid_social, referral) of five visitors with 3 + 1 + 1 + 1 + 2 = 8 pageviews.
    assert re.search(r"^\s+kpi_traffic\s+9 rows$", result.stdout, re.MULTILINE), result.stdout
    assert f"Latest day with sessions: {traffic.D2}" in result.stdout
    assert figure(result.stdout, "sessions") == "6"
    assert figure(result.stdout, "users") == "5"
    assert figure(result.stdout, "pageviews") == "8"
    assert figure(result.stdout, "pages per session") == "1.33"


def test_summary_fails_with_one_line_without_a_database(tmp_path: Path) -> None:
    result = summarize(tmp_path / "missing.duckdb")
    assert result.returncode == 1
    missing = tmp_path / "missing.duckdb"
    assert result.stderr.strip() == f"summarize_marts: no database at {missing}; run `make build` first"
