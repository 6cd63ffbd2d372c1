"""Publish the marts of a successful dbt build to a separate DuckDB file that BI tools read (issue 7).

DuckDB lets one process write a database file, and while it does no other process can open the file, not even
read-only; a BI tool holding the file open makes the next `dbt build` fail to open it. So BI tools read a copy:
this script copies every table of schema `marts` (facts, dimensions, KPI marts, scorecard, time spine) from the
built database into a new file under a temporary name beside the published one, checks the copy, and swaps it
in with one atomic rename (os.replace). A reader opens either the previous complete set or the new one, never a
mix and never a half-written file, and never holds a lock that a build or the next publication needs: the file
it holds open is not written again, only replaced. The copy holds marts only, no raw or staging data, so no
personal data (README, "Personal data").

Run it after `dbt build` succeeded (`make build` does). With `--run-results`, it also refuses to publish unless
every node of that dbt run succeeded. Exits non-zero with a one-line reason, leaving the published file as it
was, when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import duckdb
from cli_args import OneLineParser

MART_SCHEMA = "marts"
# A publication without the scorecard is not a complete set of marts.
REQUIRED_TABLES = ("kpi_scorecard",)
# Statuses of run_results.json that leave every mart built: a warn-severity test (an unmet KPI) is fine.
OK_STATUSES = {"success", "pass", "warn", "no-op"}


class PublishError(RuntimeError):
    """A reason not to publish, printed as one line."""


def default_database() -> Path:
    return Path(os.environ.get("ECOMMERCE_KPIS_DB", "ecommerce_kpis.duckdb"))


def default_output(database: Path) -> Path:
    """ECOMMERCE_KPIS_BI_DB, else `<database stem>_bi.duckdb` beside the database."""
    configured = os.environ.get("ECOMMERCE_KPIS_BI_DB")
    return Path(configured) if configured else database.with_name(f"{database.stem}_bi.duckdb")


def check_run_results(path: Path) -> None:
    """Every node of the dbt run succeeded (a failed or skipped mart must not be published)."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError) as error:
        raise PublishError(f"cannot read dbt's run results {path}: {error}") from None
    bad = [f"{result['unique_id']} ({result['status']})" for result in results if result["status"] not in OK_STATUSES]
    if bad:
        raise PublishError(f"the dbt run in {path} did not succeed: {', '.join(bad[:5])}")
    if not results:
        raise PublishError(f"the dbt run in {path} ran nothing")


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = 'built' and table_schema = ? order by table_name",
        [MART_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def row_counts(connection: duckdb.DuckDBPyConnection, prefix: str, tables: list[str]) -> dict[str, int]:
    """Rows of each mart table; `prefix` is "built." for the attached build, "" for the connection's own file."""
    counts = {}
    for table in tables:
        row = connection.execute(f'select count(*) from {prefix}{MART_SCHEMA}."{table}"').fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def as_of_date(connection: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The reporting date of the build (SPEC 5), when the build has it."""
    try:
        row = connection.execute("select max(as_of_date) from built.intermediate.int_as_of_date").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def write_copy(database: Path, temporary: Path) -> dict[str, int]:
    """Copy the marts of `database` into the new file `temporary`; return the row count of each table."""
    connection = duckdb.connect(str(temporary))
    try:
        try:
            connection.execute(f"attach {sql_literal(str(database))} as built (read_only)")
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise PublishError(
                    f"{database} is open in another process (is a dbt build still running?); nothing published"
                ) from None
            raise PublishError(f"cannot open {database}: {str(error).splitlines()[0]}") from None
        tables = mart_tables(connection)
        missing = [name for name in REQUIRED_TABLES if name not in tables]
        if not tables or missing:
            raise PublishError(
                f"{database} has no complete set of marts (missing: {', '.join(missing) or 'every table'}); "
                "did dbt build fail?"
            )
        connection.execute(f"create schema {MART_SCHEMA}")
        for table in tables:
            connection.execute(
                f'create table {MART_SCHEMA}."{table}" as select * from built.{MART_SCHEMA}."{table}"'
            )
        source_counts = row_counts(connection, "built.", tables)
        connection.execute("create schema meta")
        connection.execute(
            "create table meta.publication as select ?::timestamp as published_at, ?::date as as_of_date,"
            " ?::varchar as source_database, ?::integer as mart_tables, ?::bigint as mart_rows",
            [
                dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
                as_of_date(connection),
                str(database.resolve()),
                len(tables),
                sum(source_counts.values()),
            ],
        )
        connection.execute("detach built")
        connection.execute("checkpoint")
    finally:
        connection.close()
    # Read the closed copy back: what a reader will open must hold exactly what the build holds.
    with duckdb.connect(str(temporary), read_only=True) as check:
        copied = row_counts(check, "", list(source_counts))
    if copied != source_counts:
        raise PublishError(f"the copy in {temporary} differs from {database}: {copied} != {source_counts}")
    return source_counts


def fsync_path(path: Path) -> None:
    """Flush a file or a folder entry to disk, so the rename survives a crash with the data it names."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(database: Path, output: Path) -> dict[str, int]:
    """Write the copy under a temporary name beside `output`, then rename it over `output` in one step."""
    if not database.is_file():
        raise PublishError(f"no database at {database}; run `make build` first")
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    wal = temporary.with_name(temporary.name + ".wal")
    for leftover in (temporary, wal):
        leftover.unlink(missing_ok=True)
    try:
        counts = write_copy(database, temporary)
        if wal.exists():
            raise PublishError(f"DuckDB left a write-ahead log beside {temporary}; not publishing an unmerged file")
        # Read-only for everyone: a BI tool must open it read-only (a write would be lost at the next swap).
        os.chmod(temporary, 0o444)
        fsync_path(temporary)
        os.replace(temporary, output)
        fsync_path(output.parent)
    finally:
        for leftover in (temporary, wal):
            leftover.unlink(missing_ok=True)
    return counts


def main() -> int:
    parser = OneLineParser(prog="publish_marts", description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=None, help="the built database (default: ECOMMERCE_KPIS_DB)")
    parser.add_argument(
        "--out", type=Path, default=None,
        help="the published file (default: ECOMMERCE_KPIS_BI_DB, else <database stem>_bi.duckdb beside it)",
    )
    parser.add_argument("--run-results", type=Path, default=None,
                        help="dbt's run_results.json: publish only if every node of that run succeeded")
    args = parser.parse_args()
    database = args.database or default_database()
    output = args.out or default_output(database)
    started = time.perf_counter()
    try:
        if args.run_results is not None:
            check_run_results(args.run_results)
        counts = publish(database, output)
    except (PublishError, duckdb.Error, OSError) as error:
        print(f"publish_marts: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    print(
        f"Published {len(counts)} mart tables ({sum(counts.values()):,} rows) of {database} to {output} "
        f"(read-only, swapped in atomically) in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
