"""The semantic layer and the KPI marts agree (issue 6).

On the demo database (tests/pytest/demo_build.py), MetricFlow's `mf query` computes the KPI metrics by month;
each must equal the same ratio re-aggregated from the KPI mart's own numerator and denominator columns,
sum(numerator) / sum(denominator) per month, written here by hand against the marts. The README's queries
(conversion rate by week and channel, cart abandonment by device) are checked the same way. Two routes to one
number: the marts' SQL and MetricFlow's SQL generated from the YAML.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest
from demo_build import DemoBuild, demo_build

MF = Path(sys.executable).parent / "mf"
ORGANIC = "('organic_search', 'organic_social', 'referral', 'direct')"

# metric -> (KPI mart, numerator, denominator, time column, filter): the mart side of each comparison.
MART_RATIOS: dict[str, tuple[str, str, str, str, str]] = {
    "conversion_rate": ("kpi_conversion_rate", "converted_sessions", "sessions", "date_day", "true"),
    "cart_abandonment_rate": ("kpi_cart_abandonment", "abandoned_cart_sessions", "carted_sessions", "date_day", "true"),
    "checkout_abandonment_rate": (
        "kpi_cart_abandonment", "abandoned_checkout_sessions", "checkout_sessions", "date_day", "true",
    ),
    "bounce_rate": ("kpi_engagement", "bounced_sessions", "sessions", "date_day", "true"),
    "pages_per_session": ("kpi_engagement", "pageviews", "sessions", "date_day", "true"),
    "avg_session_duration_seconds": ("kpi_engagement", "total_duration_seconds", "sessions", "date_day", "true"),
    "return_rate": ("kpi_return_rate", "returned_orders", "orders", "order_date", "true"),
    "refund_rate": ("kpi_return_rate", "refunded_amount", "revenue", "order_date", "true"),
    "organic_repurchase_rate": (
        "kpi_organic_repurchase_rate", "organic_repeat_customers", "customers", "cohort_month", "true",
    ),
    "repurchase_rate": ("kpi_organic_repurchase_rate", "repeat_customers", "customers", "cohort_month", "true"),
    "unpaid_traffic_share": (
        "kpi_referral_sources", f"case when channel in {ORGANIC} then sessions else 0 end", "sessions", "date_day",
        "true",
    ),
    "product_view_to_cart_rate": ("kpi_product_page_views", "add_to_carts", "product_views", "date_day", "true"),
    "exit_rate": ("kpi_exit_pages", "exits", "pageviews", "date_day", "true"),
    "cart_checkout_exit_rate": (
        "kpi_exit_pages", "exits", "pageviews", "date_day", "page_path in ('/cart', '/checkout')",
    ),
    # Counts: no denominator, sum(x) per month.
    "sessions": ("kpi_traffic", "sessions", "", "date_day", "true"),
    "pageviews": ("kpi_traffic", "pageviews", "", "date_day", "true"),
    "attributed_orders": ("kpi_conversion_rate", "orders", "", "date_day", "true"),
}
# The KPI marts whose headline metric must carry config.meta.kpi_model.
KPI_MARTS = {
    "kpi_traffic", "kpi_product_page_views", "kpi_engagement", "kpi_exit_pages", "kpi_cart_abandonment",
    "kpi_return_rate", "kpi_conversion_rate", "kpi_referral_sources", "kpi_organic_repurchase_rate",
}

Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    return demo_build(tmp_path_factory)


def query(demo: DemoBuild, sql: str) -> list[tuple]:
    """Rows of a query on the demo marts. The connection is closed at once: `mf` opens the database through
    dbt's adapter, for writing, and DuckDB refuses that while any other process holds it open."""
    with duckdb.connect(str(demo.database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def mf_query(demo: DemoBuild, metrics: Sequence[str], group_by: Sequence[str], out: Path) -> Rows:
    """`mf query ... --csv` run in the demo project, as a user runs it in theirs; its rows as dicts of text."""
    command = [str(MF), "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out)]
    result = subprocess.run(
        command, cwd=demo.project_dir, env=demo.environment(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and out.is_file(), f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(cell: str) -> float | None:
    return None if cell in ("", "None") else float(cell)


def month_of(cell: str) -> dt.date:
    return dt.date.fromisoformat(cell[:10])


@pytest.fixture(scope="module")
def by_month(demo: DemoBuild, tmp_path_factory: pytest.TempPathFactory) -> Rows:
    """Every compared metric by month, in one MetricFlow query (metrics of five semantic models joined on
    metric_time), plus users."""
    out = tmp_path_factory.mktemp("mf") / "by_month.csv"
    return mf_query(demo, [*MART_RATIOS, "users"], ["metric_time__month"], out)


def close(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("metric", sorted(MART_RATIOS))
def test_metric_by_month_equals_the_mart_reaggregated(metric: str, by_month: Rows, demo: DemoBuild) -> None:
    mart, numerator, denominator, time_column, where = MART_RATIOS[metric]
    value = f"sum({numerator}) * 1.0 / nullif(sum({denominator}), 0)" if denominator else f"sum({numerator})"
    expected = {
        month: None if result is None else float(result)
        for month, result in query(
            demo,
            f"select cast(date_trunc('month', {time_column}) as date), {value} from marts.{mart} where {where} "
            "group by 1"
        )
    }
    # MetricFlow returns a row per month where any of the queried metrics has data; compare the months where
    # this metric's mart has rows, and require NULL elsewhere.
    actual = {month_of(row["metric_time__month"]): number(row[metric]) for row in by_month}
    assert expected, f"{mart} is empty in the demo build"
    assert set(expected) <= set(actual), f"{metric}: months missing from MetricFlow: {set(expected) - set(actual)}"
    differences = {
        month: (actual[month], expected[month]) for month in expected if not close(actual[month], expected[month])
    }
    assert not differences, f"{metric}: MetricFlow vs {mart} (month: (mf, mart)): {differences}"
    extra = {month: actual[month] for month in set(actual) - set(expected) if actual[month] not in (None, 0.0)}
    assert not extra, f"{metric}: MetricFlow has values in months without {mart} rows: {extra}"


def test_users_count_each_visitor_once_per_month(by_month: Rows, demo: DemoBuild) -> None:
    """`users` is count(distinct) over the grain asked: per month it is the month's distinct visitors (counted
    here from fct_sessions), fewer than the sum of kpi_traffic's daily per-channel `users` (docs/decisions.md)."""
    distinct = dict(
        query(
            demo,
            "select cast(date_trunc('month', date_day) as date), count(distinct anonymous_id) "
            "from marts.fct_sessions group by 1"
        )
    )
    summed = dict(
        query(
            demo,
            "select cast(date_trunc('month', date_day) as date), sum(users) from marts.kpi_traffic group by 1"
        )
    )
    actual = {month_of(row["metric_time__month"]): number(row["users"]) for row in by_month if row["users"]}
    assert actual == {month: float(count) for month, count in distinct.items()}
    assert all(actual[month] < summed[month] for month in actual), (actual, summed)


def test_readme_query_conversion_rate_by_week_and_channel(demo: DemoBuild, tmp_path: Path) -> None:
    rows = mf_query(demo, ["conversion_rate"], ["metric_time__week", "session__channel"], tmp_path / "q.csv")
    actual = {
        (month_of(row["metric_time__week"]), row["session__channel"]): number(row["conversion_rate"]) for row in rows
    }
    expected = {
        (week, channel): float(rate)
        for week, channel, rate in query(
            demo,
            "select cast(date_trunc('week', date_day) as date), channel, "
            "sum(converted_sessions) * 1.0 / nullif(sum(sessions), 0) from marts.kpi_conversion_rate group by 1, 2"
        )
    }
    assert len(expected) > 50
    assert set(actual) == set(expected)
    assert all(close(actual[key], expected[key]) for key in expected), {
        key: (actual[key], expected[key]) for key in expected if not close(actual[key], expected[key])
    }


def test_readme_query_cart_abandonment_by_device(demo: DemoBuild, tmp_path: Path) -> None:
    metrics = ["cart_abandonment_rate", "carted_sessions"]
    rows = mf_query(demo, metrics, ["session__device_category"], tmp_path / "q.csv")
    actual = {row["session__device_category"]: tuple(number(row[metric]) for metric in metrics) for row in rows}
    expected = {
        device: (float(rate), float(carted))
        for device, rate, carted in query(
            demo,
            "select device_category, sum(abandoned_cart_sessions) * 1.0 / nullif(sum(carted_sessions), 0), "
            "sum(carted_sessions) from marts.kpi_cart_abandonment group by 1"
        )
    }
    assert {"desktop", "mobile", "tablet"} <= set(expected)
    assert set(actual) == set(expected)
    for device, (rate, carted) in expected.items():
        assert close(actual[device][0], rate) and actual[device][1] == carted, (device, actual[device], rate, carted)


def test_every_kpi_mart_has_one_headline_metric(demo: DemoBuild) -> None:
    """Each KPI mart of the scorecard is one metric of the semantic layer (config.meta.kpi_model)."""
    manifest = json.loads((demo.project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    headline: dict[str, list[str]] = {}
    for metric in manifest["metrics"].values():
        kpi_model = (metric.get("config") or {}).get("meta", {}).get("kpi_model")
        if kpi_model:
            headline.setdefault(kpi_model, []).append(metric["name"])
    assert set(headline) == KPI_MARTS, set(headline) ^ KPI_MARTS
    assert all(len(names) == 1 for names in headline.values()), headline
