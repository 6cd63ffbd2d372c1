"""Benchmark the pipeline on generated Parquet data: a full `dbt build`, then an incremental one (issue 4).

Steps:

1. Data: if ``<data-dir>/raw_events`` is missing, ``scripts/generate_data.py --format parquet`` writes it.
   That folder is never modified afterwards, so it can be reused by every run.
2. A *live* copy of the data, ``<work-dir>/raw/<table>/``, made of hard links to the generated part files
   (copies where linking is impossible), is rebuilt at the start of every run. dbt reads the live copy
   (``--vars '{raw_data_path: <work-dir>/raw}'``) in both phases, so the appended day never accumulates:
   re-running the benchmark starts again from the generated data alone.
3. Full build: the database file is removed, then ``dbt build`` runs everything it runs (seeds, models,
   data tests and unit tests).
4. Incremental build: one more day of data lands in the live copy as new part files (see ``append_day``),
   then ``dbt build`` runs again on the same database, without ``--full-refresh``.

For each build it measures the wall time, the CPU time (user + system, which other load on the machine does
not inflate the way it inflates wall time), the peak memory of the dbt process tree (the summed RSS of dbt and
all its descendants, sampled every 0.2 s, and never less than the kernel's high-water mark of the largest
process), events per second (raw_events rows / wall seconds) and the five slowest models and tests from
``run_results.json``. It prints a table and writes everything to a JSON file.

Usage::

    python scripts/bench.py                          # 10 million events
    python scripts/bench.py --events 100000000 --memory-limit 8GB --threads 2
    python scripts/bench.py --source ga4 --events 3000000   # a GA4 export of 3 million rows, full build only

With ``--source ga4`` the data is the same demo shop written as a Google Analytics 4 export
(``generate_data.py --format ga4``: nested ``events_*.parquet`` files), which dbt reads through the var
``ga4_export_path``; ``--events`` then counts export rows, and only the full build is measured.

dbt settings come from the environment that profiles.yml reads: ECOMMERCE_KPIS_DB (the --db file),
ECOMMERCE_KPIS_MEMORY_LIMIT (--memory-limit), ECOMMERCE_KPIS_DUCKDB_THREADS (--threads) and
ECOMMERCE_KPIS_TEMP_DIR (``<work-dir>/duckdb_tmp``). Exits 2 on bad arguments, 1 when a step fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
from cli_args import OneLineParser, bounded_int

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "scripts" / "generate_data.py"
PROFILES = REPO / "profiles.yml"
DEFAULT_EVENTS = 10_000_000
TARGETS_SET_FOR_EVENTS = 10_000_000  # issue 4 set its time and 4 GiB targets for this size
GA4_TARGETS_SET_FOR_EVENTS = 3_000_000  # the GA4 export's targets (3 minutes, 3 GiB) are set for this size
MIN_EVENTS = 100  # the generator's minimum
DEFAULT_SEED = 42
POLL_SECONDS = 0.2
SLOWEST = 5
GIB = 1024**3
RAW_TABLES = ("raw_events", "raw_orders", "raw_order_items", "raw_returns", "raw_products", "raw_customers")
GA4_MARKER = "ga4_truth.json"  # written last by the GA4 generator

# The appended day replays the load of the same weekday one week earlier (see append_day).
REPLAY_SHIFT_DAYS = 7
REDELIVERY_SHARE = 0.01  # re-deliveries of already loaded events, per replayed row
REDELIVERY_LOOKBACK_DAYS = 3  # re-delivered events happened in the last days of the data

ENV_DB = "ECOMMERCE_KPIS_DB"
ENV_MEMORY_LIMIT = "ECOMMERCE_KPIS_MEMORY_LIMIT"
ENV_DUCKDB_THREADS = "ECOMMERCE_KPIS_DUCKDB_THREADS"
ENV_DBT_THREADS = "ECOMMERCE_KPIS_THREADS"
ENV_TEMP_DIR = "ECOMMERCE_KPIS_TEMP_DIR"

MEMORY_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
                "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
MEMORY_LIMIT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$", re.IGNORECASE)


class BenchError(Exception):
    """A step failed; the message is the one-line reason printed before exiting 1."""


# --------------------------------------------------------------------------------------------------
# Memory of a process tree, from /proc
# --------------------------------------------------------------------------------------------------


def parent_pids(proc: Path = Path("/proc")) -> dict[int, int]:
    """pid -> parent pid of every process visible in proc (processes that vanish meanwhile are skipped)."""
    parents: dict[int, int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: the ppid follows the last ')'.
        fields_after_name = stat[stat.rfind(")") + 2:].split()
        if len(fields_after_name) >= 2:
            parents[int(entry.name)] = int(fields_after_name[1])
    return parents


def tree_pids(root: int, parents: dict[int, int]) -> set[int]:
    """root and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def rss_bytes(pid: int, proc: Path = Path("/proc")) -> int:
    """Resident set size of one process (0 if it is gone)."""
    try:
        resident_pages = int((proc / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(root: int, proc: Path = Path("/proc")) -> int:
    """Summed RSS of root and its descendants right now."""
    return sum(rss_bytes(pid, proc) for pid in tree_pids(root, parent_pids(proc)))


class TreeMemorySampler:
    """Samples the summed RSS of a process tree in a background thread, keeping the peak."""

    def __init__(self, root: int, interval: float = POLL_SECONDS, proc: Path = Path("/proc")) -> None:
        self.root, self.interval, self.proc = root, interval, proc
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss_bytes(self.root, self.proc))
            self.samples += 1
            if self._stop.wait(self.interval):
                return


@dataclass
class Measured:
    exit_code: int
    wall_seconds: float
    cpu_seconds: float  # user + system time of the process tree: unlike wall time, not inflated by other load
    peak_rss_bytes: int  # max(sampled tree sum, high-water mark of the largest process)
    sampled_peak_rss_bytes: int
    largest_process_peak_rss_bytes: int
    samples: int


def run_measured(command: list[str], env: dict[str, str], cwd: Path, output: Path) -> Measured:
    """Run command (stdout and stderr to the file output), timing it and sampling its tree's memory."""
    with output.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        with TreeMemorySampler(process.pid) as sampler:
            # wait4 also returns the child's rusage: ru_maxrss (KiB) is the kernel's high-water mark of the
            # largest process among the child and its waited-for descendants, a peak sampling cannot miss.
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    largest = usage.ru_maxrss * 1024
    return Measured(exit_code=process.returncode, wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime,
                    peak_rss_bytes=max(sampler.peak, largest),
                    sampled_peak_rss_bytes=sampler.peak, largest_process_peak_rss_bytes=largest,
                    samples=sampler.samples)


# --------------------------------------------------------------------------------------------------
# Data: generation, the live copy, the appended day
# --------------------------------------------------------------------------------------------------


def generate(fmt: str, data_dir: Path, events: int, seed: int) -> Path:
    """Run the generator into a scratch folder beside data_dir and return it. The callers then move its output
    into data_dir, its marker last, so an interrupted generation never leaves half a data set that a later run
    would take for a whole one."""
    scratch = data_dir.with_name(data_dir.name + ".partial")
    if scratch.exists():
        shutil.rmtree(scratch)
    command = [sys.executable, str(GENERATOR), "--format", fmt, "--out", str(scratch),
               "--events", str(events), "--seed", str(seed), "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BenchError(f"data generation failed (exit {result.returncode}): {reason}")
    return scratch


def ensure_ga4_data(data_dir: Path, events: int, seed: int) -> None:
    """Generate the GA4 export unless data_dir holds one (its truth file, written last, is the marker)."""
    if (data_dir / GA4_MARKER).is_file():
        progress(f"data: using {data_dir} (already generated)")
        return
    progress(f"data: generating a GA4 export of {events:,} rows into {data_dir}")
    started = time.perf_counter()
    scratch = generate("ga4", data_dir, events, seed)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    scratch.rename(data_dir)
    progress(f"data: generated in {time.perf_counter() - started:.1f} s")


def ensure_data(data_dir: Path, events: int, seed: int) -> None:
    """Generate the data unless data_dir/raw_events exists (the marker: moved in last)."""
    if (data_dir / "raw_events").is_dir():
        progress(f"data: using {data_dir} (already generated)")
        return
    progress(f"data: generating {events:,} events into {data_dir}")
    started = time.perf_counter()
    scratch = generate("parquet", data_dir, events, seed)
    data_dir.mkdir(parents=True, exist_ok=True)
    for table in sorted(RAW_TABLES, key=lambda t: t == "raw_events"):  # raw_events, the marker, comes last
        if (data_dir / table).exists():
            shutil.rmtree(data_dir / table)
        (scratch / table).rename(data_dir / table)
    shutil.rmtree(scratch)
    progress(f"data: generated in {time.perf_counter() - started:.1f} s")


def make_live_copy(data_dir: Path, live_dir: Path) -> None:
    """live_dir/<table>/ holds the generated part files (hard links, or copies), and nothing else."""
    if live_dir.exists():
        shutil.rmtree(live_dir)
    for table in RAW_TABLES:
        source = data_dir / table
        parts = sorted(source.glob("*.parquet"))
        if not parts:
            raise BenchError(f"no Parquet files in {source}: remove {data_dir} to regenerate it")
        (live_dir / table).mkdir(parents=True)
        for part in parts:
            target = live_dir / table / part.name
            try:
                os.link(part, target)
            except OSError:
                shutil.copy2(part, target)


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The named parameters that sql uses (DuckDB refuses unused ones)."""
    names = set(re.findall(r"\$(\w+)", sql))
    return {name: value for name, value in params.items() if name in names}


def parquet_glob(folder: Path, pattern: str = "*.parquet") -> str:
    return str(folder / pattern).replace("'", "''")


def count_rows(folder: Path, pattern: str = "*.parquet") -> int:
    with duckdb.connect() as con:
        glob = parquet_glob(folder, pattern)
        return int(con.execute(f"select count(*) from read_parquet('{glob}')").fetchone()[0])


def next_part(folder: Path) -> Path:
    numbers = [int(m.group(1)) for p in folder.glob("part-*.parquet") if (m := re.fullmatch(r"part-(\d+)", p.stem))]
    return folder / f"part-{max(numbers, default=-1) + 1:05d}.parquet"


@dataclass
class AppendedDay:
    day: str  # the new day (UTC date of the replayed events)
    replayed_from: str  # the load day that was replayed, one week earlier
    loaded_from: str  # the appended rows' loaded_at: all later than every row loaded before
    loaded_to: str
    event_rows: int
    new_day_events: int  # rows whose event_ts falls on the new day
    late_event_rows: int  # rows of new events that happened on earlier days
    redelivered_rows: int  # rows repeating an already loaded event (same event_id and payload)
    order_rows: int
    order_item_rows: int
    files: list[str] = field(default_factory=list)


def append_day(live_dir: Path, seed: int) -> AppendedDay:
    """Land one more day of data in the live copy, as a daily load would, in new part files.

    The new day N follows the last day D of the data (the last date holding a tenth of an average day's
    events: sessions running past the final midnight do not count as a day). Its load replays the load of day
    S = N - 7 (same weekday): every raw_events row with loaded_at on S, shifted by 7 days, with new event ids
    (a hash of the old id, so duplicate deliveries inside the load stay duplicates; NULL or blank ids stay as
    they are, still rejected) and new order ids. That load holds, like any daily load, the day's own events,
    late events of earlier days, duplicates and rejected rows. On top of it, 1% re-deliveries of events already
    loaded (same event_id and payload) from the last three days. loaded_at of every appended row is later
    than every loaded_at before (the generator's late events already land up to 9 days after the last day,
    so the load is shifted past them, keeping its spread). Orders (and their items) placed on S or named by a
    replayed purchase event are replayed with the same new order ids, so purchases keep their orders.
    raw_returns, raw_products and raw_customers get nothing new.
    """
    events_dir, orders_dir, items_dir = (live_dir / t for t in ("raw_events", "raw_orders", "raw_order_items"))
    salt = f"bench-append-{seed}"
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"create view events as select * from read_parquet('{parquet_glob(events_dir)}')")
        con.execute(f"create view orders as select * from read_parquet('{parquet_glob(orders_dir)}')")
        con.execute(f"create view items as select * from read_parquet('{parquet_glob(items_dir)}')")
        last_day, max_loaded = con.execute("""
            with days as (select event_ts::date as day, count(*) as n from events where event_ts is not null group by 1)
            select (select max(day) from days where n >= 0.1 * (select avg(n) from days)),
                   (select max(loaded_at) from events)
        """).fetchone()
        if last_day is None:
            raise BenchError(f"no events in {events_dir}")
        new_day: date = last_day + timedelta(days=1)
        source_day = new_day - timedelta(days=REPLAY_SHIFT_DAYS)
        source_start = datetime(source_day.year, source_day.month, source_day.day)
        load_start = max_loaded.replace(microsecond=0) + timedelta(minutes=1)
        min_order, max_order = con.execute("""
            select min(try_cast(substr(order_id, 3) as bigint)), max(try_cast(substr(order_id, 3) as bigint))
            from orders where regexp_full_match(order_id, 'o-[0-9]+')
        """).fetchone()
        order_offset = (max_order or 0) - (min_order or 0) + 1  # every mapped number is above every existing one
        params = {"source_start": source_start, "load_shift": load_start - source_start, "load_start": load_start,
                  "days": REPLAY_SHIFT_DAYS, "salt": salt, "order_offset": order_offset}
        mapped_order = ("case when regexp_full_match(order_id, 'o-[0-9]+') "
                        "then printf('o-%07d', substr(order_id, 3)::bigint + $order_offset) else order_id end")
        replay_sql = f"""
            create temp table replayed as
            select * replace (
                case when nullif(trim(event_id), '') is null then event_id
                     else substr(md5(trim(event_id) || $salt), 1, 16) end as event_id,
                event_ts + to_days($days) as event_ts,
                loaded_at + $load_shift as loaded_at,
                {mapped_order} as order_id
            )
            from events
            where loaded_at >= $source_start and loaded_at < $source_start + interval 1 day
        """
        con.execute(replay_sql, used_params(replay_sql, params))
        replayed_rows = con.execute("select count(*) from replayed").fetchone()[0]
        if replayed_rows == 0:
            raise BenchError(f"no events loaded on {source_day} to replay as {new_day}")
        con.execute("""
            create temp table redelivered as
            select * replace ($load_start + to_seconds((hash(event_id || $salt) % 86400)::bigint) as loaded_at)
            from events
            where nullif(trim(event_id), '') is not null
                and event_ts >= $first_day and event_ts < $new_day
            qualify row_number() over (partition by event_id order by loaded_at) = 1
            order by hash(event_id || $salt), event_id
            limit $n
        """, {"load_start": load_start, "salt": salt, "new_day": new_day,
              "first_day": new_day - timedelta(days=REDELIVERY_LOOKBACK_DAYS),
              "n": round(REDELIVERY_SHARE * replayed_rows)})
        con.execute("""
            create temp table appended as
            select * from replayed union all by name select * from redelivered
        """)
        event_part = next_part(events_dir)
        con.execute(f"copy (select * from appended order by loaded_at, event_id) to '{event_part}' "
                    "(format parquet, compression zstd)")
        counts = con.execute("""
            select (select count(*) from replayed where event_ts::date = $new_day),
                   (select count(*) from replayed where event_ts::date < $new_day),
                   (select count(*) from redelivered),
                   min(loaded_at), max(loaded_at)
            from appended
        """, {"new_day": new_day}).fetchone()
        # Orders placed on the replayed day, plus those named by a replayed purchase event (late purchases).
        orders_sql = f"""
            create temp table replayed_orders as
            select * replace ({mapped_order} as order_id, ordered_at + to_days($days) as ordered_at), order_id as old_id
            from orders
            where (ordered_at >= $source_start and ordered_at < $source_start + interval 1 day)
                or {mapped_order} in (select order_id from replayed where order_id is not null)
        """
        con.execute(orders_sql, used_params(orders_sql, params))
        order_part, item_part = next_part(orders_dir), next_part(items_dir)
        con.execute(f"copy (select * exclude (old_id) from replayed_orders order by ordered_at, order_id) "
                    f"to '{order_part}' (format parquet, compression zstd)")
        con.execute(f"""
            copy (
                select replayed_orders.order_id, items.* exclude (order_id)
                from items inner join replayed_orders on items.order_id = replayed_orders.old_id
                order by 1, 2
            ) to '{item_part}' (format parquet, compression zstd)
        """)
        order_rows = con.execute("select count(*) from replayed_orders").fetchone()[0]
        item_rows = con.execute(f"select count(*) from read_parquet('{item_part}')").fetchone()[0]
    new_day_events, late_rows, redelivered, loaded_from, loaded_to = counts
    return AppendedDay(
        day=str(new_day), replayed_from=str(source_day), loaded_from=str(loaded_from), loaded_to=str(loaded_to),
        event_rows=replayed_rows + redelivered, new_day_events=new_day_events, late_event_rows=late_rows,
        redelivered_rows=redelivered, order_rows=order_rows, order_item_rows=item_rows,
        files=[str(p) for p in (event_part, order_part, item_part)])


# --------------------------------------------------------------------------------------------------
# dbt runs and their results
# --------------------------------------------------------------------------------------------------


def node_name(unique_id: str) -> str:
    """'model.ecommerce_kpis.fct_sessions' -> 'fct_sessions'; unit tests keep their model:
    'unit_test.ecommerce_kpis.fct_orders.some_rule' -> 'fct_orders.some_rule'."""
    parts = unique_id.split(".")
    if parts[0] == "unit_test":
        return ".".join(parts[2:])
    return parts[2] if len(parts) > 2 else unique_id


def slowest(results: Iterable[dict[str, Any]], keep: Callable[[str], bool], n: int = SLOWEST) -> list[dict[str, Any]]:
    chosen = [r for r in results if keep(r["unique_id"])]
    chosen.sort(key=lambda r: (-float(r.get("execution_time") or 0.0), r["unique_id"]))
    return [{"name": node_name(r["unique_id"]), "seconds": round(float(r.get("execution_time") or 0.0), 3)}
            for r in chosen[:n]]


def is_model(unique_id: str) -> bool:
    return unique_id.startswith("model.")


def is_test(unique_id: str) -> bool:
    return unique_id.startswith(("test.", "unit_test."))


def summarize_run_results(path: Path) -> dict[str, Any]:
    """Slowest models and tests (data and unit tests), status counts and node counts of one dbt run."""
    if not path.is_file():
        return {"slowest_models": [], "slowest_tests": [], "status_counts": {}, "node_counts": {},
                "dbt_elapsed_seconds": None, "dbt_version": None}
    run = json.loads(path.read_text())
    results = run.get("results", [])
    return {
        "slowest_models": slowest(results, is_model),
        "slowest_tests": slowest(results, is_test),
        "status_counts": dict(sorted(Counter(str(r.get("status")) for r in results).items())),
        "node_counts": dict(sorted(Counter(r["unique_id"].split(".")[0] for r in results).items())),
        "model_seconds_total": round(sum(float(r.get("execution_time") or 0) for r in results
                                         if is_model(r["unique_id"])), 3),
        "test_seconds_total": round(sum(float(r.get("execution_time") or 0) for r in results
                                        if is_test(r["unique_id"])), 3),
        "dbt_elapsed_seconds": run.get("elapsed_time"),
        "dbt_version": run.get("metadata", {}).get("dbt_version"),
    }


def dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("dbt")
    if found is None:
        raise BenchError("dbt not found: run with the project's virtualenv (.venv/bin/python scripts/bench.py)")
    return found


def dbt_build(phase: str, args: argparse.Namespace, env: dict[str, str], events: int) -> dict[str, Any]:
    work_dir = args.work_dir
    target_path, log_path = work_dir / "target", work_dir / "logs"
    log_path.mkdir(parents=True, exist_ok=True)
    data_var = {"ga4_export_path": str(args.data_dir)} if args.source == "ga4" else {
        "raw_data_path": str(work_dir / "raw")}
    command = [dbt_executable(), "build", "--project-dir", str(REPO), "--profiles-dir", str(PROFILES.parent),
               "--vars", json.dumps(data_var),
               "--target-path", str(target_path), "--log-path", str(log_path)]
    command += ["--select", args.select] if args.select else []
    command += ["--exclude", args.exclude] if args.exclude else []
    (target_path / "run_results.json").unlink(missing_ok=True)
    output = log_path / f"dbt-build-{phase}.out"
    progress(f"{phase}: dbt build on {events:,} raw event rows (output: {output})")
    measured = run_measured(command, env, REPO, output)
    kept = work_dir / f"run_results-{phase}.json"
    if (target_path / "run_results.json").is_file():
        shutil.copyfile(target_path / "run_results.json", kept)
    phase_result: dict[str, Any] = {
        "command": command,
        "exit_code": measured.exit_code,
        "events": events,
        "wall_seconds": round(measured.wall_seconds, 3),
        "cpu_seconds": round(measured.cpu_seconds, 3),
        "peak_rss_bytes": measured.peak_rss_bytes,
        "events_per_second": events / measured.wall_seconds,
        "sampled_peak_rss_bytes": measured.sampled_peak_rss_bytes,
        "largest_process_peak_rss_bytes": measured.largest_process_peak_rss_bytes,
        "memory_samples": measured.samples,
        "run_results": str(kept),
        "dbt_output": str(output),
        **summarize_run_results(kept),
    }
    phase_result["wall_seconds"] = measured.wall_seconds  # unrounded, so events_per_second = events / wall
    progress(f"{phase}: {measured.wall_seconds:.1f} s ({measured.cpu_seconds:.1f} CPU s), "
             f"peak {gib(measured.peak_rss_bytes)}, exit {measured.exit_code}")
    if measured.exit_code != 0:
        tail = output.read_text(errors="replace").strip().splitlines()[-15:]
        print("\n".join(f"    {line}" for line in tail), file=sys.stderr)
    return phase_result


# --------------------------------------------------------------------------------------------------
# Machine, settings, report
# --------------------------------------------------------------------------------------------------


def memory_total_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    try:
        match = re.search(r"^MemTotal:\s+(\d+)\s*kB", meminfo.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) * 1024 if match else None


def profile_default(env_var: str) -> str | None:
    """The default that profiles.yml gives an environment variable: env_var('NAME', 'default')."""
    try:
        text = PROFILES.read_text()
    except OSError:
        return None
    match = re.search(rf"env_var\(\s*'{env_var}'\s*,\s*'([^']*)'\s*\)", text)
    return match.group(1) if match else None


def memory_bytes(limit: str | None) -> int | None:
    match = MEMORY_LIMIT_RE.match(limit or "")
    return round(float(match.group(1)) * MEMORY_UNITS[match.group(2).lower()]) if match else None


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> str | None:
    result = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h"], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        return None
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return result.stdout.strip() + ("+uncommitted changes" if dirty else "")


def effective(env: dict[str, str], name: str) -> str | None:
    return env.get(name) or profile_default(name)


def checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issue 4 that apply to this run. The time and 4 GiB targets were set for 10 million events
    and are judged only at that size; the memory-limit one (spill, do not fail) holds at every size."""
    full, incremental = report["phases"].get("full"), report["phases"].get("incremental")
    limit = memory_bytes(report["settings"]["memory_limit"])
    found: list[dict[str, Any]] = [
        {"check": f"{name} dbt build succeeded", "value": f"exit {phase['exit_code']}", "ok": False}
        for name, phase in report["phases"].items() if phase["exit_code"] != 0]  # its figures prove nothing
    if report.get("source") == "ga4":
        if full and report["requested_events"] == GA4_TARGETS_SET_FOR_EVENTS:
            found.append({"check": "GA4 export, full build under 180 s (set for 3M export rows)",
                          "value": round(full["wall_seconds"], 1), "ok": full["wall_seconds"] < 180})
            found.append({"check": "GA4 export, full build peak memory under 3 GiB (set for 3M export rows)",
                          "value": gib(full["peak_rss_bytes"]), "ok": full["peak_rss_bytes"] < 3 * GIB})
        full = incremental = None
    elif report["requested_events"] != TARGETS_SET_FOR_EVENTS:
        full = incremental = None
    if full:
        found.append({"check": "full build under 60 s (set for 10M events)", "value": round(full["wall_seconds"], 1),
                      "ok": full["wall_seconds"] < 60})
        found.append({"check": "full build peak memory under 4 GiB (set for 10M events)",
                      "value": gib(full["peak_rss_bytes"]), "ok": full["peak_rss_bytes"] < 4 * GIB})
    if full and incremental:
        ratio = incremental["wall_seconds"] / full["wall_seconds"]
        found.append({"check": "incremental build under 1/4 of the full build", "value": round(ratio, 3),
                      "ok": ratio < 0.25})
    if limit is not None:
        peak = max(p["peak_rss_bytes"] for p in report["phases"].values())
        found.append({"check": "peak memory within the DuckDB memory_limit + 1 GiB (set for 100M events)",
                      "value": f"{gib(peak)} vs {gib(limit + GIB)}", "ok": peak <= limit + GIB})
    return found


def gib(n: int | float) -> str:
    return f"{n / GIB:.2f} GiB"


def render(report: dict[str, Any]) -> str:
    settings, machine = report["settings"], report["machine"]
    lines = [(f"events: {report['events']:,} raw_events rows (seed {report['seed']}); "
              f"memory_limit {settings['memory_limit']}, DuckDB threads {settings['duckdb_threads']}, "
              f"dbt threads {settings['dbt_threads']}; {machine['cpu_count']} CPUs, "
              f"{gib(machine['memory_total_bytes'] or 0)}, load average at start "
              f"{machine['load_average_at_start'][0]:.1f}; commit {report['git_commit']}"),
             "",
             f"{'phase':<12} {'wall s':>8} {'CPU s':>8} {'peak RSS':>11} {'events':>13} {'events/s':>11}  dbt statuses"]
    for name, phase in report["phases"].items():
        statuses = " ".join(f"{k}={v}" for k, v in phase["status_counts"].items()) or f"exit {phase['exit_code']}"
        lines.append(f"{name:<12} {phase['wall_seconds']:>8.1f} {phase['cpu_seconds']:>8.1f} "
                     f"{gib(phase['peak_rss_bytes']):>11} "
                     f"{phase['events']:>13,} {phase['events_per_second']:>11,.0f}  {statuses}")
    for name, phase in report["phases"].items():
        for kind in ("models", "tests"):
            entries = ", ".join(f"{e['name']} {e['seconds']:.2f}" for e in phase[f"slowest_{kind}"]) or "-"
            lines.append(f"{name} slowest {kind}: {entries}")
    if "appended_day" in report:
        day = report["appended_day"]
        lines.append(f"appended day {day['day']} (replays the load of {day['replayed_from']}): {day['event_rows']:,} "
                     f"event rows ({day['new_day_events']:,} of the day, {day['late_event_rows']:,} late, "
                     f"{day['redelivered_rows']:,} re-deliveries), {day['order_rows']:,} orders")
    for check in report["checks"]:
        lines.append(f"[{'ok' if check['ok'] else 'MISSED'}] {check['check']}: {check['value']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


def memory_limit(text: str) -> str:
    if memory_bytes(text) is None:
        raise argparse.ArgumentTypeError(f"not a memory size like 4GB or 512MiB: {text!r}")
    return text.strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="bench.py", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=bounded_int(MIN_EVENTS), default=DEFAULT_EVENTS,
                        help=f"raw_events rows (or GA4 export rows) to generate (default {DEFAULT_EVENTS:_})")
    parser.add_argument("--source", choices=("raw", "ga4"), default="raw",
                        help="raw: the raw contract as Parquet (default); ga4: a GA4 export, full build only")
    parser.add_argument("--seed", type=bounded_int(0), default=DEFAULT_SEED, help="generator seed (default 42)")
    parser.add_argument("--data-dir", type=Path, help="generated Parquet data (default build/bench/<events>)")
    parser.add_argument("--db", type=Path, help="DuckDB file, recreated (default build/bench/<events>.duckdb)")
    parser.add_argument("--json", type=Path, help="results file (default build/bench/<events>.json)")
    parser.add_argument("--work-dir", type=Path,
                        help="live data copy, dbt target and logs, DuckDB spill (default build/bench/<events>.work)")
    parser.add_argument("--memory-limit", type=memory_limit,
                        help=f"DuckDB memory_limit, e.g. 4GB (sets {ENV_MEMORY_LIMIT}; default: the profile's)")
    parser.add_argument("--threads", type=bounded_int(1),
                        help=f"DuckDB threads (sets {ENV_DUCKDB_THREADS}; default: the profile's)")
    parser.add_argument("--skip-incremental", action="store_true", help="only the full build")
    parser.add_argument("--select", help="dbt node selection for both builds, e.g. '+int_events_sessionized' "
                        "(default: everything dbt build runs)")
    parser.add_argument("--exclude", help="dbt nodes to leave out of both builds, e.g. 'test_type:unit'")
    args = parser.parse_args(argv)
    base = REPO / "build" / "bench"
    name = f"ga4-{args.events}" if args.source == "ga4" else str(args.events)
    args.data_dir = (args.data_dir or base / name).resolve()
    args.db = (args.db or base / f"{name}.duckdb").resolve()
    args.json = (args.json or base / f"{name}.json").resolve()
    args.work_dir = (args.work_dir or base / f"{name}.work").resolve()
    if args.source == "ga4":
        args.skip_incremental = True
    if args.data_dir.exists() and not args.data_dir.is_dir():
        parser.error(f"argument --data-dir: not a folder: {args.data_dir}")
    if args.db.is_dir():
        parser.error(f"argument --db: is a folder: {args.db}")
    if args.json.is_dir():
        parser.error(f"argument --json: is a folder: {args.json}")
    return args


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def dbt_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV_DB] = str(args.db)
    env[ENV_TEMP_DIR] = str(args.work_dir / "duckdb_tmp")
    if args.memory_limit:
        env[ENV_MEMORY_LIMIT] = args.memory_limit
    if args.threads:
        env[ENV_DUCKDB_THREADS] = str(args.threads)
    return env


def remove_database(db: Path) -> None:
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)


