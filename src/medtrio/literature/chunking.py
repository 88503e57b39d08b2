"""Cut articles into passages for indexing: whole sentences, at most `max_words` words, title kept
as metadata.

Short abstracts stay one chunk (most PubMed abstracts fit in 256 word pieces); long texts (PDFs, knowledge
texts) are cut at sentence boundaries with one sentence of overlap so a claim is never split mid-sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medtrio.literature.records import Article, Chunk

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def sentences(text: str) -> list[str]:
    """Split text into sentences on terminal punctuation followed by a capital or digit."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def chunk_article(article: Article, max_words: int = 180) -> Iterator[Chunk]:
    """The passages of one article, in order (`seq` 0, 1, ...); labels stay inline ("Results: ...")."""
    sents: list[str] = []
    for section in article.sections:
        parts = sentences(section.text)
        if parts and section.label:
            parts[0] = f"{section.label}: {parts[0]}"
        sents.extend(parts)
    if not sents:
        if article.title:
            yield _chunk(article, 0, [article.title])
        return
    seq, window = 0, []
    for sent in sents:
        if window and sum(len(s.split()) for s in window) + len(sent.split()) > max_words:
            yield _chunk(article, seq, window)
            seq += 1
            # one sentence of overlap keeps context across the cut, unless that sentence is itself long
            window = window[-1:] if len(window[-1].split()) < max_words // 3 else []
        window.append(sent)
    yield _chunk(article, seq, window)


def _chunk(article: Article, seq: int, sents: list[str]) -> Chunk:
    return Chunk(
        doc_id=article.doc_id,
        seq=seq,
        text=" ".join(sents),
        title=article.title,
        year=article.year,
        pub_types=article.pub_types,
    )


def embedding_text(title: str, text: str) -> str:
    """What the dense model sees for a chunk: the title gives a passage its topic."""
    return f"{title}. {text}" if title and not text.startswith(title) else text
