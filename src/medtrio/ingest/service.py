"""One entry point for every format: detect it, run the importer, write the error file, audit it."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from medtrio.errors import InvalidInput, NotFound, TooLarge
from medtrio.ingest.common import Progress, find_file
from medtrio.ingest.report import ImportReport
from medtrio.store import Database
from medtrio.store.audit import Actor, record

FORMATS = ("fhir", "meds", "omop", "mimic")


MAX_UNZIPPED = 20 * 2**30


def unpack(path: Path) -> Path:
    """A .zip upload (an OMOP or MIMIC folder, NDJSON files) extracted beside it; other paths as they are.

    Members that would land outside the folder (absolute paths, ``..``) are refused, and so is an
    archive that expands to more than 20 GiB.
    """
    path = Path(path)
    if not (path.is_file() and path.suffix.lower() == ".zip"):
        return path
    target = path.with_name(path.name + ".d")
    if target.is_dir():
        return target
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_UNZIPPED:
                raise TooLarge(f"{path.name} expands to more than {MAX_UNZIPPED // 2**30} GiB.")
            for m in members:
                name = Path(m.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise InvalidInput(f"{path.name} contains an unsafe member path; nothing was extracted.")
            tmp = path.with_name(path.name + ".partial")
            shutil.rmtree(tmp, ignore_errors=True)
            zf.extractall(tmp)
    except zipfile.BadZipFile:
        raise InvalidInput(f"{path.name} is not a readable zip archive.") from None
    tmp.rename(target)
    return target


def detect_format(path: Path) -> str:
    """Guess the format of an uploaded file or folder: fhir, meds, omop or mimic (else InvalidInput)."""
    path = Path(path)
    if not path.exists():
        raise NotFound(f"{path} does not exist.")
    path = unpack(path)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            return "meds"
        if suffix == ".ndjson":
            return "fhir"
        if suffix == ".json":
            try:
                with path.open(encoding="utf-8") as fh:
                    head = fh.read(4096)
            except UnicodeDecodeError:
                raise InvalidInput(f"{path.name} is not a text JSON file.") from None
            if '"resourceType"' in head:
                return "fhir"
        raise InvalidInput(f"Cannot tell the format of {path.name}: expected a FHIR .json/.ndjson or a MEDS "
                           ".parquet file, or a folder (or .zip) of MIMIC-IV or OMOP CSV files.")
    if (path / "hosp").is_dir() or (find_file(path, "patients") and find_file(path, "admissions")):
        return "mimic"
    if find_file(path, "person"):
        return "omop"
    names = [p.suffix.lower() for p in path.rglob("*") if p.is_file()]
    if ".parquet" in names:
        return "meds"
    if ".ndjson" in names or ".json" in names:
        return "fhir"
    raise InvalidInput(f"Cannot tell the format of folder {path.name}: no MIMIC hosp/, OMOP person.csv, "
                       "MEDS parquet or FHIR JSON files found.")


def importer(fmt: str) -> Callable[..., ImportReport]:
    if fmt == "fhir":
        from medtrio.ingest.fhir import import_fhir as fn
    elif fmt == "meds":
        from medtrio.ingest.meds import import_meds as fn
    elif fmt == "omop":
        from medtrio.ingest.omop import import_omop as fn
    elif fmt == "mimic":
        from medtrio.ingest.mimic import import_mimic as fn
    else:
        raise InvalidInput(f"Unknown import format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return fn


def run_import(db: Database, path: Path, fmt: str | None = None, *, actor: Actor | None = None,
               progress: Progress | None = None, errors_dir: Path | None = None,
               batch_size: int | None = None) -> ImportReport:
    """Import `path` (format detected when `fmt` is None); errors go to a CSV in `errors_dir`."""
    if not Path(path).exists():
        raise NotFound(f"{path} does not exist.")
    fmt = fmt or detect_format(path)
    fn = importer(fmt)
    path = unpack(Path(path))
    kwargs = {"progress": progress}
    if batch_size:
        kwargs["batch_size"] = batch_size
    report = fn(db, Path(path), **kwargs)
    if errors_dir is None:
        from medtrio.settings import get_settings

        errors_dir = get_settings().data_dir / "import-errors"
    report.write_errors(Path(errors_dir))
    summary = {"patients": report.patients, "added": report.events_added, "skipped": report.skipped}
    with db.session() as s:  # the audit row names the file and counts only, no clinical content
        record(s, actor or Actor.system("importer"), "write", "import",
               reason=f"{fmt} import of {Path(path).name}: {json.dumps(summary)}"[:255])
    return report
