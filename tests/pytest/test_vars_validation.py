"""Issue 7: an invalid var stops dbt before anything runs, with one line naming the var and the problem
(macros/validate_vars.sql, the first on-run-start hook); valid vars let it run.

Each case passes vars to `dbt build` in a copy of the project (seed mode, empty raw seeds); the expected lines
are written out here, not read from the macro.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from faults_support import run, write_demo_parquet
from pipeline import copy_project, write_raw_data
from test_smart_metadata_validation import built_tables

HEADER = "Invalid vars (dbt_project.yml or --vars)"
TIMEOUT = "var session_timeout_minutes must be a number of minutes, more than 0 and at most 52560000 (100 years), got "
WINDOW_DAYS = "var {} must be a whole number of days, from 0 to 36500 (100 years), got "
LOOKBACK = "var incremental_lookback_minutes must be a whole number of minutes, from 0 to 52560000 (100 years), got "
LATENESS = "var max_event_lateness_days must be a number of days, from 0 to 36500 (100 years), got "
SKEW = "var max_clock_skew_hours must be a number of hours, from 0 to 876000 (100 years), got "
RATE = "var max_rejection_rate must be a number, from 0 to 1, got "
TABLES = "raw_events, raw_orders, raw_order_items, raw_returns, raw_products, raw_customers"

# (vars, the lines dbt must print): the cases the issue names first, then the other vars.
CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "negative_timeout": (
        {"session_timeout_minutes": -30},
        [f"{TIMEOUT}-30"],
    ),
    "zero_timeout": (
        {"session_timeout_minutes": 0},
        [f"{TIMEOUT}0"],
    ),
    "timeout_as_text": (
        {"session_timeout_minutes": "30 minutes"},
        [f'{TIMEOUT}"30 minutes"'],
    ),
    "malformed_as_of_date": (
        {"as_of_date": "31/08/2026"},
        ['var as_of_date must be null or a date written YYYY-MM-DD, got "31/08/2026"'],
    ),
    "malformed_plausibility_floor": (
        {"earliest_plausible_date": "1/1/2000"},
        ['var earliest_plausible_date must be a date written YYYY-MM-DD, got "1/1/2000"'],
    ),
    "impossible_as_of_date": (
        {"as_of_date": "2026-02-30"},
        ['var as_of_date must be null or a date written YYYY-MM-DD, got "2026-02-30"'],
    ),
    "missing_raw_data_path": (
        {"raw_data_path": "/nonexistent/shop"},
        [
            (
                'var raw_data_path: no Parquet files under "/nonexistent/shop" (it does not exist or is empty); '
                f"expected /nonexistent/shop/<table>/*.parquet for {TABLES}"
            )
        ],
    ),
    "negative_windows": (
        {"return_window_days": -1, "repurchase_window_days": -90, "incremental_lookback_minutes": -60},
        [
            f"{WINDOW_DAYS.format('return_window_days')}-1",
            f"{WINDOW_DAYS.format('repurchase_window_days')}-90",
            f"{LOOKBACK}-60",
        ],
    ),
    "windows_not_whole": (
        {"return_window_days": 1.5, "repurchase_window_days": "90"},
        [
            f"{WINDOW_DAYS.format('return_window_days')}1.5",
            f'{WINDOW_DAYS.format("repurchase_window_days")}"90"',
        ],
    ),
    # YAML floats that are not numbers (.nan) or not finite (.inf): no var takes them.
    "not_finite": (
        {
            "session_timeout_minutes": math.nan,
            "return_window_days": math.inf,
            "max_clock_skew_hours": math.inf,
            "max_rejection_rate": math.nan,
        },
        [f"{TIMEOUT}NaN", WINDOW_DAYS.format("return_window_days") + "Infinity", f"{SKEW}Infinity", f"{RATE}NaN"],
    ),
    # Beyond 100 years a duration is no rule, and a date moved by it overflows an interval inside a model.
    "too_large": (
        {"repurchase_window_days": 36_501, "incremental_lookback_minutes": 10**12, "max_event_lateness_days": 10**12},
        [
            WINDOW_DAYS.format("repurchase_window_days") + "36501",
            f"{LOOKBACK}1000000000000",
            f"{LATENESS}1000000000000",
        ],
    ),
    "unknown_time_zone": (
        {"reporting_timezone": "Europe/Madird"},
        ['var reporting_timezone must be an IANA time zone name such as UTC or Europe/Madrid, got "Europe/Madird"'],
    ),
    "shop_domains_not_a_list": (
        {"shop_domains": "shop.example.com"},
        ['var shop_domains must be a list of host names, e.g. [shop.example.com], got "shop.example.com"'],
    ),
}


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("vars") / "project"
    copy_project(project)
    write_raw_data(project, {}, "seeds")
    return project


def output_of(result: Any) -> str:
    return result.stdout + result.stderr


# The cases the issue names, each alone; then the others, several vars at once (each dbt run parses the project
# again, since its vars change: a few runs cover every message).
ALONE = ("negative_timeout", "malformed_as_of_date", "missing_raw_data_path")
TOGETHER = (
    ("zero_timeout", "impossible_as_of_date", "negative_windows", "shop_domains_not_a_list"),
    ("timeout_as_text", "windows_not_whole", "unknown_time_zone", "malformed_plausibility_floor"),
    ("not_finite", "too_large"),
)


def assert_stopped(project_dir: Path, database: Path, cases: tuple[str, ...]) -> None:
    dbt_vars: dict[str, Any] = {}
    lines: list[str] = []
    for case in cases:
        dbt_vars.update(CASES[case][0])
        lines += CASES[case][1]
    # As YAML, the way dbt reads --vars: math.nan is .nan, math.inf is .inf (JSON would make them strings).
    result = run(project_dir, database, ["build", "--vars", yaml.safe_dump(dbt_vars, default_flow_style=True)])
    output = output_of(result)
    assert result.returncode != 0, output[-3000:]
    assert f"{HEADER}, {len(lines)} problem(s):" in output, output[-3000:]
    missing = [line for line in lines if f"  - {line}\n" not in output]
    assert not missing, f"not printed: {missing}\n{output[-3000:]}"
    # Nothing ran: not a seed, not a model.
    assert built_tables(database) == []


def test_every_case_is_tested() -> None:
    assert sorted([*ALONE, *(case for group in TOGETHER for case in group)]) == sorted(CASES)


@pytest.mark.parametrize("case", ALONE)
def test_an_invalid_var_alone_stops_the_build_naming_it(project_dir: Path, tmp_path: Path, case: str) -> None:
    assert_stopped(project_dir, tmp_path / "kpis.duckdb", (case,))


@pytest.mark.parametrize("cases", TOGETHER, ids=["+".join(group) for group in TOGETHER])
def test_every_problem_is_listed_at_once(project_dir: Path, tmp_path: Path, cases: tuple[str, ...]) -> None:
    assert_stopped(project_dir, tmp_path / "kpis.duckdb", cases)


def test_a_parquet_folder_missing_tables_is_named(project_dir: Path, tmp_path: Path) -> None:
    folder = write_demo_parquet(tmp_path / "raw")
    for table in ("raw_returns", "raw_customers"):
        for part in (folder / table).iterdir():
            part.unlink()
    result = run(project_dir, tmp_path / "kpis.duckdb", ["build"], {"raw_data_path": f"{folder}/"})
    output = output_of(result)
    assert result.returncode != 0
    expected = f"no Parquet files for raw_returns, raw_customers (expected {folder}/raw_returns/*.parquet)"
    assert f"  - var raw_data_path: {expected}" in output, output[-3000:]


def test_source_freshness_checks_the_vars_too(project_dir: Path, tmp_path: Path) -> None:
    result = run(project_dir, tmp_path / "kpis.duckdb", ["source", "freshness"], {"raw_data_path": "/nonexistent/shop"})
    assert result.returncode != 0
    assert 'var raw_data_path: no Parquet files under "/nonexistent/shop"' in output_of(result)


def test_valid_vars_let_the_build_run(project_dir: Path, tmp_path: Path) -> None:
    """Edge values that are valid: a fractional timeout, zero windows, the largest bad-input vars, a date parsed
    by YAML, real Parquet."""
    folder = write_demo_parquet(tmp_path / "raw")
    database = tmp_path / "kpis.duckdb"
    dbt_vars = {
        "session_timeout_minutes": 0.5,
        "return_window_days": 0,
        "repurchase_window_days": 0,
        "incremental_lookback_minutes": 0,
        "max_event_lateness_days": 36_500,
        "max_clock_skew_hours": 876_000,
        "max_rejection_rate": 1,
        "as_of_date": "2024-02-29",
        "raw_data_path": str(folder),
        "shop_domains": ["shop.example.com", "checkout.example.com"],
        "reporting_timezone": "Pacific/Kiritimati",
    }
    result = run(project_dir, database, ["build", "--select", "+stg_shop__products"], dbt_vars)
    assert result.returncode == 0, output_of(result)[-3000:]
    assert HEADER not in output_of(result)
    assert "stg_shop__products" in built_tables(database)
