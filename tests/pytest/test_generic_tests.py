"""The project's own generic tests (macros/generic_tests) catch what they claim and nothing else.

A throwaway dbt project loads two tiny seeds, one that satisfies each test and one that breaks it in a known
number of rows, and the failure counts dbt reports are compared with those counted by hand.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")

SEEDS = {
    # (day, channel) is unique; rate within [0, 1]; numerator <= denominator.
    "good_rows": "day,channel,num,den,rate\n1,a,1,2,0.5\n1,b,0,0,\n2,a,2,2,1.0\n",
    # (1, a) three times -> 1 colliding grain; (2, b) twice -> 1 more: 2 failures.
    # rate 1.5 and -0.1 are out of [0, 1] (NULL rate passes): 2 failures. num > den in 2 rows: 2 failures.
    "bad_rows": "day,channel,num,den,rate\n1,a,3,2,1.5\n1,a,1,2,0.5\n1,a,1,1,-0.1\n2,b,5,1,\n2,b,0,1,0\n",
}

SCHEMA = """
version: 2
seeds:
{entries}
"""

ENTRY = """
  - name: {name}
    config:
      column_types: {{day: integer, channel: varchar, num: integer, den: integer, rate: double}}
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [day, channel]
      - expression_is_true:
          arguments:
            expression: "num <= den"
    columns:
      - name: rate
        data_tests:
          - expression_is_true:
              arguments:
                expression: "rate between 0 and 1"
