"""The patient event store: schema, migrations, and the queries every domain uses.

Interface: `open_database(url) -> Database`; events (`insert_events`, `with_occurrences`, `timeline`),
patients (`upsert_patient`, `get_patient`, `search_patients`), audit (`record`, `query`, `Actor`).
"""

from medtrio.store.audit import Actor
from medtrio.store.db import Database, open_database
from medtrio.store.events import TimelineEvent, ensure_codes, insert_events, timeline, with_occurrences
from medtrio.store.patients import PatientSummary, get_patient, search_patients, upsert_patient

__all__ = [
    "Actor", "Database", "PatientSummary", "TimelineEvent", "ensure_codes", "get_patient",
    "insert_events", "open_database", "search_patients", "timeline", "upsert_patient", "with_occurrences",
]  # fmt: skip
