"""Our own rendered lab reports (tests/labs/reports.py): EN + ZH, text PDF, clean image, phone photo.

Acceptance: value recall >= 0.98 and zero silently wrong values. PDFs are fast; OCR runs are `slow`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.labs.reports import build_reports, cjk_font, write_all
from tests.labs.scoring import score_dir, score_file


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if cjk_font() is None:
        pytest.skip(
            "no CJK font installed (apt-get install fonts-wqy-zenhei): Chinese reports cannot be rendered"
        )
    out = tmp_path_factory.mktemp("lab_reports")
    write_all(out, forms=("pdf",))
    return out


def test_fixture_set_is_big_enough() -> None:
    reports = build_reports()
    assert len(reports) >= 10 and sum(len(r.rows) for r in reports) >= 150
    assert {r.lang for r in reports} == {"en", "zh"}


def test_text_pdfs(fixtures: Path) -> None:
    s = score_dir(fixtures, "pdf")
    assert s.rows >= 150
    assert s.silent == []
    assert s.values / s.rows >= 0.98, (s.values, s.rows)
    assert s.analytes / s.rows >= 0.98 and s.units / s.rows >= 0.98


@pytest.mark.slow
@pytest.mark.parametrize(("report", "ext"), [("report_00", "png"), ("report_06", "jpg")])
def test_photos(fixtures: Path, report: str, ext: str) -> None:
    """One clean English image and one degraded Chinese phone photo through OCR."""
    write_all(fixtures, forms=(ext,), only=report)
    truth = json.loads((fixtures / f"{report}.json").read_text(encoding="utf-8"))
    s = score_file(fixtures / f"{report}.{ext}", truth)
    assert s.silent == []
    assert s.values / s.rows >= 0.95, (s.values, s.rows)


@pytest.mark.slow
def test_photo_that_is_not_a_lab_report(tmp_path: Path) -> None:
    """A photo of a letter and some shapes: a clear message, nothing extracted."""
    import io

    from PIL import Image, ImageDraw, ImageFont
    from tests.labs.reports import EN_FONT

    from medtrio.errors import InvalidInput
    from medtrio.labs.interpret import interpret_bytes

    img = Image.new("RGB", (1000, 700), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(EN_FONT), 28)
    lines = ["Dear neighbours,", "the summer party is on Saturday at 4 pm.", "Bring a salad!"]
    for i, text in enumerate(lines):
        d.text((60, 80 + 50 * i), text, fill="black", font=font)
    d.ellipse((600, 350, 900, 650), outline="blue", width=8)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    with pytest.raises(InvalidInput, match="no lab results"):
        interpret_bytes(buf.getvalue(), "party.jpg")