"""

EXPECTED_FAILURES = {
    ("good_rows", "unique_combination_of_columns"): 0,
    ("good_rows", "expression_is_true", "num"): 0,
    ("good_rows", "expression_is_true", "rate"): 0,
    ("bad_rows", "unique_combination_of_columns"): 2,
    ("bad_rows", "expression_is_true", "num"): 2,
    ("bad_rows", "expression_is_true", "rate"): 2,
}


def build_seeds_project(
    project: Path,
    seeds: dict[str, str],
    entry: str,
    dbt_vars: dict[str, object] | None = None,
    files: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    """A throwaway dbt project of the generic tests, the given seeds (each with `entry`'s tests) and any other
    `files` (path in the project -> text), built."""
    shutil.copytree(REPO / "macros" / "generic_tests", project / "macros" / "generic_tests")
    for relative_path, text in (files or {}).items():
        (project / relative_path).parent.mkdir(parents=True, exist_ok=True)
        (project / relative_path).write_text(text)
    (project / "seeds").mkdir()
    for name, csv in seeds.items():
        (project / "seeds" / f"{name}.csv").write_text(csv)
    (project / "seeds" / "_seeds.yml").write_text(
        SCHEMA.format(entries="".join(entry.format(name=name) for name in seeds))
    )
    (project / "dbt_project.yml").write_text(
        "name: generic_tests_check\nversion: '1.0'\nconfig-version: 2\nprofile: check\n"
        "flags:\n  send_anonymous_usage_stats: false\n"
    )
    (project / "profiles.yml").write_text(
        f"check:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {project / 'check.duckdb'}\n"
    )
    result = subprocess.run(
        [str(DBT), "build", "--project-dir", str(project), "--profiles-dir", str(project),
         "--vars", json.dumps(dbt_vars or {})],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    results = json.loads((project / "target" / "run_results.json").read_text())["results"]
    return result, results


@pytest.fixture(scope="module")
def run_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], int]:
    result, results = build_seeds_project(tmp_path_factory.mktemp("generic_tests"), SEEDS, ENTRY)
    assert len(results) == 8, result.stdout  # 2 seeds + 6 tests
    failures: dict[tuple[str, ...], int] = {}
    for item in results:
        unique_id: str = item["unique_id"]
        if not unique_id.startswith("test."):
            assert item["status"] == "success", result.stdout
            continue
        test_name = unique_id.split(".")[2]
        seed = "good_rows" if "good_rows" in test_name else "bad_rows"
        if test_name.startswith("unique_combination_of_columns"):
            key: tuple[str, ...] = (seed, "unique_combination_of_columns")
        else:
            key = (seed, "expression_is_true", "rate" if "rate" in test_name else "num")
        failures[key] = item["failures"]
    return failures


@pytest.mark.parametrize("key", list(EXPECTED_FAILURES), ids=lambda key: "-".join(key))
def test_generic_test_counts_failing_rows(run_results: dict[tuple[str, ...], int], key: tuple[str, ...]) -> None:
    assert run_results[key] == EXPECTED_FAILURES[key]


# unique_in_latest_build: the rows of the latest build are those with the newest built_at (T2 below).
LATEST_BUILD_SEEDS = {
    # k1 repeats in an older build only: the latest build (k2, k3) is unique -> 0; the whole history -> 1 (k1).
    "builds_ok": "key,built_at\nk1,2026-01-01 00:00:00\nk1,2026-01-01 00:00:00\nk2,2026-01-02 00:00:00\n"
    "k3,2026-01-02 00:00:00\n,2026-01-02 00:00:00\n,2026-01-02 00:00:00\n",
    # k2 and k3 repeat within the latest build -> 2; k4 once in each build (never left by delete+insert) counts
    # only in the whole history, with k2 and k3 -> 3. NULL keys (twice) are not_null's business.
    "builds_bad": "key,built_at\nk1,2026-01-01 00:00:00\nk2,2026-01-02 00:00:00\nk2,2026-01-02 00:00:00\n"
    "k3,2026-01-02 00:00:00\nk3,2026-01-02 00:00:00\nk4,2026-01-01 00:00:00\nk4,2026-01-02 00:00:00\n",
}
LATEST_BUILD_ENTRY = """
  - name: {name}
    config:
      column_types: {{key: varchar, built_at: timestamp}}
    columns:
      - name: key
        data_tests:
          # warn: a failing test of a seed would skip the models built from it
          - unique_in_latest_build:
              config: {{severity: warn}}
"""
# The same rows in models updated by delete+insert: only there may the test read the latest build alone.
LATEST_BUILD_MODELS = {
    f"models/{seed}_incremental.sql": (
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='key') }}\n"
        f"select * from {{{{ ref('{seed}') }}}}\n"
    )
    for seed in LATEST_BUILD_SEEDS
} | {
    "models/_models.yml": "version: 2\nmodels:\n"
    + "".join(
        f"  - name: {seed}_incremental\n    columns:\n      - name: key\n        data_tests: [unique_in_latest_build]\n"
        for seed in LATEST_BUILD_SEEDS
    )
}


@pytest.mark.parametrize(
    ("whole_history", "expected"),
    [
        (False, {"builds_ok": 1, "builds_bad": 3, "builds_ok_incremental": 0, "builds_bad_incremental": 2}),
        (True, {"builds_ok": 1, "builds_bad": 3, "builds_ok_incremental": 1, "builds_bad_incremental": 3}),
    ],
    ids=["latest-build", "check_whole_history"],
)
def test_unique_in_latest_build_reads_the_latest_build_of_delete_insert_models_only(
    tmp_path: Path, whole_history: bool, expected: dict[str, int]
) -> None:
    # Seeds are not updated by delete+insert: every row checked. The incremental models are: the latest build
    # only, unless check_whole_history.
    result, results = build_seeds_project(
        tmp_path / "latest_build",
        LATEST_BUILD_SEEDS,
        LATEST_BUILD_ENTRY,
        {"check_whole_history": whole_history},
        LATEST_BUILD_MODELS,
    )
    failures = {
        str(item["unique_id"]).split(".")[2].removeprefix("unique_in_latest_build_").removesuffix("_key"): item[
            "failures"
        ]
        for item in results
        if str(item["unique_id"]).startswith("test.")
    }
    assert failures == expected, result.stdout
