"""Assemble one calculator's inputs from a note: numbers from `notes.extract`, history items from the concept
patterns with negation, choices (GCS components, HEART history, Child-Pugh ascites...) from phrase rules,
and the templated notes (doses, dates) from their fixed sentences.

Every input carries provenance (`span`) and a `confirm` flag when it was inferred; missing history items are
treated as absent, as the scores' own instructions do, and this is reported in the result's `assumed` list.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from medtrio.calculators.core import calculate, get
from medtrio.calculators.notes import Extraction, extract
from medtrio.errors import InvalidInput, MedtrioError

NEGATION = re.compile(
    r"\b(?:no|not|denies|denied|denying|without|negative for|absence of|absent|nor|never|free of|ruled out|"
    r"rules out|unremarkable for|did not|does not|had no|has no|non)\b",
    re.I,
)
BREAK = re.compile(r"\b(?:but|however|although|though|except|apart from|aside from)\b", re.I)
POST_NEGATION = re.compile(
    r"^[^.;]{0,25}?\b(?:was|were|is|are)?\s*(?:negative|absent|ruled out|not (?:seen|present|"
    r"found|detected|noted|observed))",
    re.I,
)


@cache
def concepts() -> dict[str, list[re.Pattern[str]]]:
    text = (
        resources.files("medtrio.calculators").joinpath("data/note_concepts.yaml").read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    if not data.get("source"):
        raise ValueError("note_concepts.yaml lacks 'source'")
    return {name: [re.compile(p, re.I) for p in pats] for name, pats in data["concepts"].items()}


def mentioned(note: str, concept: str) -> tuple[bool | None, str]:
    """(True, span) if affirmed somewhere, (False, span) if only negated, (None, '') if never mentioned."""
    negated_span = ""
    for rx in concepts()[concept]:
        for m in rx.finditer(note):
            start = max(
                note.rfind(".", 0, m.start()), note.rfind(";", 0, m.start()), note.rfind("\n", 0, m.start())
            )
            before = note[start + 1 : m.start()]
            if not concept.startswith("family") and re.search(
                r"family history|mother|father|brother|sister", before, re.I
            ):
                continue
            cue = list(NEGATION.finditer(before))
            neg = bool(cue) and not BREAK.search(before[cue[-1].end() :]) and len(before) - cue[-1].end() < 90
            if neg or POST_NEGATION.search(note[m.end() : m.end() + 40]):
                negated_span = negated_span or m.group(0)
                continue
            return True, note[max(0, m.start() - 30) : m.end() + 10].strip()
    return (False, negated_span) if negated_span else (None, "")


def _has(note: str, concept: str) -> bool:
    return mentioned(note, concept)[0] is True


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.I)


# ---------------------------------------------------------------- choices


def _gcs_parts(note: str) -> dict[str, str]:
    n = note.lower()
    eye = (
        "spontaneous"
        if re.search(r"eyes? (?:were |was )?open(?:ed|ing)? spontaneous|spontaneous eye", n)
        else "to verbal command"
        if re.search(
            r"eyes? [^.]{0,30}(?:to|in response to) (?:verbal|voice|speech|"
            r"command|loud)",
            n,
        )
        else "to pain"
        if re.search(
            r"eyes? [^.]{0,40}(?:to|in response to|upon|with) (?:pain|painful|sternal|"
            r"noxious|pressure)",
            n,
        )
        else "none"
        if re.search(r"no eye opening|eyes? (?:remained |were )?closed|did not open (?:his|her) eyes", n)
        else "spontaneous"
    )
    verbal = (
        "not testable"
        if re.search(r"intubat", n) and re.search(r"verbal[^.]{0,40}(?:not|could not|unable)", n)
        else "none"
        if re.search(r"no verbal|non-?verbal|no (?:vocal|sound)|mute|aphasic", n)
        else "incomprehensible sounds"
        if re.search(r"incomprehensible|moan|groan|grunt", n)
        else "inappropriate words"
        if re.search(r"inappropriate (?:words|speech|responses?)|random words", n)
        else "confused"
        if re.search(r"confus|disorient", n)
        else "oriented"
    )
    motor = (
        "none"
        if re.search(r"no (?:motor|movement)|flaccid|no response to pain", n)
        else "extension to pain"
        if re.search(r"extens\w* (?:to|in response to|posturing)|decerebrate", n)
        else "flexion to pain"
        if re.search(r"(?:abnormal )?flexion|decorticate", n)
        else "withdrawal from pain"
        if re.search(r"withdr[ae]w", n)
        else "localizes pain"
        if re.search(r"locali[sz]", n)
        else "obeys commands"
    )
    return {"eye": eye, "verbal": verbal, "motor": motor}


def _heart_choices(note: str) -> dict[str, str]:
    n = note.lower()
    history = (
        "highly suspicious"
        if re.search(
            r"typical (?:chest pain|angina)|crushing|pressure-like|radiat\w* to "
            r"the (?:left )?(?:arm|jaw)|diaphore",
            n,
        )
        else "slightly suspicious"
        if re.search(r"atypical|pleuritic|reproducible|positional", n)
        else "moderately suspicious"
    )
    ecg = (
        "significant st deviation"
        if re.search(r"st[- ](?:segment )?(?:elevation|depression)|st[- ]elevation", n)
        else "non-specific repolarization disturbance"
        if re.search(
            r"t[- ]wave inversion|repolari[sz]ation|bundle "
            r"branch block|lvh|left ventricular hyper",
            n,
        )
        else "normal"
    )
    trop = "≤ normal limit"
    if re.search(
        r"troponin[^.]{0,60}(?:elevat|raised|positive|increas|high)|(?:elevat|raised|positive)\w* troponin", n
    ):
        trop = (
            "> 3× normal limit"
            if re.search(r"markedly|significantly|>\s*3|three times", n)
            else "1–3× normal limit"
        )
    return {"history": history, "ecg": ecg, "troponin": trop}


def _child_choices(note: str) -> dict[str, str]:
    n = note.lower()
    if re.search(
        r"(?:moderate|large|massive|tense|severe|significant|gross)[^.]{0,15}ascites|ascites[^.]{0,20}"
        r"(?:moderate|large|massive|tense)",
        n,
    ):
        ascites = "moderate"
    elif _has(note, "ascites_any"):
        ascites = "slight"
    else:
        ascites = "absent"
    if re.search(r"grade (?:3|4|iii|iv)|coma|stupor|somnolen|unresponsive", n):
        enc = "grade 3-4"
    elif re.search(r"asterixis|confus|disorient|grade (?:1|2|i|ii)\b|hepatic encephalopathy|lethargi", n):
        enc = "grade 1-2"
    else:
        enc = "none"
    return {"ascites": ascites, "encephalopathy": enc}


def _charlson_choices(note: str) -> dict[str, str]:
    n = note.lower()
    liver = (
        "moderate to severe"
        if _has(note, "cirrhosis_portal")
        else "mild"
        if _has(note, "liver_disease")
        else "none"
    )
    diabetes = "none or diet-controlled"
    if _has(note, "diabetes") and not re.search(r"diet[- ]controlled|controlled (?:with|by) diet", n):
        diabetes = (
            "end-organ damage"
            if re.search(r"retinopathy|nephropathy|neuropathy|diabetic (?:kidney|foot)", n)
            else "uncomplicated"
        )
    tumor = "metastatic" if _has(note, "metastatic") else "localized" if _has(note, "solid_tumor") else "none"
    return {"liver_disease": liver, "diabetes": diabetes, "solid_tumor": tumor}


def _caprini_choices(note: str) -> dict[str, str]:
    n = note.lower()
    surgery = (
        "arthroplasty"
        if re.search(r"arthroplasty|joint replacement|hip replacement|knee replacement", n)
        else "major"
        if re.search(r"major (?:open )?surgery|laparoscop|arthroscop|> ?45 min", n)
        else "minor"
        if re.search(r"minor (?:surgery|procedure)", n)
        else "none"
    )
    mobility = (
        "confined > 72 h"
        if re.search(r"confined to bed|bedridden|bed-bound", n)
        else "bed rest"
        if re.search(r"bed ?rest", n)
        else "normal"
    )
    return {"surgery": surgery, "mobility": mobility}


EXTRA_CONCEPTS = {
    "ascites_any": ["ascites"],
    "cirrhosis_portal": ["cirrhosis", "portal hypertension", "varices", "variceal", "hepatic encephalopathy"],
    "metastatic": ["metasta"],
    "dvt_suspected": ["deep vein thrombosis", "deep venous thrombosis", r"\bDVT\b"],
    "solid_tumor": ["cancer", "carcinoma", "tumou?r", "malignan", "sarcoma", "melanoma"],
}


# ---------------------------------------------------------------- templated notes


def _templated(name: str, note: str, question: str) -> dict[str, Any] | None:
    if name in ("due_date", "conception_date", "gestational_age"):
        lmp = _search(r"last menstrual period was on (\d{1,2}/\d{1,2}/\d{4})", note)
        out: dict[str, Any] = {"lmp": lmp.group(1)} if lmp else {}
        cycle = _search(r"cycle length is (\d+) days", note)
        today = _search(r"today's date is (\d{1,2}/\d{1,2}/\d{4})", note)
        if name == "gestational_age" and today:
            out["today"] = today.group(1)
        elif cycle and name != "gestational_age":
            out["cycle_length"] = int(cycle.group(1))
        return out
    if name == "steroid_conversion":
        m = _search(r"taken ([\d.]+) (mg|g|mcg|µg) of ([A-Za-z]+(?: (?:IV|PO))?)", note)
        target = _search(r"in mg of ([A-Za-z]+(?: (?:IV|PO))?)", question)
        if m and target:
            return {
                "from_steroid": m.group(3),
                "dose": [float(m.group(1)), m.group(2)],
                "to_steroid": target.group(1),
            }
        return {}
    if name == "mme":
        out = {"conversion": "cdc2016"}
        for m in re.finditer(
            r"([\d.]+) (mg|µg|mcg) of ([A-Za-z]+(?: patch| buccal)?) (\d+) times? a day", note
        ):
            drug = m.group(3).lower().replace(" ", "_")
            unit = "µg" if drug == "fentanyl_patch" else m.group(2)
            out[f"{drug}_dose"] = [float(m.group(1)), unit]
            out[f"{drug}_doses_per_day"] = int(m.group(4))
        return out
    return None


# ---------------------------------------------------------------- assembly

_SPECIAL_NUMBERS = {
    "alcohol_drinks_per_week": (
        r"(\d+)\s*(?:alcoholic )?(?:drinks?|beers?|glasses of wine)[^.]{0,15}(?:per|a|each|"
        r"every) week",
        1.0,
    ),
    "urine_output": (r"urine output[^.\d]{0,30}?(\d+(?:\.\d+)?)\s*(?:mL|ml)", 1.0),
    "aa_gradient": (r"A-?a (?:gradient|DO2)[^.\d]{0,20}?(\d+(?:\.\d+)?)", 1.0),
    "target_bmi": (r"target BMI (?:is |of )?(\d+(?:\.\d+)?)", 1.0),
}
_INFUSIONS = {
    "dopamine": "dopamine",
    "dobutamine": "dobutamine",
    "epinephrine": r"(?<!nor)(?<!nor-)epinephrine",
    "norepinephrine": r"nor-?epinephrine|noradrenaline",
}


def inputs_from_note(name: str, note: str, question: str = "") -> tuple[dict[str, Any], dict[str, str]]:
    """Raw inputs for calculator `name` from `note`, and where each came from (input -> text span)."""
    templated = _templated(name, note, question)
    if templated is not None:
        return templated, {k: "templated sentence" for k in templated}
    calc = get(name)
    found: Extraction = extract(note)
    out: dict[str, Any] = {}
    prov: dict[str, str] = {}
    choices: dict[str, str] = {}
    wanted = {i.name for i in calc.inputs}
    if name == "gcs":
        choices = _gcs_parts(note)
    elif name == "heart":
        choices = _heart_choices(note)
    elif name in ("child_pugh", "child_pugh_class"):
        choices = _child_choices(note)
    elif name == "charlson":
        choices = _charlson_choices(note)
    elif name == "caprini":
        choices = _caprini_choices(note)
    for key, value in choices.items():
        if key in wanted:
            out[key], prov[key] = value, "phrase rules"
    for spec in calc.inputs:
        if spec.name in out:
            continue
        if spec.kind == "bool":
            value, span = _flag(name, spec.name, note, found)
            if value is not None:
                out[spec.name], prov[spec.name] = value, span
            continue
        if spec.name in _SPECIAL_NUMBERS:
            m = _search(_SPECIAL_NUMBERS[spec.name][0], note)
            if m:
                out[spec.name], prov[spec.name] = float(m.group(1)), m.group(0)
            continue
        if spec.name in _INFUSIONS:
            m = _search(
                r"(?:" + _INFUSIONS[spec.name] + r")[^.\d]{0,25}?(\d+(?:\.\d+)?)\s*(?:mcg|µg|ug)/kg/min", note
            )
            if m:
                out[spec.name], prov[spec.name] = [float(m.group(1)), "mcg/kg/min"], m.group(0)
            continue
        if spec.name == "admission":
            n = note.lower()
            out[spec.name] = (
                "elective postoperative"
                if re.search(r"elective (?:surgery|operation|procedure)", n)
                else "emergency postoperative"
                if re.search(r"emergen\w* (?:surgery|operation|laparotomy)", n)
                else "nonoperative"
            )
            continue
        if spec.name == "target_bmi":
            continue
        f = found.values.get(spec.name)
        if f is not None:
            out[spec.name] = f.value
            prov[spec.name] = f.span + (" (unit inferred: confirm)" if f.inferred_unit else "")
    if name == "target_weight":
        m = _search(_SPECIAL_NUMBERS["target_bmi"][0], note)
        if m:
            out["target_bmi"] = float(m.group(1))
    if name == "caprini" and found.get("bmi") is not None:
        out["bmi"] = found.get("bmi")
    return out, prov


def _flag(calc: str, key: str, note: str, found: Extraction) -> tuple[bool | None, str]:
    if key == "cough_absent":
        return (not _has(note, "cough")), "cough"
    if key == "no_cough_coryza":
        return (not (_has(note, "cough") or _has(note, "coryza"))), "cough/coryza"
    if key == "obesity":
        bmi = found.get("bmi")
        if bmi is not None and bmi > 30:
            return True, f"BMI {bmi}"
    if key == "fever":
        temp = found.get("temperature")
        if temp and ((temp[1] == "°C" and temp[0] > 38) or (temp[1] == "°F" and temp[0] > 100.4)):
            return True, "temperature"
    if key == "alternative_diagnosis":
        # Wells: unless the note treats DVT as the working diagnosis, another diagnosis is at least as likely
        return (not _has(note, "dvt_suspected")), "DVT not the working diagnosis"
    if key == "altered_mentation" and found.get("gcs") is not None and found.get("gcs") < 15:
        return True, "GCS < 15"
    concept = key if key in concepts() else None
    if concept is None:
        return None, ""
    value, span = mentioned(note, concept)
    return (value if value is not None else None), span


def compute_from_note(calc_id: int, note: str, question: str = "", client: Any = None) -> tuple[Any, str]:
    """MedCalc-Bench: compute calculator `calc_id` from the patient note; (value, error message).

    With an LLM `client`, its extraction is merged in under `llm_extract.cross_check`."""
    from medtrio.calculators.medcalc import CALCULATORS

    name = CALCULATORS[calc_id]
    try:
        inputs, _ = inputs_from_note(name, note, question)
        if client is not None:
            from medtrio.calculators.llm_extract import cross_check, llm_inputs
            from medtrio.llm import LLMUnavailable

            try:
                inputs, _ = cross_check(name, note, inputs, llm_inputs(name, note, client))
            except LLMUnavailable:
                pass  # fail soft: the rule-based inputs stand
        return calculate(name, inputs).value, ""
    except (MedtrioError, InvalidInput) as exc:
        return None, str(exc)


def _register_extra() -> None:
    table = concepts()
    for key, pats in EXTRA_CONCEPTS.items():
        table.setdefault(key, [re.compile(p, re.I) for p in pats])


_register_extra()
