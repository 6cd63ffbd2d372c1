"""The demo shop (the committed seeds/raw_*.csv) built once per test session, for the tests of what reads a
whole built database: the semantic layer (MetricFlow) and the KPI dashboard.

The project is copied into a scratch folder (tests/pytest/pipeline.py), the demo seeds beside it, and `dbt build`
runs there without data or unit tests (other tests run those): the folder is a complete dbt project whose
target/ holds the manifests MetricFlow reads and whose database the dashboard reads.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from pipeline import REPO_ROOT, DbtFailed, copy_project, dbt_environment, run_dbt

MAX_DBT_OUTPUT_CHARS = 12_000


@dataclasses.dataclass(frozen=True)
class DemoBuild:
    project_dir: Path
    database: Path

    def environment(self) -> dict[str, str]:
        """The environment a command needs to read this build (profile, database, temp folder)."""
        return dbt_environment(self.project_dir, self.database)


_builds: dict[str, DemoBuild | str] = {}


def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """The demo database, built on first use and shared by every test of the session; a failed build fails
    every test that needs it, with dbt's output, without building again."""
    if "demo" not in _builds:
        workdir = tmp_path_factory.mktemp("demo")
        project_dir = workdir / "project"
        copy_project(project_dir)
        for seed in sorted((REPO_ROOT / "seeds").glob("raw_*.csv")):
            shutil.copy2(seed, project_dir / "seeds" / seed.name)
        database = workdir / "demo.duckdb"
        result = run_dbt(project_dir, database, ["build", "--exclude", "resource_type:test", "resource_type:unit_test"])
        if result.returncode == 0:
            _builds["demo"] = DemoBuild(project_dir, database)
        else:
            error = DbtFailed(f"{' '.join(result.args)} exited {result.returncode}", result.stdout + result.stderr)
            _builds["demo"] = error.summary(MAX_DBT_OUTPUT_CHARS)
    build = _builds["demo"]
    if isinstance(build, str):
        pytest.fail(f"dbt build of the demo data failed:\n{build}", pytrace=False)
    return build
