"""Write the KPI dashboard: one self-contained, offline HTML file from the public marts of a built database.

Reads the DuckDB file named by --database (default: ECOMMERCE_KPIS_DB, else ecommerce_kpis.duckdb) read-only:
marts.kpi_scorecard for the cards, the kpi_* marts for the trends and breakdowns, and the KPI formulas from the
models' YAML (config.meta.kpi). Plotly is inlined once, so the file opens without a network. Exits non-zero
with a one-line reason when the database, the scorecard or a KPI's metadata is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cli_args import OneLineParser
from report.data import ReportError, read_report_data
from report.render import render_dashboard

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path("build/report/kpi_dashboard.html")


def parse_args(argv: Sequence[str] | None) -> tuple[Path, Path, Path]:
    parser = OneLineParser(prog="report_dashboard", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        type=Path,
        default=Path(os.environ.get("ECOMMERCE_KPIS_DB", "ecommerce_kpis.duckdb")),
        help="the built DuckDB file (default: $ECOMMERCE_KPIS_DB or ecommerce_kpis.duckdb)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"the HTML file to write (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--models", type=Path, default=REPO / "models", help="the KPI marts' YAML (default: the repo's models/)"
    )
    args = parser.parse_args(argv)
    return args.database, args.out, args.models


def main(argv: Sequence[str] | None = None) -> int:
    database, out, models = parse_args(argv)
    started = time.perf_counter()
    try:
        data = read_report_data(database, models)
    except ReportError as error:
        print(f"report_dashboard: {error}", file=sys.stderr)
        return 1
    html = render_dashboard(data, generated_at=dt.datetime.now(dt.UTC))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except OSError as error:
        print(f"report_dashboard: cannot write {out}: {error.strerror}", file=sys.stderr)
        return 1
    met = sum(1 for card in data.cards if card.status == "met")
    charts = len(data.trends) + len(data.breakdowns)
    print(
        f"KPI dashboard as of {data.as_of_date}: {met} of {len(data.cards)} KPIs met, {charts} charts; "
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
