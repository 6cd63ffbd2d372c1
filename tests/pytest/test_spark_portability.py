"""Issue 5: what keeps the project running on Spark, checked without Spark (so `make test` catches it early).

The Spark suite itself (test_spark_engines_agree.py) needs minutes and a JVM and runs in `make test-spark`;
these checks read the project's files and fail in seconds when a change would break the Spark build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pipeline import REPO_ROOT

MODEL_FILES = sorted((REPO_ROOT / "models").rglob("*.sql"))
INCREMENTAL = re.compile(r"materialized\s*=\s*['\"]incremental['\"]")
STRATEGY = re.compile(r"incremental_strategy\s*=")
PARTITION_BY = re.compile(r"incremental_settings\([^)]*partition_by\s*=\s*['\"](\w+)['\"]")


def relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def test_models_exist() -> None:
    assert len(MODEL_FILES) > 20, "the glob found no models: the checks below would pass on nothing"


@pytest.mark.parametrize("path", [path for path in MODEL_FILES if INCREMENTAL.search(path.read_text())], ids=relative)
def test_incremental_models_take_their_strategy_per_engine(path: Path) -> None:
    # DuckDB's delete+insert does not exist on Spark's Parquet tables (and merge needs Delta): the strategy
    # comes from macros/incremental_settings.sql, which knows both engines.
    sql = path.read_text()
    assert not STRATEGY.search(sql), f"{relative(path)} names its incremental strategy; use incremental_settings()"
    assert "incremental_settings(" in sql, f"{relative(path)} is incremental without incremental_settings()"


@pytest.mark.parametrize("path", [path for path in MODEL_FILES if INCREMENTAL.search(path.read_text())], ids=relative)
def test_incremental_models_name_their_date_partition(path: Path) -> None:
    # On Spark, insert_overwrite of a table without partitions replaces the WHOLE table with a run's output (the
    # new rows only): every incremental model must pass the date column Spark partitions it by, and select it.
    sql = path.read_text()
    match = PARTITION_BY.search(sql)
    assert match, f"{relative(path)}: incremental_settings() without partition_by='<date column>'"
    column = match.group(1)
    assert re.search(rf"\bas {column}\b|^\s*{column},?$", sql, re.MULTILINE), (
        f"{relative(path)}: partition column {column} is not selected"
    )


def seed_column_types() -> list[tuple[str, str, str]]:
    found = []
    for properties in sorted((REPO_ROOT / "seeds").rglob("*.yml")):
        for seed in yaml.safe_load(properties.read_text()).get("seeds", []):
            for column, column_type in (seed.get("config", {}).get("column_types") or {}).items():
                found.append((seed["name"], column, str(column_type)))
    return found


def test_seed_types_exist_on_both_engines() -> None:
    column_types = seed_column_types()
    assert column_types, "no seed declares column types"
    # Spark refuses `varchar` without a length and only warns about `varchar(n)`; `string` is text on both.
    bad = [f"{seed}.{column}: {kind}" for seed, column, kind in column_types if kind.lower().startswith("varchar")]
    assert not bad, f"use `string` for text columns of seeds: {bad}"
