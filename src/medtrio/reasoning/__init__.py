"""Stepwise case analysis over a patient's record: summary, abnormal findings, active problems,
differential, risk scores, trajectory, risks and warnings, next steps. Every statement carries the record
entries, rules or sources it rests on. Deterministic; no LLM. See docs/calculators.md (case analysis).

Public interface: `analyse(session, patient_id, complaint=None, as_of=None, actor=None) -> CaseReport`.
"""

from medtrio.reasoning.analysis import analyse
from medtrio.reasoning.model import CaseReport, Evidence, Statement, Step

__all__ = ["CaseReport", "Evidence", "Statement", "Step", "analyse"]
