"""Medtrio: one medical AI system with three terminals (hospital /admin, clinician /clinic, patient /me)."""

__version__ = "0.1.0"
