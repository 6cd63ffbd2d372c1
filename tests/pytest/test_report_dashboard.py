"""scripts/report_dashboard.py and the report package: what the cards and charts get, on the demo database, each
figure recomputed here by another route (from the core marts, or by hand); the page is self-contained and
escapes its text; bad input ends with one line. The page in a real browser: test_report_browser.py."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from demo_build import DemoBuild, demo_build
from pipeline import REPO_ROOT
from report import charts
from report.data import BREAKDOWNS, Breakdown, KpiCard, KpiTrend, ReportData, TrendPoint, read_report_data
from report.render import render_dashboard

SCRIPT = REPO_ROOT / "scripts" / "report_dashboard.py"
MODELS = REPO_ROOT / "models"
BREAKDOWN_KEYS = ["channels", "sources", "exit_pages", "product_pages", "cohorts"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    return demo_build(tmp_path_factory)


@pytest.fixture(scope="module")
def data(demo: DemoBuild) -> ReportData:
    return read_report_data(demo.database, MODELS)


def query(demo: DemoBuild, sql: str, parameters: tuple = ()) -> list[tuple]:
    with duckdb.connect(str(demo.database), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def run_script(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, check=False)


def trend_of(data: ReportData, kpi_model: str) -> KpiTrend:
    return next(trend for trend in data.trends if trend.card.kpi_model == kpi_model)


def breakdown_of(data: ReportData, key: str) -> Breakdown:
    return next(breakdown for breakdown in data.breakdowns if breakdown.key == key)


def test_one_card_per_scorecard_row_with_its_values(data: ReportData, demo: DemoBuild) -> None:
    rows = query(
        demo,
        "select kpi_model, label, owner, actual_value, target, status, days_to_deadline, deadline "
        "from marts.kpi_scorecard order by kpi_model",
    )
    assert len(rows) == 9
    cards = [
        (card.kpi_model, card.label, card.owner, card.actual_value, card.target, card.status, card.days_to_deadline,
         card.deadline)
        for card in data.cards
    ]
    assert cards == rows
    # as_of_date is the scorecard's own: deadline - days_to_deadline (the demo data ends on 2026-08-29)
    assert data.as_of_date == dt.date(2026, 8, 29)


def test_weekly_conversion_rate_is_recomputed_from_sessions(data: ReportData, demo: DemoBuild) -> None:
    """The trend re-aggregates sum(converted_sessions) / sum(sessions) per week; here from fct_sessions."""
    expected = dict(
        query(
            demo,
            "select cast(date_trunc('week', date_day) as date), "
            "count(case when has_purchase then 1 end) * 1.0 / count(*) from marts.fct_sessions group by 1",
        )
    )
    trend = trend_of(data, "kpi_conversion_rate")
    assert trend.grain == "week"
    assert {point.period: point.value for point in trend.points} == pytest.approx(expected, rel=1e-12)
    assert all(point.target == trend.card.target for point in trend.points)


def test_count_target_is_pro_rata_per_week(data: ReportData, demo: DemoBuild) -> None:
    """Sessions: 2,600 per 28 days is 650 a week; weekly sessions counted from fct_sessions."""
    expected = dict(
        query(demo, "select cast(date_trunc('week', date_day) as date), count(*) from marts.fct_sessions group by 1")
    )
    trend = trend_of(data, "kpi_traffic")
    assert {point.period: point.value for point in trend.points} == expected
    assert {point.target for point in trend.points} == {trend.card.target * 7 / 28} == {650.0}
    # The demo's last week (Monday 2026-08-24) holds 6 days, up to the as-of date.
    assert trend.points[-1].period == dt.date(2026, 8, 24) and trend.points[-1].days == 6


def test_return_rate_trend_reads_only_mature_orders(data: ReportData, demo: DemoBuild) -> None:
    """The KPI's filter (is_mature: 30 days since the order date) applies to the trend as to the scorecard."""
    last_mature = data.as_of_date - dt.timedelta(days=30)
    expected = dict(
        query(
            demo,
            "select cast(date_trunc('week', order_date) as date), "
            "count(case when has_return then 1 end) * 1.0 / count(*) from marts.fct_orders where order_date <= ? "
            "group by 1",
            (last_mature,),
        )
    )
    trend = trend_of(data, "kpi_return_rate")
    assert trend.row_filter == "is_mature"
    assert {point.period: point.value for point in trend.points} == pytest.approx(expected, rel=1e-12)


def test_repurchase_trend_is_monthly_over_mature_cohorts(data: ReportData, demo: DemoBuild) -> None:
    trend = trend_of(data, "kpi_organic_repurchase_rate")
    assert trend.grain == "month"
    mature = [month for (month,) in query(
        demo, "select cohort_month from marts.kpi_organic_repurchase_rate where is_mature order by 1"
    )]
    assert [point.period for point in trend.points] == mature
    assert mature == [dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)]


