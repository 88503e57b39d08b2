"""One assessment: urgency, differential with reasons, department, red flags and what to do now.

`assess_text` is the no-interaction path (the case text is all there is); `assessment_from` turns any
set of answers (free text, interview, or both) into the same result object, so the CLI, the API and
the evaluation all report the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from medtrio.errors import InvalidInput
from medtrio.triage.engine import (
    Candidate,
    calibrate,
    decide_urgency,
    differential,
    expand_answers,
    fired_rules,
    log_posterior,
    normalise,
    recommend_department,
)
from medtrio.triage.knowledge import KnowledgeBase, load_knowledge
from medtrio.triage.textparse import ParsedText, parse_text

MAX_TEXT = 5000

ADVICE = {
    "emergency": {
        "en": "Call emergency services or go to the nearest emergency department now.",
        "zh": "请立即拨打急救电话或前往最近的急诊。",
    },
    "urgent": {
        "en": "See a doctor today (same-day appointment, urgent care or out-of-hours service).",
        "zh": "请今天就诊（当天门诊、急症门诊或夜间门诊）。",
    },
    "routine": {
        "en": "Book an appointment with a doctor in the next few days.",
        "zh": "请在近几天内预约医生就诊。",
    },
    "self_care": {
        "en": "This can usually be managed at home; see a doctor if it gets worse or does not improve.",
        "zh": "通常可以在家自我护理；如加重或不见好转请就医。",
    },
}
SAFETY_NET = {
    "en": [
        "Seek help immediately if you have chest pain, severe breathing difficulty, fainting, a seizure, "
        "sudden weakness of the face or a limb, confusion, a rash that does not fade when pressed, "
        "or thoughts of harming yourself.",
        "This is not a diagnosis: the list shows possibilities and how likely they seem "
        "from what you told us.",
    ],
    "zh": [
        "如出现胸痛、严重呼吸困难、晕厥、抽搐、突发面部或肢体无力、意识混乱、压之不褪色的皮疹或伤害自己的想法，请立即求助。",
        "这不是诊断：列表显示的是根据您提供的信息推测的可能情况及其可能性。",
    ],
}


@dataclass(frozen=True)
class Assessment:
    urgency: str
    urgency_reason: str
    differential: list[dict]
    department: str
    department_name: str
    red_flags: list[dict]
    advice: str
    safety_net: list[str]
    understood: list[dict]
    age: float | None
    sex: str | None
    lang: str
    duration_days: float | None = None
    severity: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self, case_id: object | None = None) -> dict:
        out = asdict(self)
        if case_id is not None:
            out = {"id": case_id, **out}
        return out


def _candidate_dict(c: Candidate) -> dict:
    return {
        "id": c.condition,
        "name": c.name,
        "icd10": c.icd10,
        "probability": round(c.probability, 4),
        "urgency": c.urgency,
        "department": c.department,
        "for": [
            {"finding": e.finding, "name": e.name, "present": e.present, "ratio": round(e.ratio, 2)}
            for e in c.for_
        ],
        "against": [
            {"finding": e.finding, "name": e.name, "present": e.present, "ratio": round(e.ratio, 2)}
            for e in c.against
        ],
        "sources": list(c.sources),
    }


def assessment_from(
    kb: KnowledgeBase,
    answers: Mapping[str, bool | None],
    age: float | None,
    sex: str | None,
    lang: str = "en",
    parsed: ParsedText | None = None,
    top: int = 10,
) -> Assessment:
    """Assess a set of answered findings (None = unknown)."""
    known = expand_answers(kb, {f: v for f, v in answers.items() if v is not None})
    probs = calibrate(normalise(log_posterior(kb, known, age, sex)))
    cands = differential(kb, probs, known, lang, top=top)
    rules = fired_rules(kb, known, age, sex)
    urgency, reason = decide_urgency(kb, probs, rules)
    dept = recommend_department(kb, urgency, cands[0] if cands else None, age)
    advice = " ".join([r.advice(lang) for r in rules][:2]) or ADVICE[urgency][lang]
    understood = [
        {
            "finding": m.finding,
            "name": kb.findings[m.finding].name(lang),
            "text": m.text,
            "present": m.present,
            "confirm": m.present is None,
        }
        for m in (parsed.matches if parsed else ())
    ]
    return Assessment(
        urgency=urgency,
        urgency_reason=reason,
        differential=[_candidate_dict(c) for c in cands],
        department=dept,
        department_name=kb.department_name(dept, lang),
        red_flags=[
            {"id": r.id, "name": r.name(lang), "advice": r.advice(lang), "sources": list(r.sources)}
            for r in rules
        ],
        advice=advice,
        safety_net=SAFETY_NET[lang],
        understood=understood,
        age=age,
        sex=sex,
        lang=lang,
        duration_days=parsed.duration_days if parsed else None,
        severity=parsed.severity if parsed else None,
        notes=list(parsed.notes) if parsed else [],
    )


def normalise_sex(sex: str | None) -> str | None:
    """F / M from the usual spellings ("f", "female", "女"); anything else is left for check_inputs."""
    if not isinstance(sex, str) or not sex.strip():
        return None
    key = sex.strip().upper()
    return {"FEMALE": "F", "WOMAN": "F", "女": "F", "MALE": "M", "MAN": "M", "男": "M"}.get(key, key)


def check_inputs(text: str, age: float | None, sex: str | None, lang: str | None) -> None:
    if not text or not text.strip():
        raise InvalidInput("Please describe what is wrong (the text is empty).")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"The description is too long ({len(text)} characters; at most {MAX_TEXT}).")
    if age is not None and not 0 <= age <= 120:
        raise InvalidInput(f"Age must be between 0 and 120 years (got {age}).")
    if sex is not None and sex not in ("F", "M"):
        raise InvalidInput(f"Sex must be F or M (got {sex!r}).")
    if lang is not None and lang not in ("en", "zh"):
        raise InvalidInput(f"Language must be en or zh (got {lang!r}).")


def assess_text(
    text: str,
    age: float | None = None,
    sex: str | None = None,
    lang: str | None = None,
    kb: KnowledgeBase | None = None,
) -> Assessment:
    """Assess a free-text case description with no follow-up questions."""
    sex = normalise_sex(sex)
    if isinstance(age, str):
        try:
            age = float(age)
        except ValueError as exc:
            raise InvalidInput(f"Age must be a number of years (got {age!r}).") from exc
    check_inputs(text, age, sex, lang)
    kb = kb or load_knowledge()
    parsed = parse_text(kb, text, lang)
    age = age if age is not None else parsed.age
    sex = sex or parsed.sex
    return assessment_from(kb, parsed.findings, age, sex, lang or parsed.lang, parsed)


def top_probability(a: Assessment) -> float:
    return float(np.max([d["probability"] for d in a.differential])) if a.differential else 0.0
