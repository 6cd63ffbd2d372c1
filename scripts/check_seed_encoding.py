"""Refuse a seed file that is not UTF-8 before dbt runs, naming the file and the line.

dbt reads every seed of up to 1 MB as UTF-8 while it parses the project, to fingerprint it, before any of the
project's own code can run; a Latin-1 byte there stops dbt with a Python traceback that names no file. Larger
seeds, and every other problem of a seed file, are reported by the seed materialization itself
(macros/seed_files.sql). `make build` and `make dbt-test` run this first; a plain `dbt build` cannot.

Exits 1 with one line per file that is not UTF-8, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def encoding_problem(path: Path, shown_as: str) -> str | None:
    """The line naming where `path` stops being UTF-8, or None when it is UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return (
            f"{shown_as}, line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}; Latin-1 or Windows-1252?); "
            "save the file as UTF-8"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="the seed folder (default: seeds)")
    seeds = parser.parse_args(argv).seeds
    problems = [
        problem
        for path in sorted(seeds.rglob("*.csv"))
        if (problem := encoding_problem(path, str(seeds / path.relative_to(seeds)))) is not None
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
