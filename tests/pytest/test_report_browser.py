"""The KPI dashboard in a real browser: headless Chromium (Debian's `chromium`, /usr/bin/chromium) driven by
Playwright opens the file written from the demo database and checks what a person would see: every KPI card
shows the value held in marts.kpi_scorecard, in its status colour; every chart is drawn; nothing is fetched
from the network and nothing is logged as an error. It saves screenshots to build/report/.

Without Chromium (or with CHROMIUM_PATH naming a missing file) the tests skip and say so; with
CI_REQUIRE_BROWSER=1 (set by .ci/run, which installs Chromium) they fail instead, so CI cannot pass without
having run them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from demo_build import DemoBuild, demo_build
from pipeline import REPO_ROOT
from print_scorecard import format_target, format_value

# Debian's package; CHROMIUM_PATH points elsewhere (another system's Chromium).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCRIPT = REPO_ROOT / "scripts" / "report_dashboard.py"
SCREENSHOTS = REPO_ROOT / "build" / "report"
BREAKDOWNS = 5
# The card's left border, by status (scripts/report/templates/dashboard.html.j2).
STATUS_COLOURS = {"met": "rgb(26, 127, 55)", "not_met": "rgb(179, 92, 0)", "missed": "rgb(198, 40, 40)"}


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if not CHROMIUM.is_file():
        return f"Chromium is not installed ({CHROMIUM} is missing; on Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -r requirements.txt)"
    return None


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The dashboard of the demo database, opened in headless Chromium; with what the page asked the network for
    and what it logged as errors while loading."""
    reason = browser_missing()
    if reason is not None:
        message = f"dashboard browser test not run: {reason}"
        if os.environ.get("CI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; CI_REQUIRE_BROWSER=1 requires it", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    demo: DemoBuild = demo_build(tmp_path_factory)
    html = tmp_path_factory.mktemp("report") / "kpi_dashboard.html"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--database", str(demo.database), "--out", str(html)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            view = browser.new_page(viewport={"width": 1400, "height": 1000})
            view.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            view.on("pageerror", lambda error: errors.append(str(error)))

            def route(handler_route: Any) -> None:
                url = handler_route.request.url
                if url.startswith(("file:", "data:", "blob:")):
                    handler_route.continue_()
                else:
                    requests.append(url)
                    handler_route.abort()

            view.route("**/*", route)
            view.goto(html.as_uri(), wait_until="load")
            # Plotly draws asynchronously: wait until every chart holds its SVG.
            view.wait_for_function(
                "() => [...document.querySelectorAll('figure[data-chart]')]"
                ".every(figure => figure.querySelector('.main-svg'))",
                timeout=30_000,
            )
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            view.screenshot(path=str(SCREENSHOTS / "kpi_dashboard.png"), full_page=True)
            view.screenshot(path=str(SCREENSHOTS / "kpi_dashboard_top.png"))
            yield {"page": view, "errors": errors, "requests": requests, "database": demo.database}
        finally:
            browser.close()


def scorecard(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(
            "select kpi_model, label, owner, unit, direction, actual_value, target, status, days_to_deadline "
            "from marts.kpi_scorecard order by kpi_model"
        ).fetchall()


def test_every_card_shows_the_scorecard_value(page: dict[str, Any]) -> None:
    view = page["page"]
    rows = scorecard(page["database"])
    assert len(rows) == 9
    assert view.locator("article.card").count() == len(rows)
    for kpi, label, owner, unit, direction, actual, target, status, days in rows:
        card = view.locator(f'article.card[data-kpi="{kpi}"]')
        assert card.count() == 1, kpi
        assert card.locator(".label").inner_text() == label
        assert card.locator(".owner").inner_text() == owner
        assert card.locator(".actual").inner_text() == format_value(actual, unit), kpi
        assert float(card.get_attribute("data-actual")) == pytest.approx(actual, rel=1e-12)
        assert card.locator(".target").inner_text() == f"target {format_target(target, unit, direction)}"
        assert card.get_attribute("data-status") == status
        assert card.locator(".days").inner_text() == str(days)
        colour = card.evaluate("element => getComputedStyle(element).borderLeftColor")
        assert colour == STATUS_COLOURS[status], (kpi, status, colour)


def test_every_chart_is_drawn(page: dict[str, Any]) -> None:
    view = page["page"]
    figures = view.locator("figure[data-chart]")
    assert figures.count() == 9 + BREAKDOWNS
    for index in range(figures.count()):
        figure = figures.nth(index)
        name = figure.get_attribute("data-chart")
        assert figure.locator(".main-svg").count() >= 1, f"{name}: no SVG drawn"
        assert figure.locator("g.trace").count() >= 1, f"{name}: no data drawn"
    # Each trend chart has its KPI line and its target line.
    for index in range(9):
        trend = view.locator('figure[data-chart^="trend-"]').nth(index)
        assert trend.locator(".scatterlayer g.trace").count() == 2, trend.get_attribute("data-chart")


def test_nothing_is_fetched_and_nothing_fails(page: dict[str, Any]) -> None:
    assert page["requests"] == [], f"the page asked the network for {page['requests']}"
    assert page["errors"] == [], f"console errors: {page['errors']}"
    assert (SCREENSHOTS / "kpi_dashboard.png").stat().st_size > 50_000