def run(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Run the benchmark, filling report as it goes (so a failure still leaves what was measured)."""
    live_dir = args.work_dir / "raw"
    if args.source == "ga4":
        # the export is only read: dbt reads the generated folder itself
        ensure_ga4_data(args.data_dir, args.events, args.seed)
        events = count_rows(args.data_dir, "events_*.parquet")
    else:
        ensure_data(args.data_dir, args.events, args.seed)
        make_live_copy(args.data_dir, live_dir)
        events = count_rows(live_dir / "raw_events")
    for folder in (args.db.parent, args.json.parent, args.work_dir / "duckdb_tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    env = dbt_env(args)
    report.update({
        "events": events,
        "requested_events": args.events,
        "seed": args.seed,
        "source": args.source,
        "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": {"cpu_count": os.cpu_count(), "memory_total_bytes": memory_total_bytes(),
                    "load_average_at_start": list(os.getloadavg()), "platform": platform.platform()},
        "versions": {"dbt_core": package_version("dbt-core"), "dbt_duckdb": package_version("dbt-duckdb"),
                     "duckdb": package_version("duckdb"), "python": platform.python_version()},
        "settings": {"select": args.select, "exclude": args.exclude,
                     "memory_limit": effective(env, ENV_MEMORY_LIMIT),
                     "duckdb_threads": effective(env, ENV_DUCKDB_THREADS),
                     "dbt_threads": effective(env, ENV_DBT_THREADS), "temp_directory": env[ENV_TEMP_DIR]},
        "data_dir": str(args.data_dir),
        "live_data_dir": str(live_dir),
        "db": str(args.db),
        "phases": {},
    })
    remove_database(args.db)
    report["phases"]["full"] = dbt_build("full", args, env, events)
    if report["phases"]["full"]["exit_code"] == 0 and not args.skip_incremental:
        progress("incremental: appending one more day of data")
        appended = append_day(live_dir, args.seed)
        report["appended_day"] = asdict(appended)
        progress(f"incremental: appended {appended.day}: {appended.event_rows:,} event rows, "
                 f"{appended.order_rows:,} orders")
        report["phases"]["incremental"] = dbt_build("incremental", args, env, events + appended.event_rows)
        report["phases"]["incremental"]["new_events"] = appended.event_rows
        report["incremental_to_full_ratio"] = (report["phases"]["incremental"]["wall_seconds"]
                                               / report["phases"]["full"]["wall_seconds"])
    report["checks"] = checks(report)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report: dict[str, Any] = {}
    try:
        run(args, report)
    except (BenchError, OSError, duckdb.Error) as error:
        reason = str(error) if isinstance(error, BenchError) else f"{type(error).__name__}: {error}"
        reason = (reason.strip().splitlines() or ["unknown error"])[0]
        if report.get("phases"):
            report["error"] = reason
            args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"bench.py: error: {reason}", file=sys.stderr)
        return 1
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print()
    print(render(report))
    print(f"\nresults: {args.json}")
    failed = [name for name, phase in report["phases"].items() if phase["exit_code"] != 0]
    if failed:
        print(f"bench.py: error: dbt build failed in phase {', '.join(failed)} "
              f"(see {report['phases'][failed[0]]['dbt_output']})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
