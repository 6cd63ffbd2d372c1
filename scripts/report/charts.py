"""Plotly figures of the dashboard, returned as HTML fragments without the Plotly library (embedded once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import plotly.offline

from report.data import Breakdown, KpiCard, KpiTrend

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
LINE = "#2f5d8a"
SECOND = "#d9822b"
TARGET = "#6b7280"
MUTED = "#b8c4d1"
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def plotly_js() -> str:
    """The Plotly library shipped inside the `plotly` package, inlined once in the page (no network)."""
    return plotly.offline.get_plotlyjs()


def to_div(figure: go.Figure, div_id: str) -> str:
    """A figure as a <div> and the script that draws it, relying on the page's single copy of Plotly."""
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG)


def axis_format(unit: str) -> dict[str, Any]:
    """Plotly axis formatting for a KPI unit, matching the cards (ratios as percentages)."""
    if unit == "ratio":
        return {"tickformat": ".1%"}
    if unit == "seconds":
        return {"tickformat": ",.0f", "ticksuffix": " s"}
    if unit == "currency":
        return {"tickformat": ",.2f"}
    return {"tickformat": ",.0f"}


def hover_format(unit: str) -> str:
    return {"ratio": "%{y:.2%}", "seconds": "%{y:,.0f} s", "currency": "%{y:,.2f}"}.get(unit, "%{y:,.0f}")


def base_layout(figure: go.Figure, height: int, title: str | None = None) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        font={"family": FONT, "size": 12},
        title={"text": title, "font": {"size": 14}} if title else None,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        hoverlabel={"font": {"family": FONT}},
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def period_label(period: dt.date, grain: str, days: int) -> str:
    if grain == "month":
        return period.strftime("%b %Y")
    partial = f" ({days} of 7 days)" if days < 7 else ""
    return f"week of {period.isoformat()}{partial}"


def trend_figure(trend: KpiTrend) -> go.Figure:
    """The KPI per week (or month) with the target as a dashed line."""
    card = trend.card
    periods = [point.period for point in trend.points]
    labels = [period_label(point.period, trend.grain, point.days) for point in trend.points]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=[point.value for point in trend.points],
            name=card.label,
            mode="lines+markers",
            line={"color": LINE, "width": 2},
            customdata=labels,
            hovertemplate=f"%{{customdata}}<br>{hover_format(card.unit)}<extra></extra>",
        )
    )
    target_name = "target" + (f" ({trend.target_note})" if trend.target_note else "")
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=[point.target for point in trend.points],
            name=target_name,
            mode="lines",
            line={"color": TARGET, "width": 1.5, "dash": "dash", "shape": "hv" if trend.target_note else "linear"},
            hovertemplate=f"target {hover_format(card.unit)}<extra></extra>",
        )
    )
    base_layout(figure, height=260)
    figure.update_yaxes(rangemode="tozero", **axis_format(card.unit))
    if trend.grain == "week":
        figure.update_xaxes(tickformat="%d %b")
    else:
        figure.update_xaxes(tickformat="%b %Y", dtick="M1")
    return figure


def channels_figure(breakdown: Breakdown) -> go.Figure:
    """Sessions per channel (bars) and their conversion rate (markers, right axis)."""
    rows = breakdown.rows
    channels = [row["channel"] for row in rows]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=channels,
            y=[row["sessions"] for row in rows],
            name="sessions",
            marker_color=LINE,
            hovertemplate="%{x}: %{y:,} sessions<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=channels,
            y=[row["conversion_rate"] for row in rows],
            name="conversion rate",
            yaxis="y2",
            mode="markers",
            marker={"color": SECOND, "size": 10, "symbol": "diamond"},
            hovertemplate="%{x}: %{y:.2%} converted<extra></extra>",
        )
    )
    base_layout(figure, height=320)
    figure.update_layout(
        yaxis={"title": {"text": "sessions"}, "tickformat": ",.0f"},
        yaxis2={"title": {"text": "conversion rate"}, "overlaying": "y", "side": "right", "tickformat": ".1%",
                "rangemode": "tozero", "showgrid": False},
    )
    return figure


