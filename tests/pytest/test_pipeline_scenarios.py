"""The whole pipeline on hand-made scenarios, with seeds and with Parquet: every KPI mart, row by row.

The expected values are computed by hand from SPEC.md (see tests/pytest/scenarios/); dbt builds each
(scenario, mode) once, in a scratch copy of the project (tests/pytest/pipeline.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pipeline import RAW_COLUMNS, Mode, fetch_dicts, write_raw_data
from scenarios import KPI_COLUMNS, KPI_GRAINS, ExpectedRow, Scenario, madrid, orders, traffic

BuiltPipeline = Callable[[Scenario, Mode], duckdb.DuckDBPyConnection]

SCENARIOS = (traffic.SCENARIO, orders.SCENARIO)
MODES: tuple[Mode, ...] = ("seeds", "parquet")

# Every scenario in both modes, plus one run with the var as_of_date set.
RUNS = [pytest.param(scenario, mode, id=f"{scenario.name}-{mode}") for scenario in SCENARIOS for mode in MODES]
RUNS.append(pytest.param(orders.SCENARIO_AS_OF, "seeds", id=f"{orders.SCENARIO_AS_OF.name}-seeds"))
# The reporting time zone: a shop in Europe/Madrid, in Parquet mode (the modes agree on the scenarios above).
RUNS.append(pytest.param(madrid.SCENARIO, "parquet", id=f"{madrid.SCENARIO.name}-parquet"))

RUNS_AND_MARTS = [
    pytest.param(*run.values, mart, id=f"{run.id}-{mart}") for run in RUNS for mart in KPI_COLUMNS
]


def comparable(value: Any) -> Any:
    """A database value as the expectations write it: dates as ISO text, decimals as float."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def mart_rows(connection: duckdb.DuckDBPyConnection, mart: str) -> list[ExpectedRow]:
    """The SPEC 5 columns of a KPI mart, in SPEC order, as comparable tuples sorted by the grain."""
    columns = KPI_COLUMNS[mart]
    rows = fetch_dicts(connection, f"select {', '.join(columns)} from marts.{mart}")
    return sorted((tuple(comparable(row[name]) for name in columns) for row in rows), key=grain_key(mart))


def grain_key(mart: str) -> Callable[[ExpectedRow], tuple[str, ...]]:
    """Sort key of a mart's rows: their grain values."""
    width = len(KPI_GRAINS[mart])
    return lambda row: tuple(str(value) for value in row[:width])


def row_mismatches(mart: str, actual: Sequence[ExpectedRow], expected: Sequence[ExpectedRow]) -> list[str]:
    """Human-readable differences between the actual and the expected rows of a mart (rates approx)."""
    width = len(KPI_GRAINS[mart])
    actual_by_grain = {row[:width]: row for row in actual}
    expected_by_grain = {row[:width]: row for row in expected}
    problems = []
    if len(actual) != len(actual_by_grain):
        problems.append(f"grain not unique: {len(actual)} rows, {len(actual_by_grain)} grains")
    for grain in sorted(set(actual_by_grain) | set(expected_by_grain), key=str):
        got, want = actual_by_grain.get(grain), expected_by_grain.get(grain)
        if got is None or want is None or got != pytest.approx(want):
            problems.append(f"{grain}: got {got}, expected {want}")
    return problems


