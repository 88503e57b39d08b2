"""Lab interpretation benchmark: the issue-4 acceptance figures.

1. MIMIC-IV demo flags (`medtrio eval labflags`): agreement with the lab's flags using printed ranges and
   catalog ranges only, LOINC coverage; baseline = most common printed range per item and sex, same run.
2. Our rendered reports (tests/labs/reports.py: 10 EN/ZH reports, 151 results) as text PDF, clean image
   and degraded phone photo: value / analyte / unit recall, silently wrong values, seconds per file
   (warm process: models and catalog loaded once, as in the server).

    python -m benchmarks.run labs            # needs ../shared/data for part 1
    python -m benchmarks.run labs --quick    # PDFs only
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import Row

ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path | None:
    sys.path.insert(0, str(ROOT))
    from tests.conftest import shared_data

    return shared_data()


def run(args: argparse.Namespace) -> list[Row]:
    sys.path.insert(0, str(ROOT))
    from tests.labs.reports import write_all
    from tests.labs.scoring import score_dir

    from medtrio.labs.flags_eval import evaluate
    from medtrio.labs.interpret import interpret_bytes

    rows: list[Row] = []
    data = _shared()
    if data is not None:
        f = data / "mimic_iv_demo" / "derived" / "labevents_flag_eval.csv.gz"
        out = evaluate(f)
        cmd = f"medtrio eval labflags --file ../shared/data/{f.relative_to(data).as_posix()} --json"
        base = out["baseline_most_common_range"] * 100
        base_name = "most common range per item+sex"
        printed, catalog_only = out["agreement_with_printed_range"] * 100, out["agreement_catalog_only"] * 100
        rows += [
            Row(f"labflags agreement, printed ranges (n={out['n']})", printed, "%", base, base_name, cmd),
            Row("labflags agreement, catalog only", catalog_only, "%", base, base_name, cmd),
            Row("labflags in-sample ceiling, one interval per item+sex fitted to these rows",
                out["ceiling_item_sex"] * 100, "%", base, base_name, cmd),
            Row("labflags LOINC coverage (rows)", out["loinc_coverage"] * 100, "%", command=cmd),
            Row("labflags LOINC coverage by name only (rows)", out["loinc_coverage_by_name"] * 100, "%",
                command=cmd),
        ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        forms = ("pdf",) if args.quick else ("pdf", "png", "jpg")
        write_all(folder, forms=forms)
        # warm up: catalog, unit registry and OCR models load once per process, as in the server
        interpret_bytes((folder / "report_00.pdf").read_bytes(), "warm.pdf")
        if "png" in forms:
            interpret_bytes((folder / "report_00.png").read_bytes(), "warm.png")
        cmd = "python -m benchmarks.run labs"
        for ext, label in (("pdf", "text PDF"), ("png", "clean image"), ("jpg", "phone photo")):
            if ext not in forms:
                continue
            s = score_dir(folder, ext)
            name = f"lab reports {label}"
            rows += [
                Row(f"{name}: value recall ({s.rows} results)", s.values / s.rows, command=cmd),
                Row(f"{name}: silently wrong values", len(s.silent), command=cmd, higher_is_better=False),
                Row(f"{name}: analyte recall", s.analytes / s.rows, command=cmd),
                Row(f"{name}: unit recall", s.units / s.rows, command=cmd),
                Row(f"{name}: seconds per file (mean, warm)", statistics.mean(s.seconds), "s", command=cmd,
                    higher_is_better=False),
                Row(f"{name}: seconds per file (max, warm)", max(s.seconds), "s", command=cmd,
                    higher_is_better=False),
            ]  # fmt: skip
            for line in s.silent:
                print("SILENTLY WRONG:", line)
    return rows
