"""Print the KPI scorecard (marts.kpi_scorecard) as a table in the terminal, coloured by status.

Reads the DuckDB file named by ECOMMERCE_KPIS_DB (default: ecommerce_kpis.duckdb) read-only. Colours are used
when standard output is a terminal, unless NO_COLOR is set; FORCE_COLOR forces them. Exits non-zero with a
one-line reason when the database or the scorecard is missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

COLUMNS = ("KPI", "owner", "actual", "target", "status", "days left")
STATUS_COLOURS = {"met": "32", "not_met": "33", "missed": "31"}  # green, yellow, red (ANSI SGR codes)
QUERY = """
    select label, owner, unit, direction, actual_value, target, status, days_to_deadline
    from marts.kpi_scorecard
    order by case status when 'missed' then 0 when 'not_met' then 1 else 2 end, label
"""


def format_value(value: float | None, unit: str) -> str:
    """A KPI value in its unit: ratios as percentages, counts whole, seconds and currency as numbers."""
    if value is None:
        return "n/a"
    if unit == "ratio":
        return f"{value:.2%}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "seconds":
        return f"{value:,.0f} s"
    return f"{value:,.2f}"


def format_target(target: float, unit: str, direction: str) -> str:
    return ("≥ " if direction == "increase" else "≤ ") + format_value(target, unit)


def use_colour() -> bool:
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def render(rows: Sequence[tuple], colour: bool) -> str:
    """The scorecard rows as an aligned text table; the status cell coloured when `colour`."""
    cells = [
        (label, owner, format_value(actual, unit), format_target(target, unit, direction), status, str(days))
        for label, owner, unit, direction, actual, target, status, days in rows
    ]
    widths = [max(len(row[i]) for row in [COLUMNS, *cells]) for i in range(len(COLUMNS))]
    right_aligned = {2, 3, 5}

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(row):
            text = cell.rjust(widths[i]) if i in right_aligned else cell.ljust(widths[i])
            if colour and i == 4 and cell in STATUS_COLOURS:
                text = f"\033[{STATUS_COLOURS[cell]}m{text}\033[0m"
            parts.append(text)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(COLUMNS), rule, *(line(row) for row in cells)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    path = Path(os.environ.get("ECOMMERCE_KPIS_DB", "ecommerce_kpis.duckdb"))
    if not path.exists():
        print(f"print_scorecard: no database at {path}; run `make build` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            rows = con.execute(QUERY).fetchall()
        except duckdb.CatalogException:
            print(f"print_scorecard: {path} has no marts.kpi_scorecard; did dbt build fail?", file=sys.stderr)
            return 1
        as_of_date = con.execute("select max(as_of_date) from intermediate.int_as_of_date").fetchone()[0]
    met = sum(1 for row in rows if row[6] == "met")
    print(f"\nKPI scorecard as of {as_of_date}: {met} of {len(rows)} KPIs met\n")
    print(render(rows, use_colour()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
