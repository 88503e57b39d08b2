"""Input readers: a file's bytes -> text lines (PDF text layer, photo OCR, pasted text) or structured
results (FHIR, HL7 v2, see `messages`). Every failure is a clear `InvalidInput`/`TooLarge`, never a crash.
"""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass

from medtrio.errors import InvalidInput, TooLarge
from medtrio.labs.extract import Token, text_to_lines

MAX_BYTES = 25 * 2**20
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Document:
    """What a reader produced: lines with token confidences and how they were read."""

    lines: list[list[Token]]
    method: str  # "pdf-text", "ocr:<engine>", "text"
    pages: int = 1


def sniff(data: bytes, filename: str = "") -> str:
    """pdf, image, fhir, hl7 or text, from the content first and the file name second."""
    head = data[:16]
    if head.startswith(b"%PDF"):
        return "pdf"
    if (
        head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM"))
        or head[8:12] == b"WEBP"
    ):
        return "image"
    stripped = data.lstrip()[:1]
    if stripped == b"{":
        return "fhir"
    if data.lstrip().startswith(b"MSH|"):
        return "hl7"
    if filename.lower().endswith(".pdf"):
        return "pdf"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "unsupported file: expected a PDF, a photo (JPEG/PNG), FHIR JSON, HL7 v2 or text"
        ) from exc
    return "text"


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise TooLarge(f"file is {len(data) / 2**20:.1f} MiB; the limit is {MAX_BYTES // 2**20} MiB")


def read_pdf(data: bytes) -> Document:
    """Words of a PDF's text layer grouped into lines; photos inside scanned PDFs are OCR'd."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    _check_size(data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        with pdf:
            lines: list[list[Token]] = []
            scanned = []
            for page in pdf.pages:
                words = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5)
                if not words:
                    scanned.append(page)
                    continue
                rows: dict[int, list[dict]] = {}
                for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
                    key = next((k for k in rows if abs(k - w["top"]) <= 3), None)
                    rows.setdefault(round(w["top"]) if key is None else key, []).append(w)
                for k in sorted(rows):
                    lines.append([Token(w["text"]) for w in sorted(rows[k], key=lambda w: w["x0"])])
            n_pages = len(pdf.pages)
            if not lines and scanned:
                images = [p.to_image(resolution=200).original.convert("RGB") for p in scanned[:5]]
                doc = _ocr_images(images)
                return Document(doc.lines, doc.method, n_pages)
    except PDFPasswordIncorrect as exc:
        raise InvalidInput("this PDF is password-protected; please upload an unlocked copy") from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(
            f"this PDF could not be read (damaged or not a PDF): {type(exc).__name__}"
        ) from exc
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many private error types on broken files
        inner = [exc, *exc.args, exc.__context__]
        if any(isinstance(e, PDFPasswordIncorrect) for e in inner) or "password" in repr(exc).lower():
            raise InvalidInput("this PDF is password-protected; please upload an unlocked copy") from exc
        raise InvalidInput(f"this PDF could not be read: {type(exc).__name__}") from exc
    return Document(lines, "pdf-text", n_pages)


def _load_image(data: bytes):  # type: ignore[no-untyped-def]
    from PIL import Image, ImageOps

    _check_size(data)
    try:
        with warnings.catch_warnings():  # we refuse big images ourselves, with a clear message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        w, h = img.size
        if w * h > MAX_PIXELS:
            raise TooLarge(f"image is {w}x{h} pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels")
        img = ImageOps.exif_transpose(img).convert("RGB")
    except TooLarge:
        raise
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"image is larger than {MAX_PIXELS // 1_000_000} megapixels") from exc
    except Exception as exc:  # noqa: BLE001 - PIL raises many error types for broken images
        raise InvalidInput(f"this image could not be read: {type(exc).__name__}") from exc
    return img


def _ocr_images(images: list) -> Document:  # type: ignore[type-arg]
    import numpy as np

    from medtrio.labs.ocr import MAX_SIDE, default_engine, rows_from_boxes

    engine = default_engine()
    lines: list[list[Token]] = []
    for img in images:
        scale = MAX_SIDE / max(img.size)
        if scale < 1:
            img = img.resize((round(img.width * scale), round(img.height * scale)))
        lines += rows_from_boxes(engine.read(np.asarray(img)))
    return Document(lines, f"ocr:{engine.name}", len(images))


def read_image(data: bytes) -> Document:
    return _ocr_images([_load_image(data)])


def read_text(data: bytes) -> Document:
    return Document(text_to_lines(data.decode("utf-8", errors="replace")), "text")


def load_json(data: bytes) -> dict:  # type: ignore[type-arg]
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise InvalidInput("expected a FHIR resource (a JSON object)")
    return obj
