"""Issue 7, personal data: `email` and `full_name` of raw_customers never reach an intermediate or mart model
or the dashboard; staging keeps only a salted SHA-256 of the normalised email.

- On the demo build (tests/pytest/demo_build.py), every column of every model outside staging (the models of
  the manifest, each required to exist) is scanned, cast to text, for email-shaped values and for the raw full
  names and emails, case-insensitively and inside longer text; the staging models, which keep at most the
  hash, for the raw names and emails. The personal columns are the ones the source declares with
  `meta.contains_pii` (models/staging/shop/_shop__sources.yml), required to be email and full_name. A planted
  leak shows that the scan finds what it looks for.
- The KPI dashboard written from that build holds no raw email and no raw name.
- stg_shop__customers.email_hash equals sha256(salt + '|' + lower(trim(email))) computed here in Python, with
  the demo salt and with one set in ECOMMERCE_KPIS_EMAIL_SALT; the salt is stored nowhere in the database; an
  empty salt stops the build.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from demo_build import DemoBuild, demo_build
from faults_support import run
from pipeline import REPO_ROOT, copy_project, write_raw_data

DEMO_SALT = "ecommerce-kpis-demo-salt"
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PII_COLUMNS = {("raw_customers", "email"), ("raw_customers", "full_name")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    return demo_build(tmp_path_factory)


def manifest(demo: DemoBuild) -> dict[str, Any]:
    return json.loads((demo.project_dir / "target" / "manifest.json").read_text(encoding="utf-8"))


def relations_outside_staging(demo: DemoBuild) -> list[str]:
    """schema.alias of every model of the project not in models/staging (intermediate and marts)."""
    nodes = manifest(demo)["nodes"].values()
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in nodes
        if node["resource_type"] == "model"
        and not node["original_file_path"].startswith("models/staging/")
        and node["config"]["materialized"] != "ephemeral"
    )


def raw_personal_values(database: Path) -> dict[str, list[str]]:
    """The raw values of the personal columns: column -> distinct non-blank values."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            column: [
                value
                for (value,) in connection.execute(
                    f"select distinct trim({column}) from raw.{table} where nullif(trim({column}), '') is not null"
                ).fetchall()
            ]
            for table, column in sorted(PII_COLUMNS)
        }


def find_personal_data(
    database: Path, relations: list[str], personal: dict[str, list[str]], email_shaped: bool = True
) -> list[str]:
    """Every (relation, column) holding a raw name or email (or, with `email_shaped`, any email-shaped value),
    with an example."""
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{database}' as built (read_only)")
        connection.execute("create temp table personal (value varchar)")
        connection.executemany(
            "insert into personal values (lower(?))", [[value] for values in personal.values() for value in values]
        )
        shape_test = f"regexp_matches(cells.value, '{EMAIL_PATTERN}')" if email_shaped else "false"
        findings = []
        for relation in relations:
            schema, name = relation.split(".")
            columns = [
                column
                for (column,) in connection.execute(
                    "select column_name from information_schema.columns"
                    " where table_catalog = 'built' and table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            ]
            assert columns, f"{relation} is not in the database"
            for column in columns:
                values = f'(select distinct lower(cast("{column}" as varchar)) as value from built.{schema}."{name}")'
                hit = connection.execute(
                    f"select any_value(cells.value) from {values} as cells"
                    f" left join personal on strpos(cells.value, personal.value) > 0"
                    f" where {shape_test} or personal.value is not null"
                ).fetchone()
                if hit is not None and hit[0] is not None:
                    findings.append(f"{relation}.{column}: e.g. {hit[0]!r}")
        return findings
    finally:
        connection.close()


def test_the_source_declares_the_personal_columns(demo: DemoBuild) -> None:
    declared = {
        (source["name"], column["name"])
        for source in manifest(demo)["sources"].values()
        for column in source["columns"].values()
        if column.get("config", {}).get("meta", {}).get("contains_pii") or column.get("meta", {}).get("contains_pii")
    }
    assert declared == PII_COLUMNS


def test_no_personal_data_outside_staging(demo: DemoBuild) -> None:
    relations = relations_outside_staging(demo)
    assert any(relation.startswith("intermediate.") for relation in relations)
    assert "marts.dim_customers" in relations and "marts.kpi_scorecard" in relations
    personal = raw_personal_values(demo.database)
    assert len(personal["email"]) > 100 and len(personal["full_name"]) > 100
    assert find_personal_data(demo.database, relations, personal) == []


def test_staging_holds_no_raw_personal_values(demo: DemoBuild) -> None:
    """Staging keeps at most the hash (SPEC 1): no staging model holds a raw email or name, even a rejected row."""
    nodes = manifest(demo)["nodes"].values()
    relations = sorted(
        f"{node['schema']}.{node['alias']}"
        for node in nodes
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/staging/")
        and node["config"]["materialized"] != "ephemeral"
    )
    assert "staging.stg_shop__customers" in relations
    personal = raw_personal_values(demo.database)
    assert find_personal_data(demo.database, relations, personal, email_shaped=False) == []


def test_the_scan_finds_a_planted_leak(demo: DemoBuild, tmp_path: Path) -> None:
    """The same scan over a copy of the demo database with a mart that leaks, disguised."""
    database = tmp_path / "leaky.duckdb"
    shutil.copy2(demo.database, database)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table marts.leaky as select customer_id, 'Contact: ' || upper(trim(email)) as contact,"
            " 'Dear ' || full_name || ',' as greeting, length(email) as email_length from raw.raw_customers"
        )
    relations = [*relations_outside_staging(demo), "marts.leaky"]
    findings = find_personal_data(database, relations, raw_personal_values(database))
    assert [finding.split(":")[0] for finding in findings] == ["marts.leaky.contact", "marts.leaky.greeting"]


def test_the_dashboard_holds_no_personal_data(demo: DemoBuild, tmp_path: Path) -> None:
    out = tmp_path / "dashboard.html"
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "report_dashboard.py"), "--database", str(demo.database),
         "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8").lower()
    with duckdb.connect(str(demo.database), read_only=True) as connection:
        rows = connection.execute("select distinct lower(owner) from marts.kpi_scorecard order by 1").fetchall()
    owners = [owner for (owner,) in rows]
    shown = [owner for owner in owners if owner in page or html.escape(owner) in page]
    assert owners and shown == owners, "the page does not show the scorecard's owners"
    personal = raw_personal_values(demo.database)
    leaks = [value for values in personal.values() for value in values if value.lower() in page]
    assert leaks == []