def horizontal_bars(labels: list[str], values: list[Any], texts: list[str], name: str, hover: str) -> go.Figure:
    """Top-N bars, largest at the top, each with a rate printed beside it."""
    figure = go.Figure(
        go.Bar(
            y=labels[::-1],
            x=values[::-1],
            orientation="h",
            name=name,
            marker_color=LINE,
            text=texts[::-1],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=hover,
        )
    )
    base_layout(figure, height=360)
    # Room on the right for the text beside the longest bar.
    longest = max((float(value) for value in values), default=0.0)
    figure.update_xaxes(tickformat=",.0f", title={"text": name}, range=[0, longest * 1.35 or 1])
    return figure


def sources_figure(breakdown: Breakdown) -> go.Figure:
    rows = breakdown.rows
    return horizontal_bars(
        [f"{row['channel']}: {row['source']}" for row in rows],
        [row["sessions"] for row in rows],
        [f"{row['session_share']:.1%} of sessions" for row in rows],
        "sessions",
        "%{y}: %{x:,} sessions, %{text}<extra></extra>",
    )


def exit_pages_figure(breakdown: Breakdown) -> go.Figure:
    rows = breakdown.rows
    return horizontal_bars(
        [row["page_path"] for row in rows],
        [row["exits"] for row in rows],
        [f"exit rate {row['exit_rate']:.1%}" if row["exit_rate"] is not None else "" for row in rows],
        "exits",
        "%{y}: %{x:,} exits, %{text}<extra></extra>",
    )


def product_pages_figure(breakdown: Breakdown) -> go.Figure:
    rows = breakdown.rows
    return horizontal_bars(
        [f"{row['product_name']} ({row['category'] or 'no category'})" for row in rows],
        [row["product_views"] for row in rows],
        [f"{row['view_to_cart_rate']:.1%} to cart" if row["view_to_cart_rate"] is not None else "" for row in rows],
        "product views",
        "%{y}: %{x:,} views, %{text}<extra></extra>",
    )


def cohorts_figure(breakdown: Breakdown, tor: KpiCard | None) -> go.Figure:
    """Repurchase and organic repurchase rate per cohort month; cohorts not yet mature drawn pale."""
    rows = breakdown.rows
    months = [row["cohort_month"] for row in rows]
    mature = [bool(row["is_mature"]) for row in rows]
    labels = [f"{row['cohort_month']:%b %Y}{'' if row['is_mature'] else ' (not mature)'}" for row in rows]
    figure = go.Figure()
    for column, name, colour in (
        ("repurchase_rate", "repurchase rate (any channel)", MUTED),
        ("organic_repurchase_rate", "organic repurchase rate (TOR)", LINE),
    ):
        figure.add_trace(
            go.Bar(
                x=months,
                y=[row[column] for row in rows],
                name=name,
                marker={"color": colour, "opacity": [1.0 if is_mature else 0.45 for is_mature in mature]},
                customdata=[[label, row["customers"]] for label, row in zip(labels, rows, strict=True)],
                hovertemplate="%{customdata[0]}: %{y:.1%} of %{customdata[1]} customers<extra>" + name + "</extra>",
            )
        )
    if tor is not None:
        figure.add_trace(
            go.Scatter(
                x=months,
                y=[tor.target] * len(months),
                name="TOR target",
                mode="lines",
                line={"color": TARGET, "dash": "dash", "width": 1.5},
                hovertemplate="TOR target %{y:.1%}<extra></extra>",
            )
        )
    base_layout(figure, height=320)
    figure.update_layout(barmode="group")
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(tickformat="%b %Y", dtick="M1")
    return figure


def breakdown_figure(breakdown: Breakdown, cards: list[KpiCard]) -> go.Figure:
    """The chart of a breakdown, by its key."""
    if breakdown.key == "channels":
        return channels_figure(breakdown)
    if breakdown.key == "sources":
        return sources_figure(breakdown)
    if breakdown.key == "exit_pages":
        return exit_pages_figure(breakdown)
    if breakdown.key == "product_pages":
        return product_pages_figure(breakdown)
    if breakdown.key == "cohorts":
        tor = next((card for card in cards if card.kpi_model == "kpi_organic_repurchase_rate"), None)
        return cohorts_figure(breakdown, tor)
    raise ValueError(f"no chart for breakdown {breakdown.key!r}")
