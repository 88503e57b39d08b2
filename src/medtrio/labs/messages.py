"""Structured inputs: FHIR R4 Observation / DiagnosticReport / Bundle JSON and HL7 v2 ORU^R01 messages
(parsed with `hl7apy`). Results become `RawResult`s like any report line; a LOINC code in the message
identifies the analyte first, the printed name second.
"""

from __future__ import annotations

from typing import Any

from medtrio.errors import InvalidInput
from medtrio.labs.catalog import Catalog
from medtrio.labs.extract import RawResult, ReportMeta

LOINC_SYSTEM = "http://loinc.org"
_FHIR_FLAG = {
    "H": "H",
    "HH": "HH",
    "L": "L",
    "LL": "LL",
    "A": "A",
    "AA": "C",
    "HU": "HH",
    "LU": "LL",
    "N": None,
}


def _fmt(x: Any) -> str | None:
    if x is None:
        return None
    return f"{x:g}" if isinstance(x, float) else str(x)


def _observation(obs: dict[str, Any], catalog: Catalog) -> RawResult:
    coding = (obs.get("code") or {}).get("coding") or []
    loinc = next((c.get("code") for c in coding if c.get("system") == LOINC_SYSTEM), None)
    name = (obs.get("code") or {}).get("text") or next(
        (c.get("display") for c in coding if c.get("display")), None
    )
    analyte = catalog.by_loinc.get(loinc) if loinc else None
    if analyte is None and name:
        analyte = catalog.lookup(name)
    value = unit = None
    if "valueQuantity" in obs:
        q = obs["valueQuantity"]
        value = (q.get("comparator") or "") + (_fmt(q.get("value")) or "")
        unit = q.get("code") or q.get("unit")
    elif "valueString" in obs:
        value = obs["valueString"]
    elif "valueCodeableConcept" in obs:
        cc = obs["valueCodeableConcept"]
        value = cc.get("text") or next(
            (c.get("display") or c.get("code") for c in cc.get("coding", [])), None
        )
    rng = None
    for rr in obs.get("referenceRange") or []:
        lo, hi = (rr.get("low") or {}).get("value"), (rr.get("high") or {}).get("value")
        if rr.get("text"):
            rng = rr["text"]
        elif lo is not None and hi is not None:
            rng = f"{_fmt(lo)}-{_fmt(hi)}"
        elif hi is not None:
            rng = f"<={_fmt(hi)}"
        elif lo is not None:
            rng = f">={_fmt(lo)}"
        break
    flag = None
    for interp in obs.get("interpretation") or []:
        for c in interp.get("coding") or []:
            flag = _FHIR_FLAG.get(c.get("code", ""), flag)
    r = RawResult(
        name=name or loinc or "?",
        analyte=analyte,
        value=value,
        unit=unit,
        range=rng,
        flag=flag,
        spec=analyte.spec if analyte else None,
        line=f"FHIR Observation {obs.get('id', '')}".strip(),
    )
    if loinc and analyte is None:
        r.notes.append(f"LOINC {loinc} is not in the catalog")
    if value is None:
        r.notes.append("the Observation carries no value")
    return r


def read_fhir(obj: dict[str, Any], catalog: Catalog) -> tuple[list[RawResult], ReportMeta]:
    """Results of an Observation, a DiagnosticReport (contained observations) or a Bundle."""
    kind = obj.get("resourceType")
    meta = ReportMeta()
    if kind == "Observation":
        observations = [obj]
    elif kind == "DiagnosticReport":
        observations = [c for c in obj.get("contained", []) if c.get("resourceType") == "Observation"]
        meta.date = (obj.get("effectiveDateTime") or "")[:10] or None
    elif kind == "Bundle":
        resources = [e.get("resource", {}) for e in obj.get("entry", [])]
        observations = [r for r in resources if r.get("resourceType") == "Observation"]
        for p in (r for r in resources if r.get("resourceType") == "Patient"):
            meta.sex = {"male": "M", "female": "F"}.get(p.get("gender", ""))
    else:
        raise InvalidInput(
            f"unsupported FHIR resource '{kind}': send an Observation, DiagnosticReport or Bundle"
        )
    if not observations:
        raise InvalidInput(f"the FHIR {kind} contains no Observation")
    if meta.date is None:
        meta.date = next(
            ((o.get("effectiveDateTime") or "")[:10] for o in observations if o.get("effectiveDateTime")),
            None,
        )
    return [_observation(o, catalog) for o in observations], meta


def read_hl7(text: str, catalog: Catalog) -> tuple[list[RawResult], ReportMeta]:
    """OBX segments of an HL7 v2 ORU^R01 message; PID-8 gives sex, OBR-7 the collection time."""
    from hl7apy.exceptions import HL7apyException
    from hl7apy.parser import parse_message

    text = text.replace("\r\n", "\r").replace("\n", "\r").strip()
    try:
        msg = parse_message(text, find_groups=False)
    except (HL7apyException, ValueError, IndexError) as exc:
        raise InvalidInput(f"not a readable HL7 v2 message: {exc}") from exc
    meta = ReportMeta()
    results: list[RawResult] = []
    for seg in msg.children:
        if seg.name == "PID":
            meta.sex = {"M": "M", "F": "F"}.get(seg.pid_8.to_er7().strip().upper())
        elif seg.name == "OBR" and meta.date is None:
            t = seg.obr_7.to_er7()
            meta.date = f"{t[:4]}-{t[4:6]}-{t[6:8]}" if len(t) >= 8 else None
        elif seg.name == "OBX":
            parts = seg.obx_3.children
            code = parts[0].to_er7() if parts else ""
            name = parts[1].to_er7() if len(parts) > 1 else code
            system = parts[2].to_er7() if len(parts) > 2 else ""
            analyte = catalog.by_loinc.get(code) if system.upper() in ("LN", "LOINC") else None
            analyte = analyte or catalog.lookup(name)
            flag = seg.obx_8.to_er7() or None
            r = RawResult(
                name=name,
                analyte=analyte,
                value=seg.obx_5.to_er7() or None,
                unit=seg.obx_6.to_er7().split("^")[0] or None,
                range=seg.obx_7.to_er7() or None,
                flag=None if flag == "N" else flag,
                spec=analyte.spec if analyte else None,
                line=seg.to_er7(),
            )
            if r.value is None:
                r.notes.append("the OBX segment carries no value")
            results.append(r)
    if not results:
        raise InvalidInput("the HL7 message contains no OBX result segments")
    return results, meta
