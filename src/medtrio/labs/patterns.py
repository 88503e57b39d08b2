"""Patterns across results: each is a rule with its source; none is a diagnosis.

- iron-deficiency anaemia pattern: low haemoglobin with small/pale cells and low ferritin (WHO 2011, 2020);
- KDIGO CKD G (eGFR, CKD-EPI 2021 from creatinine, age and sex when not printed) and A (urine ACR) stages;
- ADA diabetes / prediabetes thresholds for HbA1c, fasting, 2-h and random glucose;
- ATP III lipid categories (LDL, triglycerides, HDL);
- liver injury pattern by the R ratio (ALT/ULN) / (ALP/ULN) (ACG 2017);
- thyroid: TSH with free T4.
Values needing confirmation are not used: a pattern built on a doubtful number could be wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from medtrio.labs.normalize import Result


@dataclass(frozen=True)
class Pattern:
    key: str
    title: str
    statement: str
    uses: tuple[str, ...]  # result keys it rests on
    sources: tuple[str, ...]
    severity: str = "info"  # info, attention, urgent


def ckd_epi_2021(creatinine_mg_dl: float, age: float, sex: str) -> float:
    """eGFR (mL/min/1.73 m2), CKD-EPI 2021 creatinine equation without race (Inker et al. NEJM 2021)."""
    female = sex.upper().startswith("F")
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine_mg_dl / kappa
    egfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938**age
    return egfr * 1.012 if female else egfr


def kdigo_g(egfr: float) -> str:
    for limit, stage in ((90, "G1"), (60, "G2"), (45, "G3a"), (30, "G3b"), (15, "G4")):
        if egfr >= limit:
            return stage
    return "G5"


def kdigo_a(acr_mg_g: float) -> str:
    return "A1" if acr_mg_g < 30 else ("A2" if acr_mg_g <= 300 else "A3")


def find_patterns(results: list[Result], sex: str | None, age: float | None) -> list[Pattern]:
    """All patterns supported by trustworthy (unconfirmed-free) results."""
    v = {r.key: r for r in results if r.key and r.catalog_value is not None and not r.needs_confirmation}
    val = {k: r.catalog_value for k, r in v.items()}
    out: list[Pattern] = []

    hb = v.get("hgb")
    if hb and hb.flag == "L":
        small = any(v.get(k) and v[k].flag == "L" for k in ("mcv", "mch"))
        fer = v.get("ferritin")
        if small and fer and (fer.flag == "L" or (val["ferritin"] or 99) < 15):
            out.append(
                Pattern(
                    "iron_deficiency_anaemia",
                    "Iron-deficiency anaemia pattern",
                    "Low haemoglobin with small, pale red cells and low ferritin fit iron-deficiency "
                    "anaemia; "
                    "the cause of iron loss should be looked for.",
                    ("hgb", "mcv", "mch", "ferritin"),
                    ("who2011hb", "who2020ferritin"),
                    "attention",
                )
            )
        elif small:
            out.append(
                Pattern(
                    "microcytic_anaemia",
                    "Anaemia with small red cells",
                    "Low haemoglobin with small red cells: iron deficiency is the most common cause; "
                    "ferritin would confirm it (thalassaemia trait is another cause).",
                    ("hgb", "mcv", "mch"),
                    ("who2011hb",),
                    "attention",
                )
            )

    egfr = val.get("egfr")
    uses_egfr: tuple[str, ...] = ("egfr",)
    if egfr is None and "creatinine" in val and sex and age is not None and age >= 18:
        egfr = ckd_epi_2021(val["creatinine"], age, sex)  # type: ignore[arg-type]
        uses_egfr = ("creatinine",)
    acr = val.get("uacr")
    if egfr is not None and (egfr < 60 or (acr is not None and acr >= 30)):
        g = kdigo_g(egfr)
        a = f", {kdigo_a(acr)}" if acr is not None else ""
        out.append(
            Pattern(
                "kdigo",
                f"Kidney function: KDIGO {g}{a}",
                f"eGFR {egfr:.0f} mL/min/1.73 m2 (CKD-EPI 2021) is stage {g}{a}. Chronic kidney disease "
                "needs the finding to persist for more than 3 months.",
                uses_egfr + (("uacr",) if acr is not None else ()),
                ("kdigo2012", "ckdepi2021"),
                "attention" if egfr >= 30 else "urgent",
            )
        )
    elif egfr is not None and uses_egfr == ("creatinine",):
        out.append(
            Pattern(
                "egfr",
                f"eGFR {egfr:.0f} mL/min/1.73 m2 (CKD-EPI 2021)",
                f"Estimated kidney filtering from creatinine, age and sex: {egfr:.0f}, "
                f"stage {kdigo_g(egfr)}.",
                uses_egfr,
                ("ckdepi2021", "kdigo2012"),
            )
        )

    dm = []
    if "hba1c" in val:
        a1c = val["hba1c"] or 0
        if a1c >= 6.5:
            dm.append(("diabetes", f"HbA1c {a1c:g}% is in the diabetes range (6.5% or more)", ("hba1c",)))
        elif a1c >= 5.7:
            dm.append(("prediabetes", f"HbA1c {a1c:g}% is in the prediabetes range (5.7-6.4%)", ("hba1c",)))
    for key, dia, pre, label in (
        ("glucose_fasting", 126, 100, "fasting glucose"),
        ("glucose_ogtt2h", 200, 140, "2-hour OGTT glucose"),
    ):
        if key in val:
            g = val[key] or 0
            if g >= dia:
                dm.append(
                    ("diabetes", f"{label} {g:.0f} mg/dL is in the diabetes range ({dia} or more)", (key,))
                )
            elif g >= pre:
                dm.append(("prediabetes", f"{label} {g:.0f} mg/dL is in the prediabetes range", (key,)))
    if "glucose" in val and (val["glucose"] or 0) >= 200:
        dm.append(
            (
                "diabetes",
                f"random glucose {val['glucose']:.0f} mg/dL is 200 or more (diabetes if with symptoms)",
                ("glucose",),
            )
        )
    if dm:
        worst = "diabetes" if any(d[0] == "diabetes" for d in dm) else "prediabetes"
        out.append(
            Pattern(
                f"ada_{worst}",
                f"Blood sugar: {worst} range (ADA)",
                "; ".join(d[1] for d in dm)
                + ". A diagnosis needs confirmation by a repeat test unless symptoms are clear.",
                tuple(k for d in dm for k in d[2]),
                ("ada2024",),
                "attention",
            )
        )

    lip = []
    if "ldl_calc" in val or "ldl_direct" in val:
        ldl = val.get("ldl_calc", val.get("ldl_direct")) or 0
        cat = (
            "optimal"
            if ldl < 100
            else "near optimal"
            if ldl < 130
            else "borderline high"
            if ldl < 160
            else "high"
            if ldl < 190
            else "very high"
        )
        lip.append((f"LDL {ldl:.0f} mg/dL is {cat}", "ldl_calc" if "ldl_calc" in val else "ldl_direct"))
    if "tg" in val:
        tg = val["tg"] or 0
        cat = "normal" if tg < 150 else "borderline high" if tg < 200 else "high" if tg < 500 else "very high"
        lip.append((f"triglycerides {tg:.0f} mg/dL are {cat}", "tg"))
    if "hdl" in val and (val["hdl"] or 99) < 40:
        lip.append((f"HDL {val['hdl']:.0f} mg/dL is low (below 40)", "hdl"))
    if lip:
        out.append(
            Pattern(
                "atp3_lipids",
                "Cholesterol categories (ATP III)",
                "; ".join(x[0] for x in lip) + ".",
                tuple(x[1] for x in lip),
                ("atp3",),
            )
        )

    alt, alp = v.get("alt"), v.get("alp")
    if alt and alp and (alt.flag == "H" or alp.flag == "H"):
        uln_alt = _upper(alt)
        uln_alp = _upper(alp)
        if uln_alt and uln_alp:
            r = (val["alt"] / uln_alt) / (val["alp"] / uln_alp)  # type: ignore[operator]
            kind = "hepatocellular" if r >= 5 else ("cholestatic" if r <= 2 else "mixed")
            out.append(
                Pattern(
                    "liver_r_ratio",
                    f"Liver test pattern: {kind}",
                    f"R ratio {r:.1f} (ALT and ALP as multiples of their upper limits): {kind} pattern.",
                    ("alt", "alp"),
                    ("r_ratio",),
                    "attention",
                )
            )

    tsh, ft4 = v.get("tsh"), v.get("ft4")
    if tsh and tsh.flag in ("H", "L"):
        if ft4 and ft4.flag in ("H", "L", "N"):
            kind = {
                ("H", "L"): "primary hypothyroidism",
                ("H", "N"): "subclinical hypothyroidism",
                ("L", "H"): "hyperthyroidism",
                ("L", "N"): "subclinical hyperthyroidism",
            }.get((tsh.flag, ft4.flag))
            if kind:
                out.append(
                    Pattern(
                        "thyroid",
                        f"Thyroid pattern: {kind}",
                        f"TSH {'high' if tsh.flag == 'H' else 'low'} with free T4 "
                        f"{ {'H': 'high', 'L': 'low', 'N': 'normal'}[ft4.flag] } fits {kind}.",
                        ("tsh", "ft4"),
                        tuple(dict.fromkeys(tsh.sources + ft4.sources)),
                        "attention",
                    )
                )
    return out


def _upper(r: Result) -> float | None:
    """Upper reference limit in catalog units (the printed one when it was used)."""
    if r.range and "-" in r.range:
        try:
            hi = float(r.range.replace("~", "-").split("-")[-1])
        except ValueError:
            return None
        if r.range_source == "printed" and r.number and r.catalog_value:
            return hi * (r.catalog_value / r.number)
        return hi
    return None


def rcv_significant(previous: float, current: float, rcv_pct: float) -> bool:
    """True when the change exceeds the reference change value (both in the same unit)."""
    if previous == 0 or math.isnan(previous):
        return current != previous
    return abs(current - previous) / abs(previous) * 100 > rcv_pct
