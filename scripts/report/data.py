"""What the dashboard shows, read from a built database through a read-only connection.

It reads what a BI tool would: `marts.kpi_scorecard` and the public KPI marts, nothing from staging or
intermediate. Targets, owners, deadlines and the latest window's actual values come from the scorecard; the
formula of each KPI (`value`, `time_column`, `filter` of its SMART metadata, SPEC 6) is read from the models'
YAML, so the trend charts measure every period exactly as the scorecard measures its window and no formula is
written twice. Rates are re-aggregated per period from the numerators and denominators in the marts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import yaml

MARTS = "marts"
SCORECARD = "kpi_scorecard"
# Breakdowns show the top rows of these marts over the scorecard window of their KPI.
TOP_ROWS = 10
# Units whose values add up over time: their per-period target is the window's target pro rata.
ADDITIVE_UNITS = ("count", "currency")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class ReportError(Exception):
    """Bad input for the report, with a one-line reason for the user."""


@dataclasses.dataclass(frozen=True)
class KpiCard:
    """One row of marts.kpi_scorecard."""

    kpi_model: str
    label: str
    owner: str
    unit: str
    direction: str
    target: float
    deadline: dt.date
    window_start: dt.date | None
    window_end: dt.date | None
    actual_value: float | None
    gap: float | None
    status: str
    days_to_deadline: int


@dataclasses.dataclass(frozen=True)
class KpiDefinition:
    """How a KPI mart measures its KPI (config.meta.kpi): an aggregate over rows, the time column, a filter."""

    kpi_model: str
    value: str
    time_column: str
    filter: str | None


@dataclasses.dataclass(frozen=True)
class TrendPoint:
    period: dt.date
    value: float | None
    days: int  # distinct days (or cohort months) of the mart in the period
    target: float  # the target for a period of this length


@dataclasses.dataclass(frozen=True)
class KpiTrend:
    card: KpiCard
    grain: str  # week or month
    points: list[TrendPoint]
    target_note: str
    row_filter: str | None  # the KPI's filter (e.g. is_mature), applied to the rows as for the scorecard


@dataclasses.dataclass(frozen=True)
class Breakdown:
    """Rows of one breakdown chart, over a window of days (None: all rows)."""

    key: str
    title: str
    window: tuple[dt.date, dt.date] | None
    rows: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class ReportData:
    as_of_date: dt.date
    cards: list[KpiCard]
    trends: list[KpiTrend]
    breakdowns: list[Breakdown]


def load_definitions(models_dir: Path) -> dict[str, KpiDefinition]:
    """The SMART formula of every model whose properties carry config.meta.kpi, by model name."""
    definitions: dict[str, KpiDefinition] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            kpi = ((model.get("config") or {}).get("meta") or {}).get("kpi")
            if isinstance(kpi, Mapping) and kpi.get("value"):
                definitions[model["name"]] = KpiDefinition(
                    kpi_model=model["name"],
                    value=str(kpi["value"]),
                    time_column=str(kpi.get("time_column") or "date_day"),
                    filter=str(kpi["filter"]) if kpi.get("filter") else None,
                )
    return definitions


def relation(name: str) -> str:
    """The quoted mart relation of a model name (names come from the scorecard, so check them)."""
    if not IDENTIFIER.match(name):
        raise ReportError(f"unexpected model name {name!r} in {MARTS}.{SCORECARD}")
    return f'{MARTS}."{name}"'


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, parameters: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(parameters))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_cards(con: duckdb.DuckDBPyConnection) -> list[KpiCard]:
    """The scorecard, one card per KPI, in the order of the scorecard's KPI models."""
    fields = [field.name for field in dataclasses.fields(KpiCard)]
    rows = fetch_dicts(con, f"select {', '.join(fields)} from {MARTS}.{SCORECARD} order by kpi_model")
    return [KpiCard(**row) for row in rows]


def as_of_date(cards: Sequence[KpiCard]) -> dt.date:
    """The scorecard's reporting date: deadline - days_to_deadline, the same on every row."""
    dates = {card.deadline - dt.timedelta(days=card.days_to_deadline) for card in cards}
    if len(dates) != 1:
        raise ReportError(f"{MARTS}.{SCORECARD} rows disagree on the as-of date: {sorted(dates)}")
    return dates.pop()


def period_days(period: dt.date, grain: str) -> int:
    if grain == "week":
        return 7
    next_month = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (next_month - period).days


def read_trend(con: duckdb.DuckDBPyConnection, card: KpiCard, definition: KpiDefinition, window_days: int) -> KpiTrend:
    """The KPI per week (per month when the time column holds months, e.g. cohorts), rows filtered as for the
    scorecard, the value re-aggregated per period with the KPI's own formula."""
    table = relation(card.kpi_model)
    column = definition.time_column
    where = definition.filter or "true"
    monthly = con.execute(
        f"select coalesce(bool_and(extract(day from {column}) = 1), false) from {table} where {where}"
    ).fetchone()[0]
    grain = "month" if monthly else "week"
    rows = con.execute(
        f"""
        select
            cast(date_trunc('{grain}', {column}) as date) as period,
            {definition.value} as value,
            count(distinct {column}) as days
        from {table}
        where {where}
        group by 1
        order by 1
        """
    ).fetchall()
    additive = card.unit in ADDITIVE_UNITS
    points = [
        TrendPoint(
            period=period,
            value=None if value is None else float(value),
            days=days,
            target=card.target * period_days(period, grain) / window_days if additive else card.target,
        )
        for period, value, days in rows
    ]
    note = f"pro rata: {card.target:,.0f} per {window_days} days" if additive else ""
    return KpiTrend(card=card, grain=grain, points=points, target_note=note, row_filter=definition.filter)


