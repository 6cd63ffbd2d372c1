"""scripts/print_scorecard.py: values in their units, aligned columns, colour only where asked."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "print_scorecard.py"
spec = importlib.util.spec_from_file_location("print_scorecard", SCRIPT)
assert spec is not None and spec.loader is not None
print_scorecard = importlib.util.module_from_spec(spec)
sys.modules["print_scorecard"] = print_scorecard
spec.loader.exec_module(print_scorecard)

ROWS = [
    # label, owner, unit, direction, actual, target, status, days_to_deadline
    ("Conversion rate", "Growth Marketing", "ratio", "increase", 0.03291, 0.032, "met", 305),
    ("Average session duration", "E-commerce Product", "seconds", "increase", 132.6, 150.0, "not_met", 12),
    ("Sessions", "Growth Marketing", "count", "increase", 2219.0, 2600.0, "missed", -3),
    ("Revenue", "Growth Marketing", "currency", "decrease", None, 1000.5, "not_met", 7),
]


def test_values_are_shown_in_their_unit() -> None:
    assert print_scorecard.format_value(0.03291, "ratio") == "3.29%"
    assert print_scorecard.format_value(2219.0, "count") == "2,219"
    assert print_scorecard.format_value(132.6, "seconds") == "133 s"
    assert print_scorecard.format_value(1000.5, "currency") == "1,000.50"
    assert print_scorecard.format_value(None, "ratio") == "n/a"
    assert print_scorecard.format_target(0.6, "ratio", "decrease") == "≤ 60.00%"
    assert print_scorecard.format_target(150.0, "seconds", "increase") == "≥ 150 s"


def test_plain_table_is_aligned_and_uncoloured() -> None:
    lines = print_scorecard.render(ROWS, colour=False).splitlines()
    assert lines[0].split() == ["KPI", "owner", "actual", "target", "status", "days", "left"]
    assert "\033[" not in "\n".join(lines)
    # header, rule, one line per KPI; every line's status column starts at the same offset
    assert len(lines) == 2 + len(ROWS)
    statuses = ["met", "not_met", "missed", "not_met"]
    offsets = {line.index(status) for line, status in zip(lines[2:], statuses, strict=True)}
    assert len(offsets) == 1
    assert lines[2].endswith("305") and lines[4].endswith("-3")
    assert "n/a" in lines[5] and "≤ 1,000.50" in lines[5]


def test_status_is_coloured_when_asked() -> None:
    text = print_scorecard.render(ROWS, colour=True)
    assert "\033[32mmet    \033[0m" in text  # green, padded to the column width ("not_met")
    assert "\033[33mnot_met\033[0m" in text  # yellow
    assert "\033[31mmissed \033[0m" in text  # red