def expected_hash(email: str | None, salt: str) -> str | None:
    if email is None or email.strip() == "":
        return None
    return hashlib.sha256(f"{salt}|{email.strip().lower()}".encode()).hexdigest()


def test_staging_keeps_only_the_salted_hash(demo: DemoBuild) -> None:
    with duckdb.connect(str(demo.database), read_only=True) as connection:
        columns = {
            column
            for (column,) in connection.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'staging' and table_name = 'stg_shop__customers'"
            ).fetchall()
        }
        assert "email" not in columns and "full_name" not in columns and "email_hash" in columns
        pairs = connection.execute(
            "select raw.email, staged.email_hash from raw.raw_customers as raw"
            " inner join staging.stg_shop__customers as staged on staged.customer_id = trim(raw.customer_id)"
        ).fetchall()
        stored_sql = connection.execute(
            "select string_agg(sql, ' ')"
            " from (select sql from duckdb_views() union all select sql from duckdb_tables())"
        ).fetchone()[0]
    assert len(pairs) > 100
    wrong = [(email, stored) for email, stored in pairs if stored != expected_hash(email, DEMO_SALT)]
    assert wrong == []
    assert any(email != email.strip().lower() for email, _ in pairs), "the demo has no email to normalise"
    assert DEMO_SALT not in stored_sql


CUSTOMERS = [
    {"customer_id": "c1", "email": " Ana.Lopez@Example.COM ", "full_name": "Ana López", "country_code": "es",
     "created_at": "2024-01-01 10:00:00"},
    {"customer_id": "c2", "email": "ana.lopez@example.com", "full_name": "Ana Lopez", "country_code": "ES",
     "created_at": "2024-01-02 10:00:00"},
    {"customer_id": "c3", "email": "  ", "full_name": "No Mail", "country_code": "FR", "created_at": None},
    {"customer_id": "c4", "email": None, "full_name": None, "country_code": "DE", "created_at": None},
]


@pytest.fixture(scope="module")
def customers_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project_dir = tmp_path_factory.mktemp("pii") / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, {"raw_customers": CUSTOMERS}, "seeds")
    return project_dir


def test_the_salt_comes_from_the_environment(customers_project: Path) -> None:
    salt = "a-secret-salt-for-this-test"
    database = customers_project.parent / "salted.duckdb"
    result = run(customers_project, database, ["build", "--select", "raw_customers", "stg_shop__customers"],
                 ECOMMERCE_KPIS_EMAIL_SALT=salt)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        hashes = dict(connection.execute("select customer_id, email_hash from staging.stg_shop__customers").fetchall())
    assert hashes == {row["customer_id"]: expected_hash(row["email"], salt) for row in CUSTOMERS}
    # The same normalised address gives the same hash; another salt gives another one.
    assert hashes["c1"] == hashes["c2"] != expected_hash("ana.lopez@example.com", DEMO_SALT)


def test_an_empty_salt_stops_the_build(customers_project: Path) -> None:
    database = customers_project.parent / "unsalted.duckdb"
    result = run(customers_project, database, ["build", "--select", "raw_customers", "stg_shop__customers"],
                 ECOMMERCE_KPIS_EMAIL_SALT=" ")
    assert result.returncode != 0
    assert "ECOMMERCE_KPIS_EMAIL_SALT is set but empty" in result.stdout + result.stderr
