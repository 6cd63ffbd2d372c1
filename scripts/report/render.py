"""Fill the dashboard template (templates/dashboard.html.j2) with the scorecard cards and the charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import jinja2
from markupsafe import Markup
from print_scorecard import format_target, format_value

from report import charts
from report.data import KpiCard, ReportData

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "dashboard.html.j2"
STATUS_TEXT = {"met": "met", "not_met": "not met", "missed": "missed"}


@dataclasses.dataclass(frozen=True)
class CardView:
    """A scorecard row as the card shows it; values formatted like the terminal scorecard."""

    kpi_model: str
    label: str
    owner: str
    status: str
    status_text: str
    actual_text: str
    actual_raw: str  # repr of the float, for machines (data-actual); empty when NULL
    target_text: str
    target_raw: str
    window: str
    deadline: str
    days_to_deadline: int


@dataclasses.dataclass(frozen=True)
class ChartView:
    div_id: str
    title: str
    subtitle: str
    html: Markup


def card_view(card: KpiCard) -> CardView:
    window = f"{card.window_start} to {card.window_end}" if card.window_start and card.window_end else "no data"
    return CardView(
        kpi_model=card.kpi_model,
        label=card.label,
        owner=card.owner,
        status=card.status,
        status_text=STATUS_TEXT.get(card.status, card.status),
        actual_text=format_value(card.actual_value, card.unit),
        actual_raw="" if card.actual_value is None else repr(float(card.actual_value)),
        target_text=format_target(card.target, card.unit, card.direction),
        target_raw=repr(float(card.target)),
        window=window,
        deadline=card.deadline.isoformat(),
        days_to_deadline=card.days_to_deadline,
    )


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_dashboard(data: ReportData, generated_at: dt.datetime) -> str:
    """The whole page: one HTML document with Plotly inlined once and every chart drawn from it."""
    trend_charts = [
        ChartView(
            div_id=f"trend-{trend.card.kpi_model}",
            title=trend.card.label,
            subtitle=f"per {trend.grain}" + (f", rows where {trend.row_filter}" if trend.row_filter else ""),
            html=Markup(charts.to_div(charts.trend_figure(trend), f"trend-{trend.card.kpi_model}")),
        )
        for trend in data.trends
    ]
    breakdown_charts = [
        ChartView(
            div_id=f"breakdown-{breakdown.key}",
            title=breakdown.title,
            subtitle=(
                f"{breakdown.window[0]} to {breakdown.window[1]}" if breakdown.window else "every cohort"
            ),
            html=Markup(
                charts.to_div(charts.breakdown_figure(breakdown, data.cards), f"breakdown-{breakdown.key}")
            ),
        )
        for breakdown in data.breakdowns
    ]
    met = sum(1 for card in data.cards if card.status == "met")
    return environment().get_template(TEMPLATE).render(
        as_of_date=data.as_of_date.isoformat(),
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        met=met,
        cards=[card_view(card) for card in data.cards],
        trend_charts=trend_charts,
        breakdown_charts=breakdown_charts,
        plotly_js=Markup(charts.plotly_js()),
    )
