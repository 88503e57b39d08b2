"""Ingestion: FHIR R4, MEDS, OMOP CDM and MIMIC-IV into the event store, and FHIR/MEDS export.

Every importer streams its source into `BatchWriter` (one transaction per batch, idempotent,
malformed records reported and skipped) and returns an `ImportReport`.
"""

from medtrio.ingest.report import ImportReport, RecordError

__all__ = ["ImportReport", "RecordError"]
