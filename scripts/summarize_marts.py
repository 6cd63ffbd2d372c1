"""Print a short summary of the marts that `dbt build` produced: row counts and the latest day's headlines.

Reads the DuckDB file named by ECOMMERCE_KPIS_DB (default: ecommerce_kpis.duckdb in the working directory),
read-only, so it never blocks or changes a build. Exits non-zero with a one-line reason when the database or
the marts are missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

MART_SCHEMA = "marts"

# Headline figures of the latest day with sessions: (label, KPI mart, aggregate over its rows, format).
# Rates are re-aggregated from their numerators and denominators, as every roll-up of the marts should be.
HEADLINES: list[tuple[str, str, str, str]] = [
    ("sessions", "kpi_traffic", "sum(sessions)", "{:,.0f}"),
    ("users", "kpi_traffic", "sum(users)", "{:,.0f}"),
    ("pageviews", "kpi_traffic", "sum(pageviews)", "{:,.0f}"),
    ("pages per session", "kpi_engagement", "sum(pageviews) / nullif(sum(sessions), 0)", "{:.2f}"),
    ("avg session duration (s)", "kpi_engagement", "sum(total_duration_seconds) / nullif(sum(sessions), 0)", "{:.0f}"),
    ("bounce rate", "kpi_engagement", "sum(bounced_sessions) / nullif(sum(sessions), 0)", "{:.1%}"),
    ("conversion rate", "kpi_conversion_rate", "sum(converted_sessions) / nullif(sum(sessions), 0)", "{:.2%}"),
    (
        "cart abandonment rate",
        "kpi_cart_abandonment",
        "sum(abandoned_cart_sessions) / nullif(sum(carted_sessions), 0)",
        "{:.1%}",
    ),
    ("attributed revenue", "kpi_conversion_rate", "sum(revenue)", "{:,.2f}"),
]


def database_path() -> Path:
    return Path(os.environ.get("ECOMMERCE_KPIS_DB", "ecommerce_kpis.duckdb"))


def row_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name",
            [MART_SCHEMA],
        ).fetchall()
    ]
    return [(name, con.execute(f'select count(*) from {MART_SCHEMA}."{name}"').fetchone()[0]) for name in tables]


def print_figure(label: str, value: object, pattern: str) -> None:
    text = "n/a" if value is None else pattern.format(value)
    print(f"  {label:<34}{text:>12}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    path = database_path()
    if not path.exists():
        print(f"summarize_marts: no database at {path}; run `make build` first", file=sys.stderr)
        return 1
    con = duckdb.connect(str(path), read_only=True)
    counts = row_counts(con)
    if not counts:
        print(f"summarize_marts: {path} has no tables in schema '{MART_SCHEMA}'; did dbt build fail?", file=sys.stderr)
        return 1

    print(f"\nMarts in {path} (schema {MART_SCHEMA}):")
    width = max(len(name) for name, _ in counts)
    for name, rows in counts:
        print(f"  {name:<{width}}  {rows:>10,} rows")

    latest_day = con.execute("select max(date_day) from marts.kpi_traffic").fetchone()[0]
    if latest_day is None:
        print("\nNo sessions in the data: no daily headlines.")
        return 0
    print(f"\nLatest day with sessions: {latest_day}")
    for label, mart, aggregate, pattern in HEADLINES:
        sql = f"select {aggregate} from {MART_SCHEMA}.{mart} where date_day = ?"
        value = con.execute(sql, [latest_day]).fetchone()[0]
        print_figure(label, value, pattern)

    # Returns need time to arrive: judge the last 30 mature order dates, not the latest (immature) day.
    return_rate = con.execute(
        "select max(order_date), sum(returned_orders) / nullif(sum(orders), 0) from ("
        " select * from marts.kpi_return_rate where is_mature order by order_date desc limit 30)"
    ).fetchone()
    if return_rate[0] is not None:
        print_figure(f"return rate (30 days to {return_rate[0]})", return_rate[1], "{:.1%}")
    tor = con.execute(
        "select cohort_month, organic_repurchase_rate from marts.kpi_organic_repurchase_rate"
        " order by is_mature desc, cohort_month desc limit 1"
    ).fetchone()
    if tor:
        print_figure(f"organic repurchase ({str(tor[0])[:7]} cohort)", tor[1], "{:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
