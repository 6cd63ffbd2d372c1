"""Issue 4: building incrementally, load after load, gives exactly what a full refresh gives.

The scenario `loads` (tests/pytest/scenarios/loads.py) delivers its raw events in three loads, split by
`loaded_at`, with a session straddling two loads, late events inside, before and between sessions, duplicates
crossing the splits, a late purchase that moves an order's attribution, and orders and returns that change
from one load to the next. For each mode (seeds, Parquet):

- full refresh: one copy of the project gets every row and runs `dbt build --full-refresh` once;
- incremental: another copy gets load 1 and runs `dbt build`, then load 2 (seed mode: the raw seeds are
  rewritten with the cumulative rows; Parquet mode: the load's events arrive as one more part file beside
  the previous ones, the full tables are replaced) and runs `dbt build` again, then load 3, again.

Then every mart (every `kpi_*` including the scorecard, the facts, the dimensions) and the event models of
staging and intermediate must be equal, row for row and column for column, in both databases; after each
load the sessions and order attribution are those worked out by hand in the scenario; and the event models
must really be incremental: materialized `incremental` and built through their incremental branch
(`is_incremental()`) on the second and third runs.

A third variant repeats the Parquet mode with a reporting time zone far east of UTC (Pacific/Auckland, UTC+12
in May): every mart date is then a local date, and the incremental runs must still equal a full refresh.

The four builds of a variant run as two independent chains (full, incremental); every variant's chains share
a pool of two workers.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pipeline import (
    REPO_ROOT,
    DbtFailed,
    Mode,
    connect,
    copy_project,
    fetch_dicts,
    parquet_part,
    raw_parquet_dir,
    read_artifact,
    run_dbt,
    with_run_stamp_masked,
    without_run_stamp,
    write_parquet,
    write_raw_data,
)
from scenarios import loads

# variant -> (mode, extra dbt vars)
VARIANTS: dict[str, tuple[Mode, dict[str, Any]]] = {
    "seeds": ("seeds", {}),
    "parquet": ("parquet", {}),
    "parquet-auckland": ("parquet", {"reporting_timezone": "Pacific/Auckland"}),
}
MODES = tuple(VARIANTS)
# The hand-computed as_of_date of the scenario is a UTC date.
UTC_VARIANTS = ("seeds", "parquet")

# dbt's output kept in a failure message (its errors and summary come last).
MAX_DBT_OUTPUT_CHARS = 12_000

# Compared between the two builds: every mart (kpi_*, fct_*, dim_*: discovered, so a new mart is covered)...
MART_MODELS = tuple(sorted(path.stem for path in (REPO_ROOT / "models" / "marts").rglob("*.sql")))
# ...the event models the issue names...
REQUIRED_EVENT_MODELS = ("stg_shop__events", "int_events_sessionized")
# ...and the other models built from events.
OTHER_EVENT_MODELS = (
    "stg_shop__events_duplicates",
    "stg_shop__events_rejected",
    "int_sessions_aggregated",
    "int_sessions_classified",
    "int_orders_attributed",
)
COMPARED_MODELS = MART_MODELS + REQUIRED_EVENT_MODELS + OTHER_EVENT_MODELS

# Issue 4: deduplicated events and sessions are incremental. The sessions (one row each) may be built
# incrementally in any of SESSION_MODELS.
MUST_BE_INCREMENTAL = REQUIRED_EVENT_MODELS
SESSION_MODELS = ("int_sessions_aggregated", "int_sessions_classified", "fct_sessions")

BUILD = ("build", "--exclude", "test_type:unit")


@dataclass(frozen=True)
class LoadState:
    """What the incremental build looked like right after one load: hand-checked facts and dbt's artifacts."""

    load: int
    sessions: list[loads.SessionRow]
    order_channels: dict[str, str]
    as_of_date: str
    materialized: dict[str, str]  # model -> materialization, from the manifest of this run
    results: dict[str, dict[str, Any]]  # model -> its run_results.json entry


@dataclass
class Chain:
    """One chain of builds (full refresh or incremental) of one mode."""

    relations: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)
    states: list[LoadState] = field(default_factory=list)
    failure: str | None = None


@dataclass(frozen=True)
class ModeBuilds:
    full: Chain
    incremental: Chain


def models_of(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The project's model nodes by name."""
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "ecommerce_kpis"
    }


