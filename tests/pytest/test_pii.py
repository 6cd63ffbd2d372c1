"""Issue 7, personal data: `email` and `full_name` of raw_customers never reach an intermediate or mart model
or the dashboard; staging keeps only a salted SHA-256 of the normalised email.

- On the demo build (tests/pytest/demo_build.py), every column of every model outside staging (the models of
  the manifest, each required to exist) is scanned, cast to text, for email-shaped values and for the raw full
  names and emails, case-insensitively and inside longer text; the staging models, which keep at most the
  hash, for the raw names and emails. The personal columns are the ones the source declares with
  `meta.contains_pii` (models/staging/shop/_shop__sources.yml), required to be email and full_name. A planted
  leak shows that the scan finds what it looks for.
- The KPI dashboard written from that build holds no raw email and no raw name.
- Personal data in values: a second, small build plants addresses (plain and %40-encoded) in every free-text field
  and id of every raw table; no relation outside schema raw (staging included), nor the published copy, holds an
  email-shaped value, nor does the dashboard show a planted address; the pages and ids stay usable ([email] in
  paths, one 'email:' hash per customer across customers, orders, events and dim_customers).
- stg_shop__customers.email_hash equals sha256(salt + '|' + lower(trim(email))) computed here in Python, with
  the demo salt and with one set in ECOMMERCE_KPIS_EMAIL_SALT; the salt is stored nowhere in the database; an
  empty salt stops the build.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest
from demo_build import DemoBuild, demo_build
from faults_support import publish, run
from pipeline import REPO_ROOT, copy_project, run_dbt, write_raw_data
from scenarios import SHOP, event, item, order, products

DEMO_SALT = "ecommerce-kpis-demo-salt"
# An address, plain or URL-encoded (%40 for @), anywhere in a value.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
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


# Personal data in values: addresses planted in every free-text field and id of the raw data, where no column is
# meant for one. The first model that reads a raw value turns an address inside a text into [email] and an id
# holding one into 'email:' + the salted hash of the id (macros/pii.sql), so no relation outside schema raw holds
# one, staging included, nor does the published copy or the dashboard.
JANE = "jane.doe@example.com"
BOB = "bob@example.org"
PLANTED: dict[str, list[dict[str, str | None]]] = {
    "raw_events": [
        # Jane browses her account (the address in the path and in a campaign tag), checks out (URL-encoded in
        # the query string, plain in the referrer) and buys, logged in with her address as customer id.
        event("x01", "2024-03-01 10:00:00", "v1", "page_view", f"{SHOP}/account/{JANE}/orders",
              utm_source="newsletter", utm_medium="email", utm_campaign=f"promo:{JANE}"),
        event("x02", "2024-03-01 10:01:00", "v1", "page_view", f"{SHOP}/checkout?email=jane.doe%40example.com&step=2",
              page_referrer=f"https://mail.example.net/read?to={JANE}"),
        event("x03", "2024-03-01 10:02:00", "v1", "purchase", f"{SHOP}/checkout/thanks",
              customer_id=" Jane.Doe@Example.com ", order_id="o1"),
        # Bob: his address as the anonymous id and the customer id, a product viewed, a crawler's contact address
        # in a user agent of another visitor.
        event("x04", "2024-03-02 09:00:00", BOB, "product_view", f"{SHOP}/products/p1?ref={BOB}", product_id="p1",
              customer_id=BOB),
        event("x05", "2024-03-02 09:05:00", BOB, "purchase", f"{SHOP}/checkout/thanks", customer_id="bob%40example.org",
              order_id="o2"),
        event("x06", "2024-03-03 08:00:00", "v3", "page_view", f"{SHOP}/",
              user_agent="ExampleCrawler/2.0 (+mailto:ops@crawler.example.net)"),
        # Rejected rows keep their values in staging too: an address as the event name, and as the event id.
        event("x07", "2024-03-03 08:01:00", "v3", "carol@example.com", f"{SHOP}/"),
        event("dave@example.com", "2024-03-03 08:02:00", "v3", "scroll", f"{SHOP}/"),
    ],
    "raw_orders": [
        order("o1", JANE.upper(), "2024-03-01 10:02:00", "delivered", "80.00", f"FRIEND-{BOB}"),
        order("o2", BOB, "2024-03-02 09:05:00", "shipped", "120.00"),
        order("o3", "c9", "2024-03-02 12:00:00", "erin@example.com", "10.00"),
    ],
    "raw_order_items": [item("o1", "p1", 1, "80.00"), item("o2", "p2", 1, "120.00")],
    "raw_products": [
        *products(),
        {"product_id": "frank@example.com", "product_name": f"Gift card for {JANE}", "category": "gifts",
         "list_price": "25.00"},
    ],
    "raw_returns": [
        {"return_id": "r1", "order_id": "o1", "product_id": "p1", "quantity": "1", "refund_amount": "80.00",
         "returned_at": "2024-03-05 10:00:00", "reason": f"wrong size, write to {JANE}"},
    ],
    "raw_customers": [
        {"customer_id": JANE, "email": "Jane.Doe@Example.com", "full_name": "Jane Doe", "country_code": "es",
         "created_at": "2024-01-01 10:00:00"},
        {"customer_id": BOB, "email": BOB, "full_name": "Bob Roe", "country_code": "grace@example.com",
         "created_at": "2024-01-02 10:00:00"},
    ],
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The planted raw data built (models and seeds, no tests) and published: (database, published copy)."""
    workdir = tmp_path_factory.mktemp("planted")
    project_dir = workdir / "project"
    copy_project(project_dir)
    write_raw_data(project_dir, PLANTED, "seeds")
    database = workdir / "planted.duckdb"
    result = run_dbt(project_dir, database, ["build", "--exclude", "resource_type:test", "resource_type:unit_test"])
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    published = workdir / "planted_bi.duckdb"
    result = publish(database, published)
    assert result.returncode == 0, result.stdout + result.stderr
    return database, published


