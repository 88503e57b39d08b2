"""Turn a source path into a stream of Articles (and PubMed deletions), whatever its format.

Formats: `pubmed-xml` (MEDLINE/PubMed XML, .xml or .xml.gz, a file or a folder of them, processed in name
order so update files apply after the baseline), `beir` (a BEIR corpus.jsonl or its folder), `pdf` (text
layer read with pypdf; a PDF without one is refused with a clear message rather than indexed empty) and
`text` (Markdown or plain-text knowledge files: the first line is the title).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from medtrio.errors import InvalidInput
from medtrio.literature import beir, pubmed
from medtrio.literature.records import Article, Section

FORMATS = ("pubmed-xml", "beir", "pdf", "text")


def detect_format(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir():
        if (path / "corpus.jsonl").exists():
            return "beir"
        names = [p.name.lower() for p in path.iterdir()]
        for fmt, suffixes in (
            ("pubmed-xml", (".xml", ".xml.gz")),
            ("pdf", (".pdf",)),
            ("text", (".md", ".txt")),
        ):
            if any(n.endswith(suffixes) for n in names):
                return fmt
    elif name.endswith((".xml", ".xml.gz")):
        return "pubmed-xml"
    elif name.endswith(".jsonl"):
        return "beir"
    elif name.endswith(".pdf"):
        return "pdf"
    elif name.endswith((".md", ".txt")):
        return "text"
    raise InvalidInput(f"cannot tell the format of {path}: pass --format ({'|'.join(FORMATS)})")


def _files(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if p.name.lower().endswith(suffixes))
    if not files:
        raise InvalidInput(f"no {'/'.join(suffixes)} files in {path}")
    return files


def read_pdf(path: Path) -> Article:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [(p.extract_text() or "").strip() for p in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise InvalidInput(f"{path.name} could not be read as a PDF: {exc}") from exc
    if not any(pages):
        raise InvalidInput(f"{path.name} has no text layer (scanned?): run OCR first; nothing was indexed")
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    title = meta_title.strip() or next(line for page in pages for line in page.splitlines() if line.strip())
    digest = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
    return Article(
        doc_id=f"pdf:{path.stem}:{digest}",
        title=title.strip(),
        sections=tuple(Section(f"Page {i}", t) for i, t in enumerate(pages, 1) if t),
        source=str(path),
    )


def read_text(path: Path) -> Article:
    lines = path.read_text(encoding="utf-8").splitlines()
    title = next((ln.lstrip("# ").strip() for ln in lines if ln.strip()), path.stem)
    body = "\n".join(lines[1:]) if lines else ""
    return Article(doc_id=f"kb:{path.stem}", title=title, sections=(Section("", body),), source=str(path))


def read_source(path: str | Path, fmt: str | None = None) -> Iterator[Article | pubmed.Deletion]:
    """Articles of the source, streamed; raises InvalidInput for a missing path or an unknown format."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"no such file or folder: {path}")
    fmt = fmt or detect_format(path)
    if fmt == "pubmed-xml":
        for f in _files(path, (".xml", ".xml.gz")):
            yield from pubmed.parse(f)
    elif fmt == "beir":
        yield from beir.read_corpus(path / "corpus.jsonl" if path.is_dir() else path)
    elif fmt == "pdf":
        for f in _files(path, (".pdf",)):
            yield read_pdf(f)
    elif fmt == "text":
        for f in _files(path, (".md", ".txt")):
            yield read_text(f)
    else:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
