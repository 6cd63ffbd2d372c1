"""Issue 7: `dbt source freshness` measures the raw events' `loaded_at` against the thresholds written in YAML
(models/staging/shop/_shop__sources.yml), in seed mode (the raw_events seed) and in Parquet mode
(read_parquet of <raw_data_path>/raw_events/*.parquet, with no seed loaded at all).

For each mode the newest row is made fresh, then older than warn_after, then older than error_after (ages
derived from the thresholds in the manifest, so editing them keeps the test meaningful); dbt must report
pass / warn / error, exit 0 / 0 / 1, and the max(loaded_at) that was written, which proves it read the data of
that mode (in Parquet mode the raw seeds are empty). The stale data also holds a row stamped 2099 (a broken
loader clock), which must not make it look fresh.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from faults_support import run
from pipeline import Mode, copy_project, parquet_part, raw_parquet_dir, write_parquet, write_raw_data, write_seed_csv

SOURCE_ID = "source.ecommerce_kpis.shop.raw_events"
PERIOD_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


def events_loaded(newest: dt.datetime, stamped_in_the_future: bool = False) -> list[dict[str, str | None]]:
    """Three deliveries: the newest at `newest`, older ones before it (the max must win, not the first row);
    and, if asked, one stamped in 2099."""
    rows = []
    loads = [newest, newest - dt.timedelta(hours=1), newest - dt.timedelta(days=3)]
    if stamped_in_the_future:
        loads.append(dt.datetime(2099, 1, 1))
    for number, loaded in enumerate(loads):
        loaded_at = loaded.strftime("%Y-%m-%d %H:%M:%S")
        rows.append(
            {
                "event_id": f"e{number}",
                "event_ts": loaded_at,
                "loaded_at": loaded_at,
                "anonymous_id": "a1",
                "event_name": "page_view",
                "page_url": "https://shop.example.com/",
                "device_category": "desktop",
                "user_agent": "Mozilla/5.0",
            }
        )
    return rows


def write_events(project_dir: Path, mode: Mode, rows: list[dict[str, str | None]]) -> None:
    if mode == "seeds":
        write_seed_csv(project_dir / "seeds" / "raw_events.csv", "raw_events", rows)
    else:
        write_parquet(parquet_part(project_dir, "raw_events"), "raw_events", rows)


def freshness(project_dir: Path, mode: Mode, dbt_vars: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    database = project_dir.parent / "kpis.duckdb"
    if mode == "seeds":
        seeded = run(project_dir, database, ["seed", "--select", "raw_events"], dbt_vars)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    result = run(project_dir, database, ["source", "freshness"], dbt_vars)
    output = result.stdout + result.stderr
    sources = json.loads((project_dir / "target" / "sources.json").read_text(encoding="utf-8"))
    by_id = {entry["unique_id"]: entry for entry in sources["results"]}
    assert set(by_id) == {SOURCE_ID}, f"only raw_events has a loaded_at: {sorted(by_id)}"
    return result.returncode, output, by_id[SOURCE_ID]


def thresholds(project_dir: Path) -> tuple[float, float]:
    """warn_after and error_after of raw_events, in hours, as the manifest holds them."""
    manifest = json.loads((project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    source = manifest["sources"][SOURCE_ID]
    assert source["loaded_at_field"] == "loaded_at"
    freshness_config = source["freshness"]
    return tuple(  # type: ignore[return-value]
        freshness_config[key]["count"] * PERIOD_HOURS[freshness_config[key]["period"]]
        for key in ("warn_after", "error_after")
    )


@pytest.mark.parametrize("mode", ["seeds", "parquet"])
def test_freshness_passes_warns_and_errors_by_the_yaml_thresholds(tmp_path: Path, mode: Mode) -> None:
    project_dir = tmp_path / "project"
    copy_project(project_dir)
    dbt_vars = write_raw_data(project_dir, {}, mode)
    if mode == "parquet":
        assert dbt_vars == {"raw_data_path": str(raw_parquet_dir(project_dir))}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    write_events(project_dir, mode, events_loaded(now - dt.timedelta(minutes=10)))
    status, output, result = freshness(project_dir, mode, dbt_vars)
    warn_hours, error_hours = thresholds(project_dir)
    assert 0 < warn_hours < error_hours
    assert (status, result["status"]) == (0, "pass"), output[-3000:]
    assert result["max_loaded_at"].startswith((now - dt.timedelta(minutes=10)).isoformat())

    cases = (
        ("warn", 0, dt.timedelta(hours=(warn_hours + error_hours) / 2)),
        ("error", 1, dt.timedelta(hours=error_hours + 1)),
    )
    for expected_status, expected_exit, age in cases:
        newest = now - age
        write_events(project_dir, mode, events_loaded(newest, stamped_in_the_future=expected_status == "error"))
        status, output, result = freshness(project_dir, mode, dbt_vars)
        assert (status, result["status"]) == (expected_exit, expected_status), output[-3000:]
        assert result["max_loaded_at"].startswith(newest.isoformat()), result["max_loaded_at"]
        assert result["max_loaded_at_time_ago_in_s"] == pytest.approx(age.total_seconds(), abs=600)
        if expected_status == "error":
            assert "ERROR STALE freshness of shop.raw_events" in output
        else:
            assert "WARN freshness of shop.raw_events" in output
