"""Every entry of the calculators' knowledge files is well-formed and used."""

from __future__ import annotations

from medtrio.calculators import all_calculators
from medtrio.calculators.autofill import record_map
from medtrio.calculators.note_inputs import concepts
from medtrio.reasoning.knowledge import critical_values


def test_record_map_entries() -> None:
    data = record_map()
    inputs = {i.name for c in all_calculators() for i in c.inputs}
    for name, entry in data["numbers"].items():
        assert entry["codes"] and entry["days"] > 0, name
        assert all("//" in code for code in entry["codes"]), name
        assert name in inputs or name in critical_values()["analytes"], f"{name} is used by nothing"
    for name, prefixes in data["flags"].items():
        assert name in inputs, f"flag {name} is no calculator input"
        assert prefixes and all(p.startswith(("DIAGNOSIS//", "MEDICATION//")) for p in prefixes), name


def test_note_concepts_compile_and_match_inputs() -> None:
    table = concepts()
    inputs = {i.name for c in all_calculators() for i in c.inputs}
    helpers = {"cough", "coryza", "ascites_any", "cirrhosis_portal", "metastatic", "solid_tumor",
               "dvt_suspected"}
    for name, patterns in table.items():
        assert patterns, name
        assert name in inputs or name in helpers, f"concept {name} is used by nothing"
