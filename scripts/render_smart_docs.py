"""Render each KPI's SMART metadata (config.meta.kpi, SPEC 6) into its model description for the docs site.

Run after `dbt docs generate`: appends a markdown "SMART KPI" block to the description of every model in
<target>/manifest.json that carries config.meta.kpi, so the docs site shows label, owner, the five SMART
texts, target, deadline, window, value and filter on the model's page. `index.html` loads manifest.json at
run time; `static_index.html` (written by `dbt docs generate --static`) has it inlined, so when it exists it is
rebuilt from the index.html template, the patched manifest and catalog.json, exactly as dbt builds it.
Idempotent: an existing block is replaced, never repeated. Exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BLOCK_HEADING = "#### SMART KPI"
# The placeholders dbt's docs template holds where `--static` inlines the two artifacts.
MANIFEST_PLACEHOLDER = '"MANIFEST.JSON INLINE DATA"'
CATALOG_PLACEHOLDER = '"CATALOG.JSON INLINE DATA"'


def one_line(value: Any) -> str:
    """Text of a metadata field on one line (YAML folded or literal blocks may hold newlines)."""
    return " ".join(str(value).split())


def code(value: Any) -> str:
    """A SQL fragment as inline markdown code."""
    text = one_line(value)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def render_block(kpi: Mapping[str, Any]) -> str:
    """The markdown SMART block of one KPI."""
    increase = kpi.get("direction") == "increase"
    target = (
        f"{'≥' if increase else '≤'} {kpi.get('target')} {kpi.get('unit')} "
        f"(direction: {kpi.get('direction')}, {'higher' if increase else 'lower'} is better)"
    )
    time_column = kpi.get("time_column") or "date_day"
    window = f"the {kpi.get('window_days')} days ending at the latest `{time_column}` of the rows that pass the filter"
    row_filter = kpi.get("filter")
    fields = [
        ("Owner", one_line(kpi.get("owner", ""))),
        ("Specific", one_line(kpi.get("specific", ""))),
        ("Measurable", one_line(kpi.get("measurable", ""))),
        ("Achievable", one_line(kpi.get("achievable", ""))),
        ("Relevant", one_line(kpi.get("relevant", ""))),
        ("Time-bound", one_line(kpi.get("time_bound", ""))),
        ("Target", target),
        ("Deadline", str(kpi.get("deadline"))),
        ("Window", window),
        ("Value", code(kpi.get("value", ""))),
        ("Filter", f"{code(row_filter)} (only the rows where it holds)" if row_filter else "none (every row)"),
    ]
    heading = f"{BLOCK_HEADING}: {one_line(kpi.get('label', ''))}"
    return "\n".join([heading, "", *(f"- **{name}:** {text}" for name, text in fields)])


def with_block(description: str, kpi: Mapping[str, Any]) -> str:
    """`description` with its SMART block replaced (or appended when it has none)."""
    index = description.find(BLOCK_HEADING)
    base = (description if index < 0 else description[:index]).rstrip()
    block = render_block(kpi)
    return f"{base}\n\n{block}" if base else block


def kpi_of(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The node's config.meta.kpi (dbt also mirrors config.meta into meta), or None."""
    for meta in (node.get("config", {}).get("meta"), node.get("meta")):
        if isinstance(meta, Mapping) and isinstance(meta.get("kpi"), Mapping):
            return meta["kpi"]
    return None


def render_manifest(manifest: dict[str, Any]) -> list[str]:
    """Patch every KPI model's description in place; return the names of the models patched."""
    patched = []
    for node in manifest.get("nodes", {}).values():
        kpi = kpi_of(node) if node.get("resource_type") == "model" else None
        if kpi is not None:
            node["description"] = with_block(node.get("description") or "", kpi)
            patched.append(node["name"])
    return sorted(patched)


def rebuild_static_index(target: Path, manifest_text: str) -> None:
    """Rewrite static_index.html from the index.html template with the patched manifest inlined."""
    # Stripped like dbt reads them (dbt_common's load_file_contents), so the page is byte for byte dbt's own.
    template = (target / "index.html").read_text(encoding="utf-8").strip()
    if MANIFEST_PLACEHOLDER not in template or CATALOG_PLACEHOLDER not in template:
        raise ValueError(f"{target / 'index.html'} is not dbt's docs template (no inline-data placeholders)")
    catalog_text = (target / "catalog.json").read_text(encoding="utf-8").strip()
    page = template.replace(MANIFEST_PLACEHOLDER, manifest_text.strip()).replace(CATALOG_PLACEHOLDER, catalog_text)
    (target / "static_index.html").write_text(page, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", type=Path, default=Path("target"), help="dbt's target folder")
    target: Path = parser.parse_args(argv).target_path
    manifest_path = target / "manifest.json"
    if not manifest_path.is_file():
        print(f"render_smart_docs: no {manifest_path}; run `dbt docs generate` first", file=sys.stderr)
        return 1
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        print(f"render_smart_docs: {manifest_path} is not JSON: {error}", file=sys.stderr)
        return 1
    patched = render_manifest(manifest)
    manifest_text = json.dumps(manifest)
    manifest_path.write_text(manifest_text, encoding="utf-8")
    if (target / "static_index.html").exists():
        try:
            rebuild_static_index(target, manifest_text)
        except (OSError, ValueError) as error:
            print(f"render_smart_docs: cannot rebuild static_index.html: {error}", file=sys.stderr)
            return 1
    print(f"render_smart_docs: SMART block in {len(patched)} model descriptions: {', '.join(patched) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
