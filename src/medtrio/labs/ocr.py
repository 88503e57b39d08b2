"""Offline OCR for photos and scans, and table-row reconstruction from the OCR boxes.

`OcrEngine` is the swappable part (a Protocol); the default is RapidOCR (PP-OCR models on ONNX Runtime,
shipped inside the `rapidocr` wheel, Chinese + English), chosen when installed; none is loaded until a
photo arrives. Rows are rebuilt by chaining boxes left to right along each box's own baseline angle, which
survives the slight rotation and perspective of a phone photo (a global y-sort does not).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from medtrio.errors import InvalidInput
from medtrio.labs.extract import Token

log = logging.getLogger(__name__)
MAX_SIDE = 2000  # px; larger photos are scaled down before OCR (speed, no accuracy gain)


@dataclass(frozen=True)
class Box:
    text: str
    score: float
    cx: float
    cy: float
    x0: float
    height: float
    angle: float  # radians of the box's top edge


class OcrEngine(Protocol):
    name: str

    def read(self, image: Any) -> list[Box]:
        """Text boxes of an RGB numpy image."""


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        self._engine = RapidOCR()

    def read(self, image: Any) -> list[Box]:
        out = self._engine(image)
        boxes = getattr(out, "boxes", None)
        if boxes is None:
            return []
        result = []
        for quad, text, score in zip(boxes, out.txts, out.scores, strict=False):
            (x1, y1), (x2, y2), (x3, y3), (x4, y4) = [(float(p[0]), float(p[1])) for p in quad]
            result.append(
                Box(
                    text=str(text),
                    score=float(score),
                    cx=(x1 + x2 + x3 + x4) / 4,
                    cy=(y1 + y2 + y3 + y4) / 4,
                    x0=min(x1, x4),
                    height=max(1.0, ((y4 - y1) + (y3 - y2)) / 2),
                    angle=math.atan2(y2 - y1, x2 - x1),
                )
            )
        return result


@lru_cache(maxsize=1)
def default_engine() -> OcrEngine:
    """The installed OCR engine (RapidOCR); a clear error when none is installed."""
    try:
        engine = RapidOcrEngine()
    except ImportError as exc:
        raise InvalidInput("photo reading needs the 'rapidocr' and 'onnxruntime' packages") from exc
    log.info("OCR engine: %s", engine.name)
    return engine


def rows_from_boxes(boxes: list[Box]) -> list[list[Token]]:
    """Group OCR boxes into table rows (left to right), rows ordered top to bottom."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.x0):
        best, best_d = None, None
        for line in lines:
            last = line[-1]
            if b.x0 <= last.x0:
                continue
            predicted = last.cy + math.tan(last.angle) * (b.cx - last.cx)
            d = abs(b.cy - predicted)
            if d < 0.55 * min(b.height, last.height) and (best_d is None or d < best_d):
                best, best_d = line, d
        if best is None:
            lines.append([b])
        else:
            best.append(b)
    lines.sort(key=lambda ln: ln[0].cy - math.tan(ln[0].angle) * ln[0].cx)
    return [[Token(b.text, b.score) for b in ln] for ln in lines]
