"""Docs match the database: for every model, the columns its properties file documents are exactly the columns
of the relation dbt builds, no more and no fewer (STYLE: "docs that drift from code").

Contracts already hold the marts to their YAML; this holds every layer (staging, intermediate, marts) and
names, per model, what drifted. It reuses the pipeline build of the traffic scenario (tests/pytest/pipeline.py,
built once per session and shared with test_pipeline_scenarios.py) and the manifest.json that build wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pipeline import REPO_ROOT, Mode
from scenarios import Scenario, traffic

BuiltPipeline = Callable[[Scenario, Mode], duckdb.DuckDBPyConnection]
Nodes = dict[str, dict[str, Any]]

# Every model of the project, one test each: a model with no properties file shows up as all-undocumented.
MODEL_NAMES = sorted(path.stem for path in (REPO_ROOT / "models").rglob("*.sql"))


def manifest_path(connection: duckdb.DuckDBPyConnection) -> Path:
    """The manifest of the build that made this database.

    build_pipeline puts the database at <workdir>/pipeline.duckdb and runs dbt in <workdir>/project with
    `--target-path <workdir>/project/target`.
    """
    row = connection.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    assert row is not None and row[0], "the built database has no file path"
    return Path(row[0]).parent / "project" / "target" / "manifest.json"


def model_nodes(manifest: dict[str, Any]) -> Nodes:
    """The project's model nodes of a manifest, by model name."""
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == manifest["metadata"]["project_name"]
    }


def relation_columns(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> set[str]:
    """Lower-cased column names of a built table or view (empty when there is no such relation)."""
    rows = connection.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return {column.lower() for (column,) in rows}


def drift_message(model: str, relation: str, undocumented: set[str], not_built: set[str]) -> str:
    """One readable line per direction of drift."""
    lines = [f"{model} ({relation}): documented columns differ from the built relation"]
    if undocumented:
        lines.append(f"  built but not documented in its .yml: {sorted(undocumented)}")
    if not_built:
        lines.append(f"  documented but not in the relation:   {sorted(not_built)}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def build(built_pipeline: BuiltPipeline) -> tuple[duckdb.DuckDBPyConnection, Nodes]:
    """The traffic scenario's database (seed mode) and the model nodes of the manifest dbt wrote for it."""
    connection = built_pipeline(traffic.SCENARIO, "seeds")
    path = manifest_path(connection)
    assert path.is_file(), f"no manifest at {path}: has tests/pytest/pipeline.py moved its target folder?"
    return connection, model_nodes(json.loads(path.read_text(encoding="utf-8")))


def test_every_model_file_is_in_the_manifest(build: tuple[duckdb.DuckDBPyConnection, Nodes]) -> None:
    _, nodes = build
    assert set(MODEL_NAMES) == set(nodes), f"models/*.sql vs manifest: {set(MODEL_NAMES) ^ set(nodes)}"


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_documented_columns_are_the_built_columns(
    build: tuple[duckdb.DuckDBPyConnection, Nodes], model: str
) -> None:
    connection, nodes = build
    node = nodes[model]
    if node["config"]["materialized"] == "ephemeral":
        pytest.skip("an ephemeral model builds no relation")
    relation = f"{node['schema']}.{node['alias']}"
    built = relation_columns(connection, node["schema"], node["alias"])
    assert built, f"{model}: no relation {relation} in the built database"
    documented = {name.lower() for name in node["columns"]}
    undocumented, not_built = built - documented, documented - built
    assert not (undocumented or not_built), drift_message(model, relation, undocumented, not_built)
