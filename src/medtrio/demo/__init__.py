"""The demo hospital: a synthetic population with plausible longitudinal histories, a hospital with
departments, doctors and schedules, and demo accounts for the three terminals.

Interface: `build_demo(db, patients, seed) -> DemoSummary` (idempotent), `add_heavy_patient(db,
n_events, seed) -> patient_id` (a very long record, for timeline benchmarks), `load_population()`
(the sourced epidemiological parameters of population.yaml). CLI: `medtrio demo`, `medtrio serve`.
"""

from medtrio.demo.build import DemoSummary, build_demo, count_demo
from medtrio.demo.heavy import add_heavy_patient
from medtrio.demo.params import load_hospital, load_population

__all__ = ["DemoSummary", "add_heavy_patient", "build_demo", "count_demo", "load_hospital", "load_population"]