def email_shaped_values(database: Path, skip_schemas: tuple[str, ...] = ("raw",)) -> list[str]:
    """Every relation.column (outside `skip_schemas`) holding an email-shaped value, with an example."""
    findings = []
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_catalog = current_database() order by 1, 2, 3"
        ).fetchall()
        for schema, name, column in columns:
            if schema in skip_schemas:
                continue
            hit = connection.execute(
                f'select any_value(value) from (select distinct cast("{column}" as varchar) as value'
                f' from "{schema}"."{name}") where regexp_matches(value, \'{EMAIL_PATTERN}\')'
            ).fetchone()
            if hit is not None and hit[0] is not None:
                findings.append(f"{schema}.{name}.{column}: e.g. {hit[0]!r}")
    return findings


def test_planted_addresses_reach_no_relation_outside_raw(planted: tuple[Path, Path]) -> None:
    database, _ = planted
    # the scan sees them in raw, and raw only
    assert len(email_shaped_values(database, skip_schemas=())) > len(email_shaped_values(database))
    assert email_shaped_values(database) == []


def test_planted_addresses_are_not_in_the_published_copy_or_the_dashboard(
    planted: tuple[Path, Path], tmp_path: Path
) -> None:
    database, published = planted
    assert email_shaped_values(published, skip_schemas=()) == []
    out = tmp_path / "dashboard.html"
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "report_dashboard.py"), "--database", str(database),
         "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    # the page embeds third-party scripts whose licences name their authors' addresses: look for the planted ones
    page = out.read_text(encoding="utf-8").lower()
    planted_addresses = {
        match.group(0).lower().replace("%40", "@")
        for rows in PLANTED.values() for row in rows for value in row.values() if value
        for match in re.finditer(EMAIL_PATTERN, value)
    }
    assert len(planted_addresses) >= 8
    leaks = [address for address in sorted(planted_addresses) if address in page or quote(address) in page]
    assert leaks == []


def test_planted_values_are_redacted_not_dropped(planted: tuple[Path, Path]) -> None:
    """The redacted rows still count: the pages keep their place with [email], and a customer whose id was
    their address keeps one 'email:' id across customers, orders and events, equal to their email_hash."""
    database, _ = planted
    jane = "email:" + expected_hash(JANE, DEMO_SALT)
    bob = "email:" + expected_hash(BOB, DEMO_SALT)
    with duckdb.connect(str(database), read_only=True) as connection:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return connection.execute(sql).fetchall()

        paths = {path for (path,) in rows("select page_path from staging.stg_shop__events")}
        urls = {url for (url,) in rows("select page_url from staging.stg_shop__events")}
        campaigns = {campaign for (campaign,) in rows("select utm_campaign from staging.stg_shop__events")}
        customers = dict(rows("select customer_id, email_hash from staging.stg_shop__customers"))
        order_customers = dict(rows("select order_id, customer_id from staging.stg_shop__orders"))
        event_customers = {
            customer for (customer,) in rows(
                "select customer_id from staging.stg_shop__events where customer_id is not null"
            )
        }
        dim_customers = {customer for (customer,) in rows("select customer_id from marts.dim_customers")}
    assert "/account/[email]/orders" in paths
    assert f"{SHOP}/checkout?email=[email]&step=2" in urls
    assert "promo:[email]" in campaigns
    assert customers == {jane: jane.removeprefix("email:"), bob: bob.removeprefix("email:")}
    assert order_customers == {"o1": jane, "o2": bob}
    assert event_customers == {jane, bob}
    assert {jane, bob} <= dim_customers
