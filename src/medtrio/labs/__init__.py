"""Lab-report interpretation: read a report (PDF, photo, text, FHIR, HL7 v2), extract and normalise each
result against the lab catalog, flag it, find patterns and trends, and explain it in plain language.

Public interface: `interpret_bytes`, `interpret_raw`, `extract` (interpret.py), `load_catalog`
(catalog.py), `evaluate` (flags_eval.py), `save_interpretation` (record.py). Design: docs/labs.md.
"""