def test_channel_breakdown_counts_the_conversion_windows_sessions(data: ReportData, demo: DemoBuild) -> None:
    breakdown = breakdown_of(data, "channels")
    card = next(card for card in data.cards if card.kpi_model == "kpi_conversion_rate")
    assert breakdown.window == (card.window_start, card.window_end)
    expected = {
        channel: (sessions, converted)
        for channel, sessions, converted in query(
            demo,
            "select channel, count(*), count(case when has_purchase then 1 end) from marts.fct_sessions "
            "where date_day between ? and ? group by channel",
            breakdown.window,
        )
    }
    assert {row["channel"]: (row["sessions"], row["converted_sessions"]) for row in breakdown.rows} == expected
    sessions = [row["sessions"] for row in breakdown.rows]
    assert sessions == sorted(sessions, reverse=True)


def test_top_breakdowns_are_the_top_ten(data: ReportData, demo: DemoBuild) -> None:
    assert [breakdown.key for breakdown in data.breakdowns] == BREAKDOWN_KEYS
    exits = breakdown_of(data, "exit_pages")
    window = exits.window
    assert window is not None
    expected = query(
        demo,
        "select exit_page_path, count(*) from marts.fct_sessions where date_day between ? and ? "
        "and exit_page_path is not null group by 1 order by 2 desc, 1 limit 10",
        window,
    )
    assert [(row["page_path"], row["exits"]) for row in exits.rows] == expected
    products = breakdown_of(data, "product_pages").rows
    assert len(products) == 10
    assert all(row["product_name"] and row["category"] for row in products)
    views = [row["product_views"] for row in products]
    assert views == sorted(views, reverse=True)


def test_script_writes_one_self_contained_page(demo: DemoBuild, tmp_path: Path) -> None:
    out = tmp_path / "report" / "dashboard.html"
    result = run_script("--database", str(demo.database), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert re.match(r"KPI dashboard as of 2026-08-29: \d of 9 KPIs met, 14 charts; wrote ", result.stdout)
    html = out.read_text(encoding="utf-8")
    # Nothing is loaded from elsewhere: no external script, stylesheet, font or image.
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc\s*=", html)
    assert "<link" not in html and "@import" not in html and "@font-face" not in html
    # Plotly is inlined exactly once and every chart is drawn with it.
    assert html.count(charts.plotly_js()[:500]) == 1
    assert html.count("Plotly.newPlot(") == 14
    assert html.count('class="card"') == 9


def fake_data(label: str) -> ReportData:
    card = KpiCard(
        kpi_model="kpi_fake", label=label, owner="Team <ops>", unit="ratio", direction="decrease", target=0.25,
        deadline=dt.date(2027, 1, 31), window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 1, 28),
        actual_value=0.5, gap=0.25, status="missed", days_to_deadline=-3,
    )
    point = TrendPoint(period=dt.date(2026, 1, 5), value=0.5, days=7, target=0.25)
    trend = KpiTrend(card=card, grain="week", points=[point], target_note="", row_filter=None)
    return ReportData(as_of_date=dt.date(2027, 2, 3), cards=[card], trends=[trend], breakdowns=[])


def test_text_from_the_database_is_escaped() -> None:
    html = render_dashboard(fake_data("<script>alert(1)</script>"), generated_at=dt.datetime(2027, 2, 3, 8, 0))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "Team &lt;ops&gt;" in html
    card = re.search(r'<article class="card"[^>]*>', html)
    assert card is not None
    assert 'data-kpi="kpi_fake"' in card.group() and 'data-actual="0.5"' in card.group()
    assert 'data-status="missed"' in card.group() and 'data-days-to-deadline="-3"' in card.group()
    assert ">50.00%<" in html and "target ≤ 25.00%" in html


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    line = one_line_error(run_script("--database", str(missing), "--out", str(tmp_path / "out.html")))
    assert line == f"report_dashboard: no database at {missing}; run `make build` first"
    assert not (tmp_path / "out.html").exists()


def test_database_without_marts_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    line = one_line_error(run_script("--database", str(empty), "--out", str(tmp_path / "out.html")))
    assert line == f"report_dashboard: {empty} has no marts.kpi_scorecard; did dbt build fail?"


def test_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 100, encoding="utf-8")
    line = one_line_error(run_script("--database", str(text), "--out", str(tmp_path / "out.html")))
    assert line.startswith(f"report_dashboard: cannot open {text}: ")


def test_kpi_without_metadata_is_one_line(demo: DemoBuild, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    line = one_line_error(
        run_script("--database", str(demo.database), "--models", str(models), "--out", str(tmp_path / "out.html"))
    )
    assert line.startswith(f"report_dashboard: no config.meta.kpi under {models} for kpi_cart_abandonment, ")


def test_the_exposure_lists_what_the_report_reads(data: ReportData) -> None:
    """models/marts/_exposures.yml declares the dashboard with exactly the marts it reads: the scorecard, each
    KPI mart of the scorecard (trends) and the marts its breakdown queries name."""
    exposures = yaml.safe_load((MODELS / "marts" / "_exposures.yml").read_text(encoding="utf-8"))["exposures"]
    dashboard = next(exposure for exposure in exposures if exposure["name"] == "ecommerce_kpi_dashboard")
    declared = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in dashboard["depends_on"]}
    queried = {match for _, _, _, sql in BREAKDOWNS for match in re.findall(r"\bmarts\.(\w+)", sql)}
    read = {"kpi_scorecard"} | {card.kpi_model for card in data.cards} | queried
    assert declared == read, f"declared but not read: {declared - read}; read but not declared: {read - declared}"
