"""Optional LLM help for note extraction, always cross-checked against the note text and the rule-based
values.

When an LLM gateway is configured (`medtrio.llm.client_from_settings`), the model is asked for one
calculator's inputs as JSON. Its answer is never trusted as is: a number it gives must appear in the note,
a value that disagrees with the rule-based extraction is reported and the rule-based value kept, and
anything only the LLM found is marked for confirmation. Identifiers are redacted before the note leaves
the process unless the administrator allows them (`medtrio.llm.privacy`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from medtrio.calculators.core import get

PROMPT = (
    "Extract the inputs of the clinical calculator '{title}' from the clinical note. Answer with one JSON "
    'object and nothing else. Keys: {keys}. Quantities as [number, "unit"] exactly as written in the note; '
    "true/false for findings (false when absent or not mentioned); choices as one of the allowed strings. "
    "Omit a key when the note does not give it.\n\nInputs:\n{schema}\n\nNote:\n{note}"
)


@dataclass
class CrossCheck:
    """What the LLM added, where it agreed, and what was rejected."""

    agreed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # taken from the LLM: confirm before use
    disagreed: list[str] = field(default_factory=list)  # rule-based value kept
    rejected: list[str] = field(default_factory=list)  # not supported by the note text


def llm_inputs(name: str, note: str, client: Any, *, allow_identifiers: bool = False) -> dict[str, Any]:
    """Ask the LLM for calculator `name`'s inputs; {} when the answer holds no JSON object."""
    from medtrio.llm.privacy import redact

    calc = get(name)
    schema = "\n".join(
        f"- {i.name}: {i.label} ({i.kind}{', unit ' + i.unit if i.unit else ''}"
        f"{', one of ' + ' | '.join(i.choices) if i.choices else ''})"
        for i in calc.inputs
    )
    prompt = PROMPT.format(
        title=calc.title,
        keys=", ".join(i.name for i in calc.inputs),
        schema=schema,
        note=redact(note, allow=allow_identifiers),
    )
    text = client.chat([{"role": "user", "content": prompt}]).text
    match = re.search(r"\{.*\}", text, re.S)
    if not match:
        return {}
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return {}
    known = {i.name for i in calc.inputs}
    return {k: v for k, v in data.items() if k in known} if isinstance(data, dict) else {}


def _number_in_text(value: Any, note: str) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    for m in re.finditer(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", note):
        if abs(float(m.group(0).replace(",", "")) - number) < 1e-9:
            return True
    return False


def cross_check(
    name: str, note: str, rules: dict[str, Any], llm: dict[str, Any]
) -> tuple[dict[str, Any], CrossCheck]:
    """Merge the LLM's inputs into the rule-based ones under the checks above."""
    calc = get(name)
    kinds = {i.name: i.kind for i in calc.inputs}
    merged, report = dict(rules), CrossCheck()
    for key, value in llm.items():
        quantity = isinstance(value, list | tuple) and len(value) == 2
        if quantity and not _number_in_text(value[0], note):
            report.rejected.append(f"{key}: {value[0]} does not appear in the note")
            continue
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and not _number_in_text(value, note)
        ):
            report.rejected.append(f"{key}: {value} does not appear in the note")
            continue
        if key not in rules:
            if kinds.get(key) == "bool" and value is not True:
                continue  # absent is already the default
            merged[key] = list(value) if quantity else value
            report.added.append(key)
        elif _same(rules[key], value):
            report.agreed.append(key)
        else:
            report.disagreed.append(f"{key}: rules {rules[key]!r} vs LLM {value!r}")
    return merged, report


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b) == 2:
        try:
            return abs(float(a[0]) - float(b[0])) < 1e-6 and str(a[1]).lower() == str(b[1]).lower()
        except (TypeError, ValueError):
            return False
    return str(a).strip().lower() == str(b).strip().lower()
