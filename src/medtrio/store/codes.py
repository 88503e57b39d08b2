"""Event codes: prefixes, categories and the content key that makes imports idempotent.

Codes are MEDS-style strings, ``PREFIX//...``. The prefix decides the timeline category:

==================  ============  ====================================================
prefix              category      example
==================  ============  ====================================================
LAB                 lab           ``LAB//LOINC//2160-0``, ``LAB//50912//mg/dL`` (MIMIC)
VITAL               vital         ``VITAL//LOINC//8480-6``
DIAGNOSIS           diagnosis     ``DIAGNOSIS//ICD//10//E11``
MEDICATION          medication    ``MEDICATION//RXNORM//860975``
PROCEDURE           procedure     ``PROCEDURE//ICD//9//3893``
IMMUNIZATION        immunization  ``IMMUNIZATION//CVX//140``
ALLERGY             allergy       ``ALLERGY//SNOMED//91936005``
ENCOUNTER, *ADMISS* encounter     ``HOSPITAL_ADMISSION//EW EMER.``
MEDS_BIRTH, BIRTH   demographic   ``MEDS_BIRTH``; also GENDER//, RACE//, ...
MEDS_DEATH, DEATH   death         ``MEDS_DEATH``
==================  ============  ====================================================

Anything else is ``other``: unknown codes are kept, never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct

MEDS_BIRTH = "MEDS_BIRTH"
MEDS_DEATH = "MEDS_DEATH"

CATEGORIES = (
    "diagnosis", "lab", "vital", "medication", "procedure", "immunization",
    "allergy", "encounter", "demographic", "death", "document", "other",
)  # fmt: skip

_PREFIX_CATEGORY = {
    "LAB": "lab",
    "VITAL": "vital",
    "DIAGNOSIS": "diagnosis",
    "CONDITION": "diagnosis",
    "MEDICATION": "medication",
    "DRUG": "medication",
    "PROCEDURE": "procedure",
    "IMMUNIZATION": "immunization",
    "ALLERGY": "allergy",
    "DOCUMENT": "document",
    "ENCOUNTER": "encounter",
    "HOSPITAL_ADMISSION": "encounter",
    "HOSPITAL_DISCHARGE": "encounter",
    "ED_REGISTRATION": "encounter",
    "ED_OUT": "encounter",
    "TRANSFER_TO": "encounter",
    "VISIT": "encounter",
    "MEDS_BIRTH": "demographic",
    "GENDER": "demographic",
    "RACE": "demographic",
    "ETHNICITY": "demographic",
    "MARITAL_STATUS": "demographic",
    "LANGUAGE": "demographic",
    "INSURANCE": "demographic",
    "MEDS_DEATH": "death",
    "DEATH": "death",
}


def category_of(code: str) -> str:
    """The timeline category of a code, from its prefix (``other`` when unknown)."""
    prefix = code.split("//", 1)[0].upper()
    return _PREFIX_CATEGORY.get(prefix, "other")


def dedup_key(
    time: dt.datetime | None,
    code: str,
    numeric_value: float | None,
    unit: str | None,
    text_value: str | None,
    occurrence: int = 0,
) -> int:
    """A signed 63-bit hash of an event's content and its occurrence number within the patient.

    Two imports of the same event give the same key, so the unique index (patient, key) turns a
    re-import into a no-op; identical rows inside one source get occurrence 0, 1, ... and all survive.
    """
    h = hashlib.blake2b(digest_size=8)
    h.update(time.isoformat().encode() if time is not None else b"-")
    h.update(b"\x1f" + code.encode())
    h.update(b"\x1f" + (struct.pack("<d", numeric_value) if numeric_value is not None else b"-"))
    h.update(b"\x1f" + (unit or "").encode() + b"\x1f" + (text_value or "").encode())
    h.update(b"\x1f" + str(occurrence).encode())
    return int.from_bytes(h.digest(), "little") >> 1
