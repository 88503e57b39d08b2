"""Streaming parser for PubMed/MEDLINE XML (baseline and update files, optionally gzipped).

Handles both the current `PubmedArticleSet/PubmedArticle/MedlineCitation` layout and the older
`MedlineCitationSet/MedlineCitation` one. Update files may end with `<DeleteCitation>` listing PMIDs that
must be removed from the index: `parse` yields those as `Deletion`s so the indexer can honour them.
Elements are cleared as soon as they are read, so a 30,000-citation baseline file streams in constant memory.

Reference: NLM, "MEDLINE/PubMed XML Element Descriptions and their Attributes" and the PubMed DTD (2024).
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medtrio.errors import InvalidInput
from medtrio.literature.records import Article, Section


@dataclass(frozen=True)
class Deletion:
    pmid: str


def _text(el: ET.Element | None) -> str:
    """All text inside an element (inline markup such as <i> or <sup> kept as plain text)."""
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _year(article: ET.Element) -> int | None:
    date = article.find("Journal/JournalIssue/PubDate")
    if date is not None:
        year = date.findtext("Year") or ""
        if not year:
            match = re.search(r"\b(1[89]\d\d|20\d\d)\b", date.findtext("MedlineDate") or "")
            year = match.group(1) if match else ""
        if year.isdigit():
            return int(year)
    year = article.findtext("ArticleDate/Year") or ""
    return int(year) if year.isdigit() else None


def _author(el: ET.Element) -> str:
    collective = _text(el.find("CollectiveName"))
    if collective:
        return collective
    return " ".join(p for p in (el.findtext("LastName") or "", el.findtext("Initials") or "") if p)


def citation_to_article(citation: ET.Element, source: str = "pubmed") -> Article:
    """One <MedlineCitation> element as an Article (every field the index and answers use)."""
    pmid = (citation.findtext("PMID") or "").strip()
    art = citation.find("Article")
    if not pmid or art is None:
        raise InvalidInput("a MedlineCitation without PMID or Article", detail={"pmid": pmid})
    sections = tuple(
        Section(label=(a.get("Label") or "").strip().title() if a.get("Label") else "", text=_text(a))
        for a in art.findall("Abstract/AbstractText")
        if _text(a)
    )
    doi = next((_text(e) for e in art.findall("ELocationID") if e.get("EIdType") == "doi"), "")
    return Article(
        doc_id=pmid,
        title=_text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle")),
        sections=sections,
        journal=_text(art.find("Journal/Title")) or _text(art.find("Journal/ISOAbbreviation")),
        year=_year(art),
        authors=tuple(_author(a) for a in art.findall("AuthorList/Author") if _author(a)),
        mesh=tuple(_text(m) for m in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")),
        pub_types=tuple(_text(p) for p in art.findall("PublicationTypeList/PublicationType")),
        doi=doi,
        source=source,
    )


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def parse(path: str | Path) -> Iterator[Article | Deletion]:
    """Stream the citations (and deletions) of one PubMed XML file, gzipped or not."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such PubMed XML file: {path}")
    try:
        with _open(path) as fh:
            for _event, el in ET.iterparse(fh, events=("end",)):
                if el.tag == "MedlineCitation":
                    yield citation_to_article(el, source=f"pubmed:{path.name}")
                    el.clear()
                elif el.tag == "DeleteCitation":
                    for pmid in el.findall("PMID"):
                        yield Deletion(pmid=(pmid.text or "").strip())
                    el.clear()
                elif el.tag == "PubmedData":
                    el.clear()  # references and history are not indexed
    except ET.ParseError as exc:
        raise InvalidInput(f"{path.name} is not well-formed PubMed XML: {exc}") from exc