def columns_of(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """Column names of a relation in the built database."""
    rows = connection.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {name for (name,) in rows}


def scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The single value a query returns."""
    row = connection.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


@pytest.mark.parametrize(("scenario", "mode", "mart"), RUNS_AND_MARTS)
def test_kpi_mart_has_exactly_the_spec_columns(
    built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode, mart: str
) -> None:
    assert columns_of(built_pipeline(scenario, mode), "marts", mart) == set(KPI_COLUMNS[mart])


@pytest.mark.parametrize(("scenario", "mode", "mart"), RUNS_AND_MARTS)
def test_kpi_mart_matches_hand_computed_rows(
    built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode, mart: str
) -> None:
    actual = mart_rows(built_pipeline(scenario, mode), mart)
    expected = sorted(scenario.kpis[mart], key=grain_key(mart))
    problems = row_mismatches(mart, actual, expected)
    assert not problems, f"{mart} ({scenario.name}, {mode}), columns {KPI_COLUMNS[mart]}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_as_of_date(built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode) -> None:
    # SPEC 5: the var, or else the latest date among accepted events (bots included), valid orders and
    # accepted returns.
    as_of = scalar(built_pipeline(scenario, mode), "select as_of_date from intermediate.int_as_of_date")
    assert comparable(as_of) == scenario.as_of_date


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_events_rejected_with_first_reason(built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode) -> None:
    rows = built_pipeline(scenario, mode).execute(
        "select rejection_reason, count(*) from staging.stg_shop__events_rejected group by rejection_reason"
    ).fetchall()
    assert dict(rows) == scenario.rejected_events


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_duplicates_keep_the_earliest_delivery(
    built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode
) -> None:
    connection = built_pipeline(scenario, mode)
    duplicates = connection.execute(
        "select event_id, strftime(loaded_at, '%Y-%m-%d %H:%M:%S') from staging.stg_shop__events_duplicates"
    ).fetchall()
    assert sorted(duplicates) == sorted(scenario.duplicate_rows)
    # Every kept event is the earliest accepted delivery of its id: none of the removed copies is earlier.
    later_kept = scalar(
        connection,
        """
        select count(*)
        from staging.stg_shop__events as kept
        inner join staging.stg_shop__events_duplicates as removed
            on kept.event_id = removed.event_id
        where removed.loaded_at < kept.loaded_at
        """,
    )
    assert later_kept == 0


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_accepted_events_and_bots(built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode) -> None:
    connection = built_pipeline(scenario, mode)
    counts = connection.execute(
        "select count(*), count(distinct event_id), count(case when is_bot then 1 end) from staging.stg_shop__events"
    ).fetchone()
    assert counts == (scenario.accepted_events, scenario.accepted_events, scenario.bot_events)
    # Bot events are in no session.
    sessionized = scalar(connection, "select count(*) from intermediate.int_events_sessionized")
    assert sessionized == scenario.accepted_events - scenario.bot_events


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_events_accounting_identity(built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode) -> None:
    # SPEC 2: raw rows = accepted distinct events + duplicate rows removed + rejected rows.
    connection = built_pipeline(scenario, mode)
    accepted = scalar(connection, "select count(*) from staging.stg_shop__events")
    duplicates = scalar(connection, "select count(*) from staging.stg_shop__events_duplicates")
    rejected = scalar(connection, "select count(*) from staging.stg_shop__events_rejected")
    assert len(scenario.tables["raw_events"]) == scenario.raw_event_rows
    assert (accepted, duplicates, rejected) == (
        scenario.accepted_events,
        len(scenario.duplicate_rows),
        sum(scenario.rejected_events.values()),
    )
    assert accepted + duplicates + rejected == scenario.raw_event_rows


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_returns_verdicts(built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode) -> None:
    connection = built_pipeline(scenario, mode)
    rejected = connection.execute(
        "select rejection_reason, count(*) from staging.stg_shop__returns_rejected group by rejection_reason"
    ).fetchall()
    assert dict(rejected) == scenario.rejected_returns
    assert scalar(connection, "select count(*) from staging.stg_shop__returns") == scenario.accepted_returns


@pytest.mark.parametrize(("scenario", "mode"), RUNS)
def test_order_attribution(built_pipeline: BuiltPipeline, scenario: Scenario, mode: Mode) -> None:
    # SPEC 4: valid orders only; the session of the first purchase event, else `unattributed`.
    rows = built_pipeline(scenario, mode).execute("select order_id, channel from marts.fct_orders").fetchall()
    assert dict(rows) == scenario.order_channels
    assert len(rows) == len(scenario.order_channels)


@pytest.mark.parametrize("scenario", [pytest.param(scenario, id=scenario.name) for scenario in SCENARIOS])
@pytest.mark.parametrize("mart", list(KPI_COLUMNS))
def test_seed_and_parquet_modes_give_identical_marts(
    built_pipeline: BuiltPipeline, scenario: Scenario, mart: str
) -> None:
    query = f"select * from marts.{mart} order by all"
    from_seeds = fetch_dicts(built_pipeline(scenario, "seeds"), query)
    from_parquet = fetch_dicts(built_pipeline(scenario, "parquet"), query)
    assert from_parquet == from_seeds


SPEC_DUCKDB_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP", "decimal": "DECIMAL(12,2)", "integer": "INTEGER"}


def test_parquet_raw_tables_have_the_spec_types(tmp_path: Path) -> None:
    # The harness itself: Parquet mode must feed the project SPEC 1 types, blanks kept verbatim in text.
    dbt_vars = write_raw_data(tmp_path, traffic.SCENARIO.tables, "parquet")
    with duckdb.connect() as connection:
        for table, columns in RAW_COLUMNS.items():
            files = f"{dbt_vars['raw_data_path']}/{table}/*.parquet"
            described = connection.execute(f"describe select * from read_parquet('{files}')").fetchall()
            assert [(name, kind) for name, kind, *_ in described] == [
                (name, SPEC_DUCKDB_TYPES[kind]) for name, kind in columns
            ]
        blank_ids = scalar(
            connection,
            f"select count(*) from read_parquet('{dbt_vars['raw_data_path']}/raw_events/*.parquet') "
            "where event_id = '   '",
        )
    assert blank_ids == 1
    # The raw seeds exist, with their header only, so that the project parses without reading them.
    assert (tmp_path / "seeds" / "raw_events.csv").read_text().splitlines() == [
        ",".join(name for name, _ in RAW_COLUMNS["raw_events"])
    ]