def window_of(cards: Sequence[KpiCard], kpi_model: str) -> tuple[dt.date, dt.date]:
    for card in cards:
        if card.kpi_model == kpi_model and card.window_start and card.window_end:
            return card.window_start, card.window_end
    raise ReportError(f"{MARTS}.{SCORECARD} has no window for {kpi_model}")


# Breakdowns where they are the point of a KPI: (key, title, KPI whose scorecard window they cover or None for
# all rows, query; a windowed query takes the window's first and last day as parameters).
BREAKDOWNS: tuple[tuple[str, str, str | None, str], ...] = (
    ("channels", "Traffic and conversion by channel", "kpi_conversion_rate", """
        select
            channel,
            sum(sessions) as sessions,
            sum(converted_sessions) as converted_sessions,
            sum(converted_sessions) * 1.0 / nullif(sum(sessions), 0) as conversion_rate
        from marts.kpi_conversion_rate
        where date_day between ? and ?
        group by channel
        order by sessions desc, channel
    """),
    ("sources", f"Top {TOP_ROWS} traffic sources", "kpi_referral_sources", f"""
        select
            channel,
            source,
            sum(sessions) as sessions,
            sum(sessions) * 1.0 / sum(sum(sessions)) over () as session_share
        from marts.kpi_referral_sources
        where date_day between ? and ?
        group by channel, source
        order by sessions desc, channel, source
        limit {TOP_ROWS}
    """),
    ("exit_pages", f"Top {TOP_ROWS} exit pages", "kpi_exit_pages", f"""
        select
            page_path,
            sum(pageviews) as pageviews,
            sum(exits) as exits,
            sum(exits) * 1.0 / nullif(sum(pageviews), 0) as exit_rate
        from marts.kpi_exit_pages
        where date_day between ? and ?
        group by page_path
        order by exits desc, page_path
        limit {TOP_ROWS}
    """),
    ("product_pages", f"Top {TOP_ROWS} product pages", "kpi_product_page_views", f"""
        select
            product_id,
            coalesce(max(product_name), product_id) as product_name,
            max(category) as category,
            sum(product_views) as product_views,
            sum(add_to_carts) as add_to_carts,
            sum(add_to_carts) * 1.0 / nullif(sum(product_views), 0) as view_to_cart_rate
        from marts.kpi_product_page_views
        where date_day between ? and ?
        group by product_id
        order by product_views desc, product_id
        limit {TOP_ROWS}
    """),
    ("cohorts", "Repurchase by cohort", None, """
        select
            cohort_month,
            customers,
            repeat_customers,
            organic_repeat_customers,
            repurchase_rate,
            organic_repurchase_rate,
            is_mature
        from marts.kpi_organic_repurchase_rate
        where cohort_month is not null
        order by cohort_month
    """),
)


def read_breakdowns(con: duckdb.DuckDBPyConnection, cards: Sequence[KpiCard]) -> list[Breakdown]:
    """The breakdown charts' rows, each over its KPI's scorecard window."""
    breakdowns = []
    for key, title, kpi_model, sql in BREAKDOWNS:
        window = window_of(cards, kpi_model) if kpi_model else None
        breakdowns.append(Breakdown(key, title, window, fetch_dicts(con, sql, window or ())))
    return breakdowns


def window_days_of(card: KpiCard) -> int:
    if card.window_start is None or card.window_end is None:
        return 1
    return (card.window_end - card.window_start).days + 1


def read_report_data(database: Path, models_dir: Path) -> ReportData:
    """Everything the dashboard shows, from `database` (opened read-only) and the KPI formulas in `models_dir`."""
    if not database.is_file():
        raise ReportError(f"no database at {database}; run `make build` first")
    definitions = load_definitions(models_dir)
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise ReportError(f"cannot open {database}: {' '.join(str(error).split())}") from None
    with con:
        try:
            cards = read_cards(con)
        except duckdb.CatalogException:
            raise ReportError(f"{database} has no {MARTS}.{SCORECARD}; did dbt build fail?") from None
        if not cards:
            raise ReportError(f"{MARTS}.{SCORECARD} in {database} is empty")
        missing = sorted(card.kpi_model for card in cards if card.kpi_model not in definitions)
        if missing:
            raise ReportError(f"no config.meta.kpi under {models_dir} for {', '.join(missing)}")
        try:
            trends = [read_trend(con, card, definitions[card.kpi_model], window_days_of(card)) for card in cards]
            breakdowns = read_breakdowns(con, cards)
        except duckdb.Error as error:
            raise ReportError(f"query failed on {database}: {' '.join(str(error).split())}") from None
    return ReportData(as_of_date=as_of_date(cards), cards=cards, trends=trends, breakdowns=breakdowns)
