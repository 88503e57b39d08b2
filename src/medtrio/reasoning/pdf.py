"""PDF export of a case report (reportlab): every step, every statement with its evidence, the disclaimer."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from medtrio.reasoning.model import CaseReport

COLOURS = {"critical": "#b00020", "warning": "#9a6700", "info": "#222222"}


def report_pdf(report: CaseReport, patient_label: str) -> bytes:
    """The report as PDF bytes (A4)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title="Medtrio case analysis",
        author="Medtrio",
    )
    story = [
        Paragraph("Case analysis", styles["Title"]),
        Paragraph(
            escape(
                f"{patient_label} — as of {report.as_of[:10]}"
                + (f" — presenting complaint: {report.complaint}" if report.complaint else "")
            ),
            styles["Normal"],
        ),
        Paragraph(escape(report.disclaimer), styles["Italic"]),
        Spacer(1, 4 * mm),
    ]
    for step in report.steps:
        story.append(Paragraph(escape(f"{step.number}. {step.title}"), styles["Heading2"]))
        for st in step.statements:
            colour = COLOURS[st.severity]
            tag = "" if st.severity == "info" else f"[{st.severity}] "
            story.append(
                Paragraph(f'<font color="{colour}">{escape(tag + st.text)}</font>', styles["BodyText"])
            )
            why = "; ".join(
                f"{e.kind}: {e.label}" + (f" — {e.detail}" if e.detail else "") for e in st.evidence
            )
            story.append(
                Paragraph(f'<font size="7" color="#555555">why: {escape(why)}</font>', styles["BodyText"])
            )
    doc.build(story)
    return buf.getvalue()
