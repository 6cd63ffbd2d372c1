"""SPEC 6: malformed SMART metadata stops `dbt build`, `dbt run` and `dbt test` before any model runs, with
one message per problem naming the file, the model and the field; valid metadata lets them run.

Each case breaks one field of one KPI mart's `config.meta.kpi` in a copy of the project; the expected
messages are written out here, not read from the macro.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from pipeline import copy_project, run_dbt, write_raw_data

KPIS_YAML = "models/marts/kpis/_kpis__models.yml"
WHERE = f"{KPIS_YAML}: model "

Mutation = Callable[[dict[str, Any]], None]


def drop(field: str) -> Mutation:
    return lambda kpi: kpi.pop(field)


def set_to(field: str, value: Any) -> Mutation:
    return lambda kpi: kpi.__setitem__(field, value)


# model -> (what is broken in its meta.kpi, the message dbt must print for it)
BROKEN: dict[str, tuple[list[Mutation], list[str]]] = {
    "kpi_traffic": (
        [drop("specific"), set_to("window_days", "28")],
        ["meta.kpi.specific is missing", 'meta.kpi.window_days must be a positive integer, got "28"'],
    ),
    "kpi_engagement": (
        [set_to("label", "   "), set_to("owner", "Somebody Else")],
        [
            'meta.kpi.label must be non-empty text, got "   "',
            "meta.kpi.owner 'Somebody Else' differs from the owner of group",
        ],
    ),
    "kpi_exit_pages": ([set_to("target", "high")], ['meta.kpi.target must be a number, got "high"']),
    "kpi_cart_abandonment": (
        [set_to("deadline", "31/12/2027")],
        ['meta.kpi.deadline must be an ISO date (YYYY-MM-DD), got "31/12/2027"'],
    ),
    "kpi_organic_repurchase_rate": (
        [set_to("deadline", "2027-02-30")],
        ['meta.kpi.deadline must be an ISO date (YYYY-MM-DD), got "2027-02-30"'],
    ),
    "kpi_return_rate": (
        [set_to("direction", "up")],
        ['meta.kpi.direction must be one of increase, decrease, got "up"'],
    ),
    "kpi_conversion_rate": (
        [set_to("unit", "percent")],
        ['meta.kpi.unit must be one of ratio, count, seconds, currency, got "percent"'],
    ),
    "kpi_referral_sources": ([set_to("window_days", 0)], ["meta.kpi.window_days must be a positive integer, got 0"]),
    "kpi_product_page_views": ([drop("value")], ["meta.kpi.value is missing"]),
}


def edit_metadata(project_dir: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Apply `edit` to each KPI model entry of the copied project's YAML."""
    path = project_dir / KPIS_YAML
    document = yaml.safe_load(path.read_text())
    for model in document["models"]:
        edit(model)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def break_fields(model: dict[str, Any]) -> None:
    for mutation in BROKEN.get(model["name"], ([], []))[0]:
        mutation(model["config"]["meta"]["kpi"])


def drop_block(model: dict[str, Any]) -> None:
    if model["name"] == "kpi_traffic":
        del model["config"]["meta"]["kpi"]


def project(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None) -> Path:
    project_dir = tmp_path / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, {}, "seeds")
    if edit is not None:
        edit_metadata(project_dir, edit)
    return project_dir


def built_tables(database: Path) -> list[str]:
    if not database.exists():
        return []
    with duckdb.connect(str(database), read_only=True) as connection:
        return [name for (name,) in connection.execute("select table_name from information_schema.tables").fetchall()]


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project(tmp_path_factory.mktemp("broken_metadata"), break_fields)


@pytest.mark.parametrize("command", ["build", "run", "test"])
def test_each_problem_stops_the_command_with_its_message(broken_project: Path, command: str) -> None:
    database = broken_project / f"{command}.duckdb"
    result = run_dbt(broken_project, database, [command])
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    expected = [WHERE + f"{model}: {message}" for model, (_, messages) in BROKEN.items() for message in messages]
    missing = [line for line in expected if line not in output]
    assert not missing, f"messages not printed: {missing}\n{output[-4000:]}"
    assert f"Invalid SMART metadata (SPEC 6), {len(expected)} problem(s)" in output
    # Stopped before any model or seed: nothing was built.
    assert built_tables(database) == []


def test_a_missing_smart_block_stops_the_run(tmp_path: Path) -> None:
    project_dir = project(tmp_path, drop_block)
    result = run_dbt(project_dir, tmp_path / "run.duckdb", ["run"])
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert WHERE + "kpi_traffic: config.meta.kpi is missing" in output


def test_valid_metadata_lets_the_build_go_on(tmp_path: Path) -> None:
    project_dir = project(tmp_path, None)
    database = tmp_path / "run.duckdb"
    selection = ["raw_products", "base_shop__products", "stg_shop__products"]
    result = run_dbt(project_dir, database, ["build", "--select", *selection])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stg_shop__products" in built_tables(database)
