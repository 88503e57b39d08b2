"""Run benchmarks and append their rows to docs/BENCHMARKS.md.

    python -m benchmarks.run                 # every benchmark
    python -m benchmarks.run ingest timeline # some of them
    python -m benchmarks.run --dry-run ...   # print rows, append nothing
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

from benchmarks.harness import append, machine, render


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules([str(here)])
                  if m.name.startswith("bench_"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {', '.join(available())}")
    parser.add_argument("--dry-run", action="store_true", help="print the rows, do not append them")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    for name in args.names or available():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        rows = module.run(args)
        for row in rows:
            print(render(row, "now", machine()), end="")
        if not args.dry_run:
            append(rows)


if __name__ == "__main__":
    main()
