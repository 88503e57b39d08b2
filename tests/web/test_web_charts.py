"""The inline SVG charts: scales, reference band, out-of-range marking, escaping, lanes."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from medtrio.web.charts import Mark, Point, lab_trend_svg, timeline_marks_svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_lab_trend_draws_band_line_and_flags_out_of_range_points() -> None:
    t0 = dt.datetime(2020, 1, 1)
    values = [5.0, 5.4, 5.9, 6.3, 4.8, 3.9]
    pts = [Point(t0 + dt.timedelta(days=60 * i), v, 4.0, 5.6) for i, v in enumerate(values)]
    root = _parse(str(lab_trend_svg(pts, title="HbA1c", unit="%")))
    assert root.get("aria-label") == "HbA1c"
    band = root.find(f"{NS}rect[@class='band']")
    assert band is not None
    line = root.find(f"{NS}polyline")
    coords = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(coords) == len(values)
    xs = [x for x, _ in coords]
    assert xs == sorted(xs)  # time runs left to right
    ys = [y for _, y in coords]
    assert ys[3] < ys[0] < ys[5]  # higher values are drawn higher (smaller y)
    # the band spans exactly the reference range on the value scale
    band_top, band_h = float(band.get("y")), float(band.get("height"))
    slope = (ys[0] - ys[1]) / (5.4 - 5.0)
    assert abs(band_h - slope * (5.6 - 4.0)) < 0.5
    assert abs((ys[0] - band_top) - slope * (5.6 - 5.0)) < 0.5
    out = [c for c in root.iter(f"{NS}circle") if "out" in c.get("class")]
    assert len(out) == 3  # 5.9, 6.3 above; 3.9 below


def test_lab_trend_escapes_text_and_handles_single_points() -> None:
    svg = str(lab_trend_svg([Point(dt.datetime(2021, 5, 1), 1.0)], title="<script>x</script>", unit="<u>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    _parse(svg)  # still well-formed
    assert str(lab_trend_svg([], title="none")) == ""


def test_time_axis_uses_years_or_months() -> None:
    long = [Point(dt.datetime(2010 + i, 6, 1), float(i)) for i in range(10)]
    labels = re.findall(r">(\d{4})</text>", str(lab_trend_svg(long, title="t")))
    assert labels and all(2011 <= int(y) <= 2019 for y in labels)
    short = [Point(dt.datetime(2022, 1, 1) + dt.timedelta(days=20 * i), float(i)) for i in range(10)]
    assert re.search(r">2022-0\d</text>", str(lab_trend_svg(short, title="t")))


def test_marks_lanes_points_and_spans() -> None:
    t = dt.datetime(2019, 1, 1)
    lanes = [
        (
            "diagnosis",
            "Diagnoses",
            [Mark(t, "Hypertension"), Mark(t + dt.timedelta(days=400), "Diabetes & co")],
        ),
        ("encounter", "Encounters", [Mark(t + dt.timedelta(days=30 * i), "visit") for i in range(20)]),
        ("medication", "Medications", [Mark(t, "metformin", end=t + dt.timedelta(days=700), count=8)]),
    ]
    root = _parse(str(timeline_marks_svg(lanes)))
    assert len(root.findall(f"{NS}path[@class='mark-diagnosis']")) == 2
    assert len(root.findall(f"{NS}rect[@class='mark-encounter']")) == 20
    (span,) = root.findall(f"{NS}rect[@class='mark-medication']")
    assert float(span.get("width")) > 500  # 700 of ~700 days across the plot width
    assert "(×8)" in span.find(f"{NS}title").text
    labels = [e.text for e in root.iter(f"{NS}text") if e.get("class") == "lane-label"]
    assert labels == ["Diagnoses", "Encounters", "Medications"]
    assert str(timeline_marks_svg([("diagnosis", "Diagnoses", [])])) == ""
    capped = timeline_marks_svg(
        [("encounter", "E", [Mark(t + dt.timedelta(days=i), "v") for i in range(50)])], max_marks=10
    )
    assert str(capped).count('class="mark-encounter"') == 10