def timestamp_text(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def snapshot_state(project_dir: Path, database: Path, load: int) -> LoadState:
    """The hand-checked facts of the database and dbt's artifacts after the run that followed `load`."""
    manifest = models_of(read_artifact(project_dir, "manifest.json"))
    run_results = read_artifact(project_dir, "run_results.json")["results"]
    results = {
        result["unique_id"].split(".")[-1]: result
        for result in run_results
        if result["unique_id"].startswith("model.")
    }
    with connect(database) as connection:
        sessions = [
            loads.SessionRow(
                row["anonymous_id"],
                timestamp_text(row["session_start"]),
                timestamp_text(row["session_end"]),
                row["event_count"],
                row["pageviews"],
                row["channel"],
                row["orders"],
            )
            for row in fetch_dicts(connection, "select * from marts.fct_sessions")
        ]
        channels = connection.execute("select order_id, channel from marts.fct_orders").fetchall()
        as_of = connection.execute("select as_of_date from intermediate.int_as_of_date").fetchone()
    assert as_of is not None
    return LoadState(
        load=load,
        sessions=sorted(sessions, key=session_key),
        order_channels=dict(channels),
        as_of_date=as_of[0].isoformat(),
        materialized={name: node["config"]["materialized"] for name, node in manifest.items()},
        results=results,
    )


def snapshot_relations(project_dir: Path, database: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Columns and rows of every compared model; one missing from the project is left out, and the
    comparison test then fails on it."""
    manifest = models_of(read_artifact(project_dir, "manifest.json"))
    relations = {}
    with connect(database) as connection:
        for name in COMPARED_MODELS:
            node = manifest.get(name)
            if node is None or node["config"]["materialized"] == "ephemeral":
                continue
            cursor = connection.execute(f'select * from "{node["schema"]}"."{node["alias"]}"')
            columns, rows = without_run_stamp([column[0] for column in cursor.description], cursor.fetchall())
            relations[name] = (columns, sorted(rows, key=row_key))
    return relations


def row_key(row: Sequence[Any]) -> tuple[tuple[bool, str, str], ...]:
    """A total order on rows of mixed types and NULLs (floats rounded so that 1e-15 noise sorts alike)."""
    return tuple(
        (value is None, type(value).__name__, f"{value:.9g}" if isinstance(value, float) else str(value))
        for value in row
    )


def session_key(session: loads.SessionRow) -> tuple[str, str]:
    return (session.anonymous_id, session.session_start)


def run_build(project_dir: Path, database: Path, dbt_vars: dict[str, Any], *extra: str) -> None:
    result = run_dbt(project_dir, database, [*BUILD, *extra], dbt_vars)
    if result.returncode != 0:
        raise DbtFailed(
            f"{' '.join(result.args)} (in {project_dir}) exited {result.returncode}", result.stdout + result.stderr
        )


def build_full(workdir: Path, variant: str) -> Chain:
    """Every row at once, `dbt build --full-refresh`."""
    mode, extra_vars = VARIANTS[variant]
    chain = Chain()
    project_dir = workdir / "project"
    database = workdir / "pipeline.duckdb"
    try:
        copy_project(project_dir)
        dbt_vars = write_raw_data(project_dir, loads.tables_as_of(3), mode)
        run_build(project_dir, database, {**dbt_vars, **extra_vars}, "--full-refresh")
        chain.states.append(snapshot_state(project_dir, database, 3))
        chain.relations = snapshot_relations(project_dir, database)
    except DbtFailed as error:
        chain.failure = f"full refresh ({variant}):\n{error.summary(MAX_DBT_OUTPUT_CHARS)}"
    return chain


def deliver_load(project_dir: Path, load: int, mode: Mode) -> dict[str, Any]:
    """Make the raw data what it is once `load` has landed; return the dbt vars that point at it.

    Seeds: every raw seed rewritten with the cumulative rows. Parquet: load 1 writes every table's part 0;
    a later load adds its events as one more part file and replaces the full tables' part 0.
    """
    if mode == "seeds" or load == 1:
        return write_raw_data(project_dir, loads.tables_as_of(load), mode)
    write_parquet(parquet_part(project_dir, "raw_events", load - 1), "raw_events", loads.events_of_load(load))
    for table, rows in loads.non_event_tables_as_of(load).items():
        write_parquet(parquet_part(project_dir, table), table, rows)
    return {"raw_data_path": str(raw_parquet_dir(project_dir))}


def build_incremental(workdir: Path, variant: str) -> Chain:
    """Load 1, `dbt build`; load 2, `dbt build`; load 3, `dbt build` -- never a full refresh."""
    mode, extra_vars = VARIANTS[variant]
    chain = Chain()
    project_dir = workdir / "project"
    database = workdir / "pipeline.duckdb"
    try:
        copy_project(project_dir)
        for load in loads.LOADS:
            dbt_vars = deliver_load(project_dir, load, mode)
            run_build(project_dir, database, {**dbt_vars, **extra_vars})
            chain.states.append(snapshot_state(project_dir, database, load))
        chain.relations = snapshot_relations(project_dir, database)
    except DbtFailed as error:
        chain.failure = f"incremental build after load {len(chain.states) + 1} ({variant}):\n" + error.summary(
            MAX_DBT_OUTPUT_CHARS
        )
    return chain


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModeBuilds]]:
    """Both chains of both modes, built once for the module (the incremental chains first: they are longer)."""
    root = tmp_path_factory.mktemp("incremental")
    with ThreadPoolExecutor(max_workers=2) as pool:
        incremental = {mode: pool.submit(build_incremental, root / f"incremental-{mode}", mode) for mode in MODES}
        full = {mode: pool.submit(build_full, root / f"full-{mode}", mode) for mode in MODES}
        built = {mode: ModeBuilds(full=full[mode].result(), incremental=incremental[mode].result()) for mode in MODES}
    yield built
    shutil.rmtree(root, ignore_errors=True)


def succeeded(chain: Chain) -> Chain:
    if chain.failure is not None:
        pytest.fail(chain.failure, pytrace=False)
    return chain


def same_value(left: Any, right: Any) -> bool:
    """Equal; floats equal up to rounding noise (they should be bit-equal: same sums of the same rows)."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == pytest.approx(right, rel=1e-12, abs=1e-12)
    return type(left) is type(right) and left == right


def printable(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        value.isoformat(sep=" ") if isinstance(value, dt.datetime)
        else value.isoformat() if isinstance(value, dt.date)
        else str(value) if isinstance(value, Decimal)
        else value
        for value in row
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", COMPARED_MODELS)
def test_incremental_build_equals_full_refresh(builds: dict[str, ModeBuilds], mode: str, model: str) -> None:
    full = succeeded(builds[mode].full).relations
    incremental = succeeded(builds[mode].incremental).relations
    assert model in full, f"{model}: no relation in the full-refresh build"
    assert model in incremental, f"{model}: no relation in the incremental build"
    full_columns, full_rows = full[model]
    incremental_columns, incremental_rows = incremental[model]
    assert incremental_columns == full_columns, f"{model}: columns differ"

    paired = list(zip(full_rows, incremental_rows, strict=False))
    equal = len(full_rows) == len(incremental_rows) and all(
        all(same_value(a, b) for a, b in zip(full_row, incremental_row, strict=True))
        for full_row, incremental_row in paired
    )
    if not equal:
        only_full = [printable(row) for row in full_rows if row not in incremental_rows]
        only_incremental = [printable(row) for row in incremental_rows if row not in full_rows]
        lines = [
            f"{model} ({mode}): {len(incremental_rows)} rows incremental, {len(full_rows)} full refresh",
            f"columns: {full_columns}",
            "only in the full refresh:",
            *(f"  {row}" for row in only_full or ["(none: values differ by rounding only)"]),
            "only in the incremental build:",
            *(f"  {row}" for row in only_incremental or ["(none)"]),
        ]
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("mode", MODES)
def test_events_keep_their_session_across_loads(builds: dict[str, ModeBuilds], mode: str) -> None:
    # The session of every sessionized event, by event_id (also covered column by column above; this says it
    # in the words and names the events whose session differs).
    full = succeeded(builds[mode].full).relations["int_events_sessionized"]
    incremental = succeeded(builds[mode].incremental).relations["int_events_sessionized"]

    def session_of(relation: tuple[list[str], list[tuple[Any, ...]]]) -> dict[str, str]:
        columns, rows = relation
        event_index, session_index = columns.index("event_id"), columns.index("session_id")
        return {row[event_index]: row[session_index] for row in rows}

    full_sessions, incremental_sessions = session_of(full), session_of(incremental)
    differing = sorted(
        event_id
        for event_id in set(full_sessions) | set(incremental_sessions)
        if full_sessions.get(event_id) != incremental_sessions.get(event_id)
    )
    assert not differing, f"events whose session differs from the full refresh ({mode}): {differing}"
    assert len(full[1]) == len(full_sessions), "int_events_sessionized: one row per event"
    assert len(incremental[1]) == len(incremental_sessions), "int_events_sessionized: one row per event"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("load", loads.LOADS)
def test_sessions_after_each_load_match_the_hand_computed_ones(
    builds: dict[str, ModeBuilds], mode: str, load: int
) -> None:
    chain = builds[mode].incremental
    if len(chain.states) < load:
        succeeded(chain)
    state = chain.states[load - 1]
    expected = sorted(loads.SESSIONS_BY_LOAD[load], key=session_key)
    assert state.sessions == expected, f"fct_sessions after load {load} ({mode}), built incrementally"
    assert state.order_channels == loads.ORDER_CHANNELS_BY_LOAD[load], f"fct_orders channels after load {load}"
    if mode in UTC_VARIANTS:
        assert state.as_of_date == loads.AS_OF_DATE_BY_LOAD[load]


@pytest.mark.parametrize("mode", MODES)
def test_full_refresh_matches_the_hand_computed_sessions(builds: dict[str, ModeBuilds], mode: str) -> None:
    # The scenario really does what its docstring says (bridged, moved, re-attributed) in the full refresh.
    (state,) = succeeded(builds[mode].full).states
    assert state.sessions == sorted(loads.SESSIONS_BY_LOAD[3], key=session_key)
    assert state.order_channels == loads.ORDER_CHANNELS_BY_LOAD[3]
    if mode in UTC_VARIANTS:
        assert state.as_of_date == loads.AS_OF_DATE_BY_LOAD[3]


@pytest.mark.parametrize("mode", MODES)
def test_event_models_really_build_incrementally(builds: dict[str, ModeBuilds], mode: str) -> None:
    chain = succeeded(builds[mode].incremental)
    first, *later = chain.states
    problems = []
    for state in later:
        not_incremental = [name for name in MUST_BE_INCREMENTAL if state.materialized.get(name) != "incremental"]
        if not_incremental:
            problems.append(
                f"run after load {state.load}: not materialized incremental: "
                + ", ".join(f"{name} ({state.materialized.get(name, 'missing')})" for name in not_incremental)
            )
        # Every incremental model ran, and through its incremental branch: is_incremental() was true, so its
        # compiled SQL differs from the first run's (which built it from scratch).
        for name, materialized in sorted(state.materialized.items()):
            if materialized != "incremental":
                continue
            result = state.results.get(name)
            if result is None or result["status"] != "success":
                problems.append(f"run after load {state.load}: {name} did not run ({result and result['status']})")
            elif with_run_stamp_masked(result["compiled_code"]) == with_run_stamp_masked(
                first.results.get(name, {}).get("compiled_code", "")
            ):
                problems.append(
                    f"run after load {state.load}: {name} compiled as on the first run: is_incremental() was false"
                )
    assert not problems, f"incremental builds ({mode}):\n" + "\n".join(problems)


@pytest.mark.parametrize("mode", MODES)
def test_a_sessions_model_is_incremental(builds: dict[str, ModeBuilds], mode: str) -> None:
    # Issue 4 names "sessions" among the incremental models: one row per session, not only the sessionized
    # events, must be rebuilt for the touched sessions only.
    chain = succeeded(builds[mode].incremental)
    for state in chain.states[1:]:
        materialized = {name: state.materialized.get(name, "missing") for name in SESSION_MODELS}
        assert "incremental" in materialized.values(), (
            f"run after load {state.load} ({mode}): no sessions model is incremental: {materialized}"
        )


def test_a_lookup_edit_reaches_past_sessions_in_an_incremental_run(tmp_path: Path) -> None:
    # fct_sessions is incremental (decision 54): no event is new here, yet the edit of a lookup list must change
    # the channel of every past session it concerns in the next (incremental) run, as a full refresh would.
    project_dir, database = tmp_path / "project", tmp_path / "pipeline.duckdb"
    copy_project(project_dir)
    dbt_vars = write_raw_data(project_dir, loads.tables_as_of(3), "seeds")
    run_build(project_dir, database, dbt_vars)
    before = snapshot_relations(project_dir, database)["fct_sessions"]

    search_engines = project_dir / "seeds" / "lookups" / "search_engines.csv"
    hosts = search_engines.read_text().splitlines()
    assert "google.com" in hosts, "the scenario's referrer google.com must be a listed search engine"
    search_engines.write_text("\n".join(host for host in hosts if host != "google.com") + "\n")
    run_build(project_dir, database, dbt_vars)
    incremental = snapshot_relations(project_dir, database)["fct_sessions"]
    run_build(project_dir, database, dbt_vars, "--full-refresh")
    full = snapshot_relations(project_dir, database)["fct_sessions"]

    def channels(relation: tuple[list[str], list[tuple[Any, ...]]]) -> dict[str, str]:
        columns, rows = relation
        session, channel = columns.index("session_id"), columns.index("channel")
        return {row[session]: row[channel] for row in rows}

    channels_before, channels_full = channels(before), channels(full)
    changed = {key for key, value in channels_before.items() if channels_full[key] != value}
    assert changed, "the edit changes no session's channel: the test would prove nothing"
    assert {channels_before[key] for key in changed} == {"organic_search"}
    assert channels(incremental) == channels_full
    assert incremental == full
