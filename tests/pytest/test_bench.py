"""Tests of scripts/bench.py: the whole benchmark on a tiny shop, the appended day, memory measurement, the CLI.

The benchmark itself runs once (module fixture) on 20,000 events, limited to the event models so that both
dbt builds stay short; everything else is unit-sized.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "scripts" / "bench.py"
MIB = 1024**2
# The event models and everything their tests read: enough for an incremental build, short enough for pytest.
EVENT_MODELS = "+int_events_sessionized +stg_shop__events_duplicates +stg_shop__events_rejected"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_script", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = load_bench()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """bench.py on 20,000 events in a scratch folder: its exit code, stdout, JSON and folders."""
    root = tmp_path_factory.mktemp("bench")
    paths = {"data": root / "data", "db": root / "bench.duckdb", "json": root / "bench.json", "work": root / "work"}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--events", "20000", "--data-dir", str(paths["data"]), "--db", str(paths["db"]),
         "--json", str(paths["json"]), "--work-dir", str(paths["work"]), "--select", EVENT_MODELS],
        capture_output=True, text=True, check=False, cwd=root)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return {"stdout": result.stdout, "report": json.loads(paths["json"].read_text()), **paths}


def test_both_phases_are_measured(tiny_run: dict[str, Any]) -> None:
    phases = tiny_run["report"]["phases"]
    assert list(phases) == ["full", "incremental"]
    for phase in phases.values():
        assert phase["exit_code"] == 0
        assert phase["wall_seconds"] > 0
        assert 0 < phase["cpu_seconds"] < phase["wall_seconds"] * (os.cpu_count() or 1)
        assert phase["peak_rss_bytes"] > 50 * MIB  # dbt with DuckDB loaded cannot be smaller
        assert phase["peak_rss_bytes"] >= phase["largest_process_peak_rss_bytes"]
        assert math.isclose(phase["events_per_second"], phase["events"] / phase["wall_seconds"])
        assert "error" not in phase["status_counts"] and "fail" not in phase["status_counts"]
        assert phase["node_counts"]["model"] >= 3


def test_slowest_lists_hold_at_most_five_sorted_entries(tiny_run: dict[str, Any]) -> None:
    for phase in tiny_run["report"]["phases"].values():
        for kind in ("slowest_models", "slowest_tests"):
            entries = phase[kind]
            assert 1 <= len(entries) <= 5
            seconds = [entry["seconds"] for entry in entries]
            assert seconds == sorted(seconds, reverse=True)
            assert all(entry["name"] and not entry["name"].startswith(("model.", "test.")) for entry in entries)
        models = {entry["name"] for entry in phase["slowest_models"]}
        assert models <= {"base_shop__events", "stg_shop__events", "stg_shop__events_duplicates",
                          "stg_shop__events_rejected", "int_events_sessionized"}


def test_report_names_the_machine_settings_and_versions(tiny_run: dict[str, Any]) -> None:
    report = tiny_run["report"]
    assert report["machine"]["cpu_count"] == os.cpu_count()
    assert report["machine"]["memory_total_bytes"] > 0
    assert report["versions"]["dbt_core"] and report["versions"]["duckdb"]
    assert report["settings"]["memory_limit"] and report["settings"]["duckdb_threads"]
    assert abs(report["events"] - 20_000) <= 0.04 * 20_000
    assert "incremental" in tiny_run["stdout"] and "events/s" in tiny_run["stdout"]


def test_incremental_phase_reads_one_more_day(tiny_run: dict[str, Any]) -> None:
    report = tiny_run["report"]
    full, incremental, day = report["phases"]["full"], report["phases"]["incremental"], report["appended_day"]
    assert incremental["new_events"] == day["event_rows"] > 0
    assert incremental["events"] == full["events"] + day["event_rows"]
    assert day["new_day_events"] > day["late_event_rows"] > 0 and day["redelivered_rows"] > 0
    assert day["order_rows"] > 0


def test_appended_rows_land_after_everything_and_generated_data_is_untouched(tiny_run: dict[str, Any]) -> None:
    generated = sorted(p.name for p in (tiny_run["data"] / "raw_events").iterdir())
    live = tiny_run["work"] / "raw" / "raw_events"
    appended = sorted(set(p.name for p in live.iterdir()) - set(generated))
    assert len(appended) == 1 and appended[0].startswith("part-")
    old = f"read_parquet('{tiny_run['data']}/raw_events/*.parquet')"
    new = f"read_parquet('{live / appended[0]}')"
    with duckdb.connect() as con:
        later = con.execute(f"select min(loaded_at) > (select max(loaded_at) from {old}) from {new}").fetchone()[0]
        assert later
        # Re-deliveries repeat an old event with its payload; every other id is new.
        repeated, identical = con.execute(f"""
            select count(*), count(*) filter (where old.event_ts = new.event_ts and old.page_url = new.page_url)
            from {new} as new inner join (select distinct event_id, event_ts, page_url from {old}) as old
                on new.event_id = old.event_id
        """).fetchone()
        assert repeated == identical == tiny_run["report"]["appended_day"]["redelivered_rows"]
        # Every replayed purchase keeps an order: its order id is among the appended orders.
        orphans = con.execute(f"""
            select count(*) from {new}
            where order_id is not null and event_id not in (select event_id from {old} where event_id is not null)
                and order_id not in (select order_id from read_parquet('{tiny_run['work']}/raw/raw_orders/*.parquet'))
        """).fetchone()[0]
        assert orphans == 0


def test_rerun_starts_again_from_the_generated_data(tiny_run: dict[str, Any], tmp_path: Path) -> None:
    live = tiny_run["work"] / "raw"
    bench.make_live_copy(tiny_run["data"], live)
    for table in bench.RAW_TABLES:
        assert sorted(p.name for p in (live / table).iterdir()) == sorted(
            p.name for p in (tiny_run["data"] / table).iterdir())


# --------------------------------------------------------------------------------------------------
# Memory of a process tree
# --------------------------------------------------------------------------------------------------


def fake_process(proc: Path, pid: int, ppid: int, name: str, resident_pages: int) -> None:
    (proc / str(pid)).mkdir(parents=True)
    (proc / str(pid) / "stat").write_text(f"{pid} ({name}) S {ppid} {pid} {pid} 0 -1 4194304 0 0\n")
    (proc / str(pid) / "statm").write_text(f"{resident_pages * 3} {resident_pages} 10 1 0 5 0\n")


def test_tree_rss_sums_the_root_and_its_descendants_only(tmp_path: Path) -> None:
    page = os.sysconf("SC_PAGE_SIZE")
    fake_process(tmp_path, 1, 0, "init", 1000)
    fake_process(tmp_path, 100, 1, "dbt", 300)  # the root
    fake_process(tmp_path, 101, 100, "worker) (x", 40)  # a name with parentheses and spaces
    fake_process(tmp_path, 102, 101, "grand child", 5)
    fake_process(tmp_path, 200, 1, "unrelated", 7000)
    fake_process(tmp_path, 201, 200, "child of unrelated", 9000)
    (tmp_path / "self").mkdir()  # non-numeric entries are not processes
    (tmp_path / "103").mkdir()  # a process that vanished while being read
    assert bench.tree_pids(100, bench.parent_pids(tmp_path)) == {100, 101, 102}
    assert bench.tree_rss_bytes(100, tmp_path) == (300 + 40 + 5) * page
    assert bench.tree_rss_bytes(102, tmp_path) == 5 * page


def test_cpu_time_counts_a_busy_grandchild_but_not_its_sleep(tmp_path: Path) -> None:
    # The grandchild spins for 1 s of CPU, then sleeps 1 s: the tree's CPU time is about 1 s, its wall time 2 s.
    grandchild = "import time; end = time.process_time() + 1.0\nwhile time.process_time() < end: pass\ntime.sleep(1)"
    child = textwrap.dedent(f"""
        import subprocess, sys
        sys.exit(subprocess.run([sys.executable, '-c', {grandchild!r}]).returncode)
    """)
    measured = bench.run_measured([sys.executable, "-c", child], dict(os.environ), tmp_path, tmp_path / "out.txt")
    assert measured.exit_code == 0
    assert 0.9 <= measured.cpu_seconds < 1.8
    assert measured.wall_seconds >= 2.0


def test_measured_peak_includes_a_grandchild_allocating_200_mb(tmp_path: Path) -> None:
    grandchild = "import time; block = b'x' * (200 * 1024 * 1024); time.sleep(1.5)"
    child = textwrap.dedent(f"""
        import subprocess, sys
        sys.exit(subprocess.run([sys.executable, '-c', {grandchild!r}]).returncode)
    """)
    measured = bench.run_measured([sys.executable, "-c", child], dict(os.environ), tmp_path, tmp_path / "out.txt")
    assert measured.exit_code == 0
    assert measured.wall_seconds >= 1.5
    assert measured.samples >= 3
    # The child itself stays small: only summing the tree sees the grandchild's 200 MB.
    assert measured.sampled_peak_rss_bytes > 150 * 1_000_000
    assert measured.peak_rss_bytes >= measured.sampled_peak_rss_bytes


def test_exit_code_of_the_measured_command_is_kept(tmp_path: Path) -> None:
    measured = bench.run_measured([sys.executable, "-c", "import sys; sys.exit(3)"], dict(os.environ), tmp_path,
                                  tmp_path / "out.txt")
    assert measured.exit_code == 3


# --------------------------------------------------------------------------------------------------
# run_results.json summary
# --------------------------------------------------------------------------------------------------


def test_slowest_five_models_and_tests_from_run_results(tmp_path: Path) -> None:
    results = [{"unique_id": f"model.ecommerce_kpis.m{i}", "status": "success", "execution_time": float(i)}
               for i in range(7)]
    results += [{"unique_id": "test.ecommerce_kpis.not_null_m1_id.abc123", "status": "pass", "execution_time": 2.5},
                {"unique_id": "unit_test.ecommerce_kpis.m1.rule_one", "status": "pass", "execution_time": 9.0},
                {"unique_id": "seed.ecommerce_kpis.raw_events", "status": "success", "execution_time": 99.0},
                {"unique_id": "test.ecommerce_kpis.unique_m2_id.def456", "status": "warn", "execution_time": 0.1}]
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps({"results": results, "elapsed_time": 12.5, "metadata": {"dbt_version": "1.11.0"}}))
    summary = bench.summarize_run_results(path)
    assert summary["slowest_models"] == [{"name": f"m{i}", "seconds": float(i)} for i in (6, 5, 4, 3, 2)]
    assert summary["slowest_tests"] == [{"name": "m1.rule_one", "seconds": 9.0},
                                        {"name": "not_null_m1_id", "seconds": 2.5},
                                        {"name": "unique_m2_id", "seconds": 0.1}]
    assert summary["status_counts"] == {"pass": 2, "success": 8, "warn": 1}
    assert summary["node_counts"] == {"model": 7, "seed": 1, "test": 2, "unit_test": 1}


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--events", "5"], ["--events", "many"], ["--memory-limit", "lots"],
                                  ["--memory-limit", "4XB"], ["--threads", "0"], ["--seed", "-1"]])
def test_bad_arguments_exit_non_zero_with_one_line(tmp_path: Path, args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--data-dir", str(tmp_path / "data"), "--db", str(tmp_path / "b.duckdb"),
         "--json", str(tmp_path / "b.json"), "--work-dir", str(tmp_path / "work"), *args],
        capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert args[0] in result.stderr
    assert not list(tmp_path.iterdir())  # nothing generated or written


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    result = subprocess.run([sys.executable, str(BENCH), "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--data-dir" in result.stderr


def test_memory_limit_sizes() -> None:
    assert bench.memory_bytes("4GB") == 4 * 1000**3
    assert bench.memory_bytes("512 MiB") == 512 * 1024**2
    assert bench.memory_bytes("1.5gib") == round(1.5 * 1024**3)
    assert bench.memory_bytes("80%") is None


def _report(requested_events: int, full_seconds: float, incremental_seconds: float, peak_gib: float) -> dict[str, Any]:
    phase = {"exit_code": 0, "peak_rss_bytes": round(peak_gib * bench.GIB)}
    return {"requested_events": requested_events, "settings": {"memory_limit": "3GB"},
            "phases": {"full": {**phase, "wall_seconds": full_seconds},
                       "incremental": {**phase, "wall_seconds": incremental_seconds}}}


def test_time_targets_are_judged_only_at_the_size_they_were_set_for() -> None:
    at_10m = {c["check"]: c["ok"] for c in bench.checks(_report(10_000_000, 59.0, 15.0, 3.5))}
    # 15 / 59 = 0.254: just over a quarter; 3.5 GiB is under 4 GiB and under 3 GB (2.79 GiB) + 1 GiB
    assert at_10m == {
        "full build under 60 s (set for 10M events)": True,
        "full build peak memory under 4 GiB (set for 10M events)": True,
        "incremental build under 1/4 of the full build": False,
        "peak memory within the DuckDB memory_limit + 1 GiB (set for 100M events)": True,
    }
    # 100M events take minutes and may use more than 4 GiB: only the memory-limit target applies there
    at_100m = {c["check"]: c["ok"] for c in bench.checks(_report(100_000_000, 2000.0, 900.0, 3.9))}
    assert at_100m == {"peak memory within the DuckDB memory_limit + 1 GiB (set for 100M events)": False}


def test_ga4_targets_are_judged_on_the_ga4_export_of_3m_rows_only() -> None:
    ga4 = {**_report(3_000_000, 179.0, 0.0, 3.1), "source": "ga4"}
    del ga4["phases"]["incremental"]
    # 179 s < 180 s; 3.1 GiB is over 3 GiB but within 3 GB (2.79 GiB) + 1 GiB
    assert {c["check"]: c["ok"] for c in bench.checks(ga4)} == {
        "GA4 export, full build under 180 s (set for 3M export rows)": True,
        "GA4 export, full build peak memory under 3 GiB (set for 3M export rows)": False,
        "peak memory within the DuckDB memory_limit + 1 GiB (set for 100M events)": True,
    }
    # the same figures on the raw contract at 3M events judge nothing but the memory limit
    raw = {c["check"] for c in bench.checks(_report(3_000_000, 179.0, 10.0, 3.1))}
    assert raw == {"peak memory within the DuckDB memory_limit + 1 GiB (set for 100M events)"}
