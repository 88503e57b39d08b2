"""Keep patient identifiers out of what is sent to an LLM unless the administrator allows it
(MEDTRIO_LLM_ALLOW_IDENTIFIERS). Known identifiers (name, MRN, ...) are replaced by neutral placeholders, and
patterns that look like identifiers (e-mail, phone, dates of birth written as dates, long digit runs such as
record numbers) are masked. Reference: HIPAA Safe Harbor list of 18 identifiers, 45 CFR 164.514(b)(2).
"""

from __future__ import annotations

import re

# placeholders use angle brackets: square brackets are the citation syntax answers are checked against
_PATTERNS = (
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), "<email>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"), "<date>"),
    (re.compile(r"\+?\d[\d ()-]{7,}\d"), "<number>"),
    (re.compile(r"\b\d{6,}\b"), "<number>"),
)


def redact(text: str, identifiers: list[str] | tuple[str, ...] = (), allow: bool = False) -> str:
    """`text` with the given identifiers and identifier-like patterns masked (unchanged when `allow`)."""
    if allow:
        return text
    for ident in sorted((i for i in identifiers if i and len(i.strip()) >= 2), key=len, reverse=True):
        text = re.sub(re.escape(ident.strip()), "<patient>", text, flags=re.IGNORECASE)
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text
