"""kpi_scorecard (SPEC 6) on the hand-made traffic scenario, with SMART targets chosen for the test.

The traffic scenario's marts are known row by row (tests/pytest/scenarios/traffic.py): sessions started on
2024-03-09 (D1) and 2024-03-10 (D2), as_of_date 2024-03-11. Four KPI marts get test metadata whose scorecard
rows are worked out below by hand; the other marts keep the project's own metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from pipeline import build_pipeline, connect, fetch_dicts
from scenarios import traffic

KPIS_YAML = Path("models") / "marts" / "kpis" / "_kpis__models.yml"

# Per KPI mart: the metadata fields the test sets (the rest -- label, owner, SMART texts -- stay the project's).
TEST_METADATA: dict[str, dict[str, Any]] = {
    # Increase, met on the edge: D2 has 6 sessions (direct 2, email, other, paid_social, referral); 6 >= 6.
    "kpi_traffic": {
        "value": "sum(sessions)",
        "target": 6,
        "direction": "increase",
        "unit": "count",
        "deadline": "2024-12-31",
        "window_days": 1,
    },
    # Decrease, met on the edge: the same 6 sessions of D2 counted from the per-device rows; 6 <= 6.
    "kpi_cart_abandonment": {
        "value": "sum(sessions)",
        "target": 6,
        "direction": "decrease",
        "unit": "count",
        "deadline": "2024-12-31",
        "window_days": 1,
    },
    # Increase, not met: both days, (3 + 1 + 3 + 4 + 2 + 2) pageviews / (2 + 1 + 1 + 3 + 1 + 2) sessions = 1.5 < 2.
    "kpi_engagement": {
        "value": "sum(pageviews) * 1.0 / nullif(sum(sessions), 0)",
        "target": 2.0,
        "direction": "increase",
        "unit": "ratio",
        "deadline": "2025-01-31",
        "window_days": 2,
    },
    # Decrease with a filter, missed: only /cart rows pass, and the only one is on D1 (1 pageview, 1 exit), so
    # the window is D1 alone although D2 has rows; 1.0 > 0.5 and the deadline 2024-03-01 is past.
    "kpi_exit_pages": {
        "value": "sum(exits) * 1.0 / nullif(sum(pageviews), 0)",
        "target": 0.5,
        "direction": "decrease",
        "unit": "ratio",
        "deadline": "2024-03-01",
        "window_days": 1,
        "filter": "page_path = '/cart'",
    },
}

D1, D2 = dt.date(2024, 3, 9), dt.date(2024, 3, 10)
# (window_start, window_end, actual_value, target, gap, status, days_to_deadline); as_of_date is 2024-03-11.
EXPECTED = {
    "kpi_traffic": (D2, D2, 6.0, 6.0, 0.0, "met", 295),  # 2024-03-11 -> 2024-12-31
    "kpi_cart_abandonment": (D2, D2, 6.0, 6.0, 0.0, "met", 295),
    "kpi_engagement": (D1, D2, 1.5, 2.0, -0.5, "not_met", 326),  # -> 2025-01-31
    "kpi_exit_pages": (D1, D1, 1.0, 0.5, 0.5, "missed", -10),  # 2024-03-01 is 10 days before as_of_date
}


def set_test_metadata(project_dir: Path) -> None:
    path = project_dir / KPIS_YAML
    document = yaml.safe_load(path.read_text())
    for model in document["models"]:
        if model["name"] in TEST_METADATA:
            model["config"]["meta"]["kpi"].pop("time_column", None)
            model["config"]["meta"]["kpi"].pop("filter", None)
            model["config"]["meta"]["kpi"].update(TEST_METADATA[model["name"]])
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@pytest.fixture(scope="module")
def scorecard_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    workdir = tmp_path_factory.mktemp("scorecard")
    connection = connect(build_pipeline(workdir, traffic.SCENARIO.tables, "seeds", prepare=set_test_metadata))
    yield connection, workdir / "project"
    connection.close()


def test_scorecard_has_one_row_per_kpi_mart(scorecard_build: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    connection, _ = scorecard_build
    models = [row["kpi_model"] for row in fetch_dicts(connection, "select kpi_model from marts.kpi_scorecard")]
    kpi_marts = fetch_dicts(
        connection,
        "select table_name from information_schema.tables"
        " where table_schema = 'marts' and table_name like 'kpi%' and table_name != 'kpi_scorecard'",
    )
    assert sorted(models) == sorted(row["table_name"] for row in kpi_marts)
    assert len(models) == 9


@pytest.mark.parametrize("kpi_model", list(EXPECTED))
def test_scorecard_row_computed_by_hand(
    scorecard_build: tuple[duckdb.DuckDBPyConnection, Path], kpi_model: str
) -> None:
    connection, _ = scorecard_build
    [row] = fetch_dicts(
        connection,
        "select window_start, window_end, actual_value, target, gap, status, days_to_deadline, direction, deadline"
        f" from marts.kpi_scorecard where kpi_model = '{kpi_model}'",
    )
    window_start, window_end, actual, target, gap, status, days = EXPECTED[kpi_model]
    assert (row["window_start"], row["window_end"]) == (window_start, window_end)
    assert row["actual_value"] == pytest.approx(actual)
    assert row["target"] == pytest.approx(target)
    assert row["gap"] == pytest.approx(gap, abs=1e-12)
    assert row["status"] == status
    assert row["days_to_deadline"] == days
    assert row["direction"] == TEST_METADATA[kpi_model]["direction"]
    assert row["deadline"] == dt.date.fromisoformat(TEST_METADATA[kpi_model]["deadline"])


def test_warning_test_names_each_kpi_not_met(scorecard_build: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    connection, project_dir = scorecard_build
    log = (project_dir / "logs" / "dbt.log").read_text()
    not_met = fetch_dicts(connection, "select kpi_model, status from marts.kpi_scorecard where status != 'met'")
    assert {"kpi_engagement", "kpi_exit_pages"} <= {row["kpi_model"] for row in not_met}
    for row in not_met:
        assert f"KPI {row['status']}: " in log and f"({row['kpi_model']}) is " in log
    for met in ("kpi_traffic", "kpi_cart_abandonment"):
        assert f"({met}) is " not in log
    assert "WARN " in log and "assert_kpis_meet_targets" in log
