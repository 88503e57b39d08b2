"""Bad input gets a clear message: encrypted or corrupt PDFs, huge images, unreadable files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from medtrio.cli import app
from medtrio.errors import InvalidInput, TooLarge
from medtrio.labs.interpret import interpret_bytes
from medtrio.labs.readers import sniff


def _pdf(lines: list[str], encrypt: str | None = None) -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, encrypt=StandardEncryption(encrypt, canPrint=0) if encrypt else None)
    for i, text in enumerate(lines):
        c.drawString(50, 800 - 15 * i, text)
    c.save()
    return buf.getvalue()


class TestSniff:
    def test_kinds(self) -> None:
        assert sniff(b"%PDF-1.4 ...") == "pdf"
        assert sniff(b"\x89PNG\r\n\x1a\n....") == "image"
        assert sniff(b'{"resourceType": "Observation"}') == "fhir"
        assert sniff(b"MSH|^~\\&|...") == "hl7"
        assert sniff(b"Sodium 140") == "text"
        with pytest.raises(InvalidInput):
            sniff(b"\x00\x01\x02\xff\xfe\x80\x81")


class TestBadInput:
    def test_text_pdf_works(self) -> None:
        it = interpret_bytes(_pdf(["Sodium 128 L mmol/L 133-145", "Potassium 4.1 mmol/L 3.3-5.1"]), "r.pdf")
        assert [r.key for r in it.results] == ["sodium", "potassium"] and it.method == "pdf-text"

    def test_encrypted_pdf(self) -> None:
        with pytest.raises(InvalidInput, match="password"):
            interpret_bytes(_pdf(["Sodium 128 L mmol/L 133-145"], encrypt="secret"), "locked.pdf")

    def test_corrupt_pdf(self) -> None:
        data = _pdf(["Sodium 128 L mmol/L 133-145"])
        with pytest.raises(InvalidInput, match="PDF"):
            interpret_bytes(data[:200] + b"\x00garbage" * 50, "broken.pdf")

    def test_huge_image(self) -> None:
        buf = io.BytesIO()
        Image.new("1", (9000, 6000)).save(buf, "PNG")  # 54 megapixels, a few kB on disk
        with pytest.raises(TooLarge, match="megapixels"):
            interpret_bytes(buf.getvalue(), "huge.png")

    def test_broken_image(self) -> None:
        with pytest.raises(InvalidInput, match="image"):
            interpret_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "broken.png")

    def test_text_without_results(self) -> None:
        with pytest.raises(InvalidInput, match="no lab results"):
            interpret_bytes(b"Dear patient, your appointment is on Monday.", "letter.txt")

    def test_bad_fhir(self) -> None:
        with pytest.raises(InvalidInput):
            interpret_bytes(b'{"resourceType": "Patient"}', "p.json")
        with pytest.raises(InvalidInput):
            interpret_bytes(b"{not json", "p.json")


class TestCli:
    def test_interpret_json_contract(self, tmp_path: Path) -> None:
        f = tmp_path / "r.txt"
        f.write_text("Sex: M\nHemoglobin 11.0 L g/dL 13.5-17.5\nHbA1c 6.1 H % 4.0-5.6\n", encoding="utf-8")
        out = CliRunner().invoke(app, ["labs", "interpret", str(f), "--json"])
        assert out.exit_code == 0, out.output
        d = json.loads(out.output)
        assert d["urgency"] in ("critical", "soon", "routine", "confirm") and d["summary"]
        assert [r["loinc"] for r in d["results"]] == ["718-7", "4548-4"]
        assert d["results"][0]["flag"] == "L" and d["results"][0]["needs_confirmation"] is False

    def test_interpret_error_is_clear(self, tmp_path: Path) -> None:
        f = tmp_path / "locked.pdf"
        f.write_bytes(_pdf(["Sodium 128"], encrypt="x"))
        out = CliRunner().invoke(app, ["labs", "interpret", str(f), "--json"])
        assert out.exit_code == 2 and "password" in json.loads(out.output)["detail"]
