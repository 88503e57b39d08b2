"""Fixtures for literature tests: the real MiniLM embedder (loaded once per session, cache in a temp dir)
and small indexes built from the invented MEDLINE fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from medtrio.literature.embed import CachedEmbedder, MiniLMEmbedder
from medtrio.literature.index import LiteratureIndex
from medtrio.literature.pubmed import parse

FIXTURE = Path(__file__).parent / "fixtures" / "mini_medline.xml"


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> CachedEmbedder:
    return CachedEmbedder(MiniLMEmbedder(), tmp_path_factory.mktemp("emb-cache"))


@pytest.fixture
def lexical_index(tmp_path: Path) -> LiteratureIndex:
    index = LiteratureIndex(tmp_path / "lit.sqlite")
    index.add(parse(FIXTURE))
    yield index
    index.close()


@pytest.fixture
def dense_index(lexical_index: LiteratureIndex, embedder: CachedEmbedder) -> LiteratureIndex:
    lexical_index.embed_missing(embedder)
    return lexical_index
