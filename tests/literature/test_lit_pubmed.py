"""PubMed/MEDLINE XML parsing: every field on an invented fixture, and the MEDLINE samples in ../shared."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from medtrio.errors import InvalidInput
from medtrio.literature.pubmed import Deletion, parse

FIXTURE = Path(__file__).parent / "fixtures" / "mini_medline.xml"


class TestParse:
    def test_every_field(self) -> None:
        items = list(parse(FIXTURE))
        arts = [i for i in items if not isinstance(i, Deletion)]
        first = arts[0]
        assert first.doc_id == "90000001"
        assert first.title == "Statin therapy and major cardiovascular events: a meta-analysis."
        assert first.journal == "Journal of Invented Cardiology" and first.year == 2021
        assert first.authors == ("Doe J", "Invented Trialists Group")
        assert first.mesh == ("Hydroxymethylglutaryl-CoA Reductase Inhibitors", "Cardiovascular Diseases")
        assert first.pub_types == ("Journal Article", "Meta-Analysis")
        assert first.doi == "10.0000/invented.1"
        assert [s.label for s in first.sections] == ["Background", "Results"]
        assert first.abstract.startswith("Background: Statins lower LDL cholesterol. Results: Statin")

    def test_medline_date_gives_the_year(self) -> None:
        second = [i for i in parse(FIXTURE) if not isinstance(i, Deletion)][1]
        assert second.year == 1998 and second.sections[0].label == ""

    def test_deletions_are_yielded(self) -> None:
        assert [i.pmid for i in parse(FIXTURE) if isinstance(i, Deletion)] == ["90000099"]

    def test_gzipped_file(self, tmp_path: Path) -> None:
        gz = tmp_path / "update.xml.gz"
        gz.write_bytes(gzip.compress(FIXTURE.read_bytes()))
        assert len(list(parse(gz))) == 4

    def test_broken_xml_is_a_clear_error(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.xml"
        bad.write_text("<PubmedArticleSet><PubmedArticle>")
        with pytest.raises(InvalidInput, match="not well-formed"):
            list(parse(bad))

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(InvalidInput, match="no such"):
            list(parse(tmp_path / "absent.xml"))


@pytest.mark.shared
class TestSharedSamples:
    def test_samples_parse_with_every_field(self, shared: Path) -> None:
        folder = shared / "literature" / "pubmed_xml_samples"
        items = list(parse(folder / "medline16n0902.xml.gz"))
        arts = [i for i in items if not isinstance(i, Deletion)]
        # PROVENANCE: 604 citations, 526 with an abstract; the file ends with a DeleteCitation
        assert len(arts) == 604
        assert sum(bool(a.sections) for a in arts) == 526
        assert all(a.doc_id.isdigit() and a.title and a.journal and a.year and a.pub_types for a in arts)
        assert sum(bool(a.authors) for a in arts) >= 600
        assert sum(bool(a.mesh) for a in arts) > 0 and sum(bool(a.doi) for a in arts) > 500
        assert [i.pmid for i in items if isinstance(i, Deletion)] == ["26432306"]
        current = [i for i in parse(folder / "test_current_medline.xml.gz") if not isinstance(i, Deletion)]
        assert len(current) == 4 and all(a.mesh and a.authors and a.year for a in current)
        assert any(len(a.sections) > 1 and a.sections[0].label for a in current)  # structured abstract
        (efetch,) = parse(folder / "pubmed-29768149.xml")
        assert efetch.doc_id == "29768149" and efetch.year == 2018 and efetch.doi
        assert "Randomized Controlled Trial" in efetch.pub_types
        assert [s.label for s in efetch.sections] == ["Background", "Methods", "Results", "Conclusions"]
