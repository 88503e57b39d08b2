"""Drug dose conversions: corticosteroid equivalence and morphine milligram equivalents (MME/day)."""

from __future__ import annotations

from typing import Any

from medtrio.calculators.core import Input, Trace, calculator, tables
from medtrio.errors import InvalidInput

STEROIDS = (
    "betamethasone",
    "cortisone",
    "dexamethasone",
    "hydrocortisone",
    "methylprednisolone",
    "prednisolone",
    "prednisone",
    "triamcinolone",
)


def _steroid(name: str, field: str) -> str:
    key = name.strip().lower().split()[0] if name.strip() else ""
    if key not in STEROIDS:
        raise InvalidInput(f"{field}: unknown corticosteroid '{name}' (known: {', '.join(STEROIDS)})")
    return key


@calculator(
    "steroid_conversion",
    "Corticosteroid dose conversion",
    "mg",
    [
        Input("from_steroid", "Steroid given (name, optional route)", "text"),
        Input("dose", "Dose given", "dose_mg", "mg", 0.001, 10000),
        Input("to_steroid", "Target steroid (name, optional route)", "text"),
    ],
)
def steroid_conversion(x: dict[str, Any], t: Trace) -> float:
    table = tables()["steroid_equivalents"]["doses"]
    src, dst = _steroid(x["from_steroid"], "from_steroid"), _steroid(x["to_steroid"], "to_steroid")
    value = x["dose"] / table[src] * table[dst]
    t.add(f"equivalent doses: {src} {table[src]} mg ≡ {dst} {table[dst]} mg")
    t.add(f"{x['dose']:.5g} mg {src} × {table[dst]} / {table[src]} = {value:.5g} mg {dst}")
    return value


OPIOIDS = (
    "codeine",
    "fentanyl_buccal",
    "fentanyl_patch",
    "hydrocodone",
    "hydromorphone",
    "methadone",
    "morphine",
    "oxycodone",
    "oxymorphone",
    "tapentadol",
    "tramadol",
    "buprenorphine",
)
_UNIT = {"fentanyl_buccal": ("dose_ug", "µg"), "fentanyl_patch": ("dose_ug", "µg/h")}


def _opioid_inputs() -> list[Input]:
    out = [
        Input(
            "conversion",
            "Conversion table",
            "choice",
            choices=("cdc2022", "cdc2016"),
            default="cdc2022",
            aliases={"2022": "cdc2022", "2016": "cdc2016"},
        )
    ]
    for drug in OPIOIDS:
        kind, unit = _UNIT.get(drug, ("dose_mg", "mg"))
        out.append(
            Input(f"{drug}_dose", f"{drug.replace('_', ' ')} dose", kind, unit, 0, 100000, optional=True)
        )
        out.append(
            Input(
                f"{drug}_doses_per_day",
                f"{drug.replace('_', ' ')} doses per day",
                "number",
                "/day",
                0,
                48,
                optional=True,
            )
        )
    return out


@calculator("mme", "Morphine milligram equivalents per day", "MME/day", _opioid_inputs())
def mme(x: dict[str, Any], t: Trace) -> float:
    table = tables()["mme_factors" if x["conversion"] == "cdc2022" else "mme_factors_2016"]
    factors = table["factors"]
    t.add(f"conversion factors: {table['source']}")
    total, used = 0.0, 0
    for drug in OPIOIDS:
        dose, per_day = x[f"{drug}_dose"], x[f"{drug}_doses_per_day"]
        if dose is None and per_day is None:
            continue
        if dose is None or per_day is None:
            raise InvalidInput(f"{drug}_dose: give both the dose and the doses per day for {drug}")
        used += 1
        factor = factors.get(drug)
        if factor is None:  # methadone in the 2016 table: the factor rises with the daily dose
            factor = next(f for upper, f in table["methadone_tiers"] if dose * per_day <= upper)
        daily = dose * per_day * factor
        total += daily
        t.add(f"{drug}: {dose:g} × {per_day:g}/day × factor {factor} = {daily:.5g} MME/day")
    if not used:
        raise InvalidInput("mme: give at least one opioid dose with its doses per day")
    t.add(f"total = {total:.5g} MME/day")
    return total
