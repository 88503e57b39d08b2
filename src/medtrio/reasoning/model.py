"""The case report's shape: steps of statements, each statement with its evidence links."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Evidence:
    """What a statement rests on: a record entry (`event`, ref = event id), a rule or a source."""

    kind: str  # event | rule | source | calculator
    ref: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Statement:
    text: str
    evidence: tuple[Evidence, ...]
    severity: str = "info"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")


@dataclass
class Step:
    number: int
    key: str
    title: str
    statements: list[Statement] = field(default_factory=list)

    def add(self, text: str, *evidence: Evidence, severity: str = "info") -> None:
        self.statements.append(Statement(text, tuple(evidence), severity))


@dataclass
class CaseReport:
    patient_id: int
    as_of: str
    complaint: str | None
    steps: list[Step]
    seconds: float = 0.0
    disclaimer: str = (
        "Decision support only: suggestions to check, never a diagnosis. Every statement links to "
        "the record entries and rules it rests on."
    )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def warnings(self) -> list[Statement]:
        return [s for step in self.steps for s in step.statements if s.severity != "info"]


def ev(reading_or_event: Any) -> Evidence:
    event = getattr(reading_or_event, "event", reading_or_event)
    when = event.time.date().isoformat() if event.time else "undated"
    value = "" if event.numeric_value is None else f" = {event.numeric_value:g} {event.unit or ''}".rstrip()
    return Evidence("event", str(event.id), f"{event.label}{value} ({when})")


def rule(name: str, source: str) -> Evidence:
    return Evidence("rule", name, name, source)
