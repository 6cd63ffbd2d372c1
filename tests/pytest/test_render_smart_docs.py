"""scripts/render_smart_docs.py on a tiny hand-written manifest: the SMART block it appends, only to KPI models,
once however often it runs, and the static docs page rebuilt with it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "render_smart_docs.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_smart_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_smart_docs = load_script()

RETURN_RATE_KPI: dict[str, Any] = {
    "label": "Return rate (mature orders)",
    "owner": "Customer Operations",
    "specific": "Fewer orders sent back.",
    # A folded YAML block can leave line breaks and runs of blanks: the block puts each field on one line.
    "measurable": "returned orders over orders,\n  mature days only.",
    "achievable": "Baseline 9%.",
    "relevant": "Returns cost margin.",
    "time_bound": "By the end of 2027.",
    "target": 0.08,
    "direction": "decrease",
    "unit": "ratio",
    "deadline": "2027-12-31",
    "window_days": 30,
    "value": "sum(returned_orders) * 1.0 / nullif(sum(orders), 0)",
    "time_column": "order_date",
    "filter": "is_mature",
}

TRAFFIC_KPI: dict[str, Any] = {
    "label": "Sessions (28 days)",
    "owner": "Growth Marketing",
    "specific": "More visits.",
    "measurable": "sum(sessions).",
    "achievable": "Baseline 2,219.",
    "relevant": "Top of the funnel.",
    "time_bound": "By mid-2027.",
    "target": 2600,
    "direction": "increase",
    "unit": "count",
    "deadline": "2027-06-30",
    "window_days": 28,
    "value": "sum(sessions)",
}

# Written out by hand from the metadata above: what the docs site must show.
RETURN_RATE_DESCRIPTION = """One row per order date.

#### SMART KPI: Return rate (mature orders)

- **Owner:** Customer Operations
- **Specific:** Fewer orders sent back.
- **Measurable:** returned orders over orders, mature days only.
- **Achievable:** Baseline 9%.
- **Relevant:** Returns cost margin.
- **Time-bound:** By the end of 2027.
- **Target:** ≤ 0.08 ratio (direction: decrease, lower is better)
- **Deadline:** 2027-12-31
- **Window:** the 30 days ending at the latest `order_date` of the rows that pass the filter
- **Value:** `sum(returned_orders) * 1.0 / nullif(sum(orders), 0)`
- **Filter:** `is_mature` (only the rows where it holds)"""

TRAFFIC_DESCRIPTION = """#### SMART KPI: Sessions (28 days)

- **Owner:** Growth Marketing
- **Specific:** More visits.
- **Measurable:** sum(sessions).
- **Achievable:** Baseline 2,219.
- **Relevant:** Top of the funnel.
- **Time-bound:** By mid-2027.
- **Target:** ≥ 2600 count (direction: increase, higher is better)
- **Deadline:** 2027-06-30
- **Window:** the 28 days ending at the latest `date_day` of the rows that pass the filter
- **Value:** `sum(sessions)`
- **Filter:** none (every row)"""

# The two placeholders of dbt's docs template, around markers that let the test cut the inlined JSON out.
TEMPLATE = 'BEFORE "MANIFEST.JSON INLINE DATA" MIDDLE "CATALOG.JSON INLINE DATA" AFTER\n'
CATALOG = {"nodes": {}, "sources": {}}


def model(name: str, description: str, meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "resource_type": "model",
        "name": name,
        "description": description,
        "config": {"meta": meta},
        "meta": meta,
    }


def manifest() -> dict[str, Any]:
    return {
        "metadata": {"project_name": "demo"},
        "nodes": {
            "model.demo.kpi_return_rate": model(
                "kpi_return_rate", "One row per order date.", {"kpi": RETURN_RATE_KPI}
            ),
            # No description of its own: the block is the whole description.
            "model.demo.kpi_traffic": model("kpi_traffic", "", {"kpi": TRAFFIC_KPI}),
            "model.demo.fct_orders": model("fct_orders", "One row per valid order.", {"owner": "someone"}),
            # Only models get a block, whatever another node's meta holds.
            "test.demo.some_test": {
                "resource_type": "test",
                "name": "some_test",
                "description": "",
                "config": {"meta": {"kpi": TRAFFIC_KPI}},
            },
        },
    }


def write_target(target: Path, static: bool) -> None:
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps(manifest()), encoding="utf-8")
    (target / "catalog.json").write_text(json.dumps(CATALOG), encoding="utf-8")
    (target / "index.html").write_text(TEMPLATE, encoding="utf-8")
    if static:
        (target / "static_index.html").write_text("dbt's page, before the SMART blocks", encoding="utf-8")


def descriptions(target: Path) -> dict[str, str]:
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    return {node["name"]: node["description"] for node in nodes.values()}


def test_block_is_appended_to_kpi_models_only(tmp_path: Path) -> None:
    target = tmp_path / "target"
    write_target(target, static=False)
    assert render_smart_docs.main(["--target-path", str(target)]) == 0
    assert descriptions(target) == {
        "kpi_return_rate": RETURN_RATE_DESCRIPTION,
        "kpi_traffic": TRAFFIC_DESCRIPTION,
        "fct_orders": "One row per valid order.",
        "some_test": "",
    }
    assert not (target / "static_index.html").exists(), "no static page asked for, none written"


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "target"
    write_target(target, static=True)
    assert render_smart_docs.main(["--target-path", str(target)]) == 0
    once = {name: (target / name).read_bytes() for name in ("manifest.json", "static_index.html")}
    assert render_smart_docs.main(["--target-path", str(target)]) == 0
    assert {name: (target / name).read_bytes() for name in once} == once
    assert descriptions(target)["kpi_return_rate"].count("#### SMART KPI") == 1


def test_changed_metadata_replaces_the_block() -> None:
    described = render_smart_docs.with_block(RETURN_RATE_DESCRIPTION, {**RETURN_RATE_KPI, "target": 0.07})
    assert described == RETURN_RATE_DESCRIPTION.replace("≤ 0.08 ratio", "≤ 0.07 ratio")


def test_static_page_inlines_the_patched_manifest(tmp_path: Path) -> None:
    target = tmp_path / "target"
    write_target(target, static=True)
    assert render_smart_docs.main(["--target-path", str(target)]) == 0
    page = (target / "static_index.html").read_text(encoding="utf-8")
    assert page.startswith("BEFORE ") and page.endswith(" AFTER"), page[:200]
    inlined_manifest, inlined_catalog = page.removeprefix("BEFORE ").removesuffix(" AFTER").split(" MIDDLE ")
    nodes = json.loads(inlined_manifest)["nodes"]
    assert nodes["model.demo.kpi_return_rate"]["description"] == RETURN_RATE_DESCRIPTION
    assert json.loads(inlined_catalog) == CATALOG


def test_missing_manifest_fails_with_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert render_smart_docs.main(["--target-path", str(tmp_path / "nowhere")]) == 1
    assert "run `dbt docs generate` first" in capsys.readouterr().err


def test_template_without_placeholders_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "target"
    write_target(target, static=True)
    (target / "index.html").write_text("<html>already inlined</html>", encoding="utf-8")
    assert render_smart_docs.main(["--target-path", str(target)]) == 1
    assert "no inline-data placeholders" in capsys.readouterr().err
