"""The records the literature domain passes around: articles, the chunks they are cut into, search hits.

An `Article` is one citable unit (a PubMed citation, a BEIR document, a PDF, a knowledge text). Its `doc_id`
is the PMID for PubMed records, which is what answers cite as `[PMID]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One labelled part of a structured abstract (label "" for unstructured abstracts)."""

    label: str
    text: str


@dataclass(frozen=True)
class Article:
    doc_id: str
    title: str
    sections: tuple[Section, ...] = ()
    journal: str = ""
    year: int | None = None
    authors: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    pub_types: tuple[str, ...] = ()
    doi: str = ""
    source: str = ""

    @property
    def abstract(self) -> str:
        return " ".join(f"{s.label}: {s.text}" if s.label else s.text for s in self.sections)


@dataclass(frozen=True)
class Chunk:
    """A passage of an article, the unit that is indexed and retrieved."""

    doc_id: str
    seq: int
    text: str
    title: str = ""
    section: str = ""
    year: int | None = None
    pub_types: tuple[str, ...] = ()

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}#{self.seq}"


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with its score and where the score came from."""

    chunk_id: str
    doc_id: str
    text: str
    score: float
    title: str = ""
    year: int | None = None
    pub_types: tuple[str, ...] = ()
    evidence_level: str = ""
    ranks: dict[str, int] = field(default_factory=dict)
