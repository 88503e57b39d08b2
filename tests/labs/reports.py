"""Deterministic test lab reports: 10 reports (5 English, 5 Simplified Chinese), each rendered as a text PDF,
a clean image and a degraded phone photo (blur, 1-3 degree rotation, perspective, JPEG quality 50), with a
ground-truth JSON file. Values are drawn from a seeded RNG around each analyte's interval, and derived
results (red-cell indices, absolute counts, globulin, indirect bilirubin, Friedewald LDL) are computed
from their inputs so the reports are internally consistent, like a real analyser's.

    python -m tests.labs.reports OUTDIR      # writes report_XX.{pdf,png,jpg,json}

Nothing here is copied from real patients or from ../shared.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

EN_FONT = Path(__import__("reportlab").__file__).parent / "fonts" / "Vera.ttf"
CJK_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def cjk_font() -> Path | None:
    return next((Path(p) for p in CJK_CANDIDATES if Path(p).exists()), None)


@dataclass(frozen=True)
class Row:
    key: str  # catalog key (ground truth analyte)
    name: str  # printed name
    value: str  # printed value
    unit: str
    range: str
    flag: str  # printed flag ("" when none)


@dataclass(frozen=True)
class Report:
    id: str
    lang: str
    title: str
    sex: str
    age: int
    date: str
    sections: tuple[tuple[str, tuple[Row, ...]], ...]

    @property
    def rows(self) -> list[Row]:
        return [r for _, rows in self.sections for r in rows]


def _fmt(x: float, d: int) -> str:
    return f"{x:.{d}f}"


def _flag(v: float, lo: float | None, hi: float | None, zh: bool) -> str:
    if lo is not None and v < lo:
        return "↓" if zh else "L"
    if hi is not None and v > hi:
        return "↑" if zh else "H"
    return ""


class _Gen:
    def __init__(self, seed: int, zh: bool) -> None:
        self.rng = random.Random(seed)
        self.zh = zh

    def num(
        self,
        key: str,
        name: str,
        unit: str,
        lo: float | None,
        hi: float | None,
        d: int,
        value: float | None = None,
        spread: float = 0.35,
        rng_text: str | None = None,
    ) -> Row:
        if value is None:
            a = lo if lo is not None else 0.0
            b = hi if hi is not None else a * 2 + 1
            width = b - a
            value = self.rng.uniform(a - spread * width, b + spread * width)
            value = max(value, 10**-d)
        v = round(value, d)
        sep = "～" if self.zh and self.rng.random() < 0.5 else "-"
        if rng_text is None:
            rng_text = (
                f"{_fmt(lo, d)}{sep}{_fmt(hi, d)}"
                if lo is not None and hi is not None
                else (f"<{_fmt(hi, d)}" if hi is not None else f">={_fmt(lo, d)}")
            )  # type: ignore[arg-type]
        return Row(key, name, _fmt(v, d), unit, rng_text, _flag(v, lo, hi, self.zh))

    def qual(self, key: str, name: str, positive: bool, pos_word: str, unit: str = "") -> Row:
        neg = "阴性" if self.zh else "Negative"
        return Row(
            key, name, pos_word if positive else neg, unit, neg, ("↑" if self.zh else "H") if positive else ""
        )


def _cbc(g: _Gen, zh: bool) -> list[Row]:
    r = g.rng
    wbc = round(r.uniform(2.5, 14.0), 2)
    rbc = round(r.uniform(3.4, 5.8), 2)
    hgb = round(r.uniform(8.5, 16.5), 1)  # g/dL
    hct = round(hgb * r.uniform(2.85, 3.15), 1)
    pct = [r.uniform(40, 75), r.uniform(15, 45), r.uniform(3, 10), r.uniform(0.5, 6), r.uniform(0.1, 1.2)]
    s = sum(pct)
    pct = [round(p / s * 100, 1) for p in pct]
    pct[0] = round(100 - sum(pct[1:]), 1)
    mcv, mch, mchc = hct / rbc * 10, hgb / rbc * 10, hgb / hct * 100
    if zh:
        return [
            g.num("wbc", "白细胞计数 WBC", "10^9/L", 3.5, 9.5, 2, wbc),
            g.num("rbc", "红细胞计数 RBC", "10^12/L", 3.8, 5.1, 2, rbc),
            g.num("hgb", "血红蛋白 HGB", "g/L", 115, 150, 0, hgb * 10),
            g.num("hct", "红细胞压积 HCT", "%", 35, 45, 1, hct),
            g.num("mcv", "平均红细胞体积 MCV", "fL", 82, 100, 1, mcv),
            g.num("mch", "平均红细胞血红蛋白含量 MCH", "pg", 27, 34, 1, mch),
            g.num("mchc", "平均红细胞血红蛋白浓度 MCHC", "g/L", 316, 354, 0, mchc * 10),
            g.num("plt", "血小板计数 PLT", "10^9/L", 125, 350, 0, r.uniform(60, 480)),
            g.num("neut_pct", "中性粒细胞百分比 NEUT%", "%", 40, 75, 1, pct[0]),
            g.num("lymph_pct", "淋巴细胞百分比 LYMPH%", "%", 20, 50, 1, pct[1]),
            g.num("mono_pct", "单核细胞百分比 MONO%", "%", 3, 10, 1, pct[2]),
            g.num("eos_pct", "嗜酸性粒细胞百分比 EOS%", "%", 0.4, 8.0, 1, pct[3]),
            g.num("baso_pct", "嗜碱性粒细胞百分比 BASO%", "%", 0, 1, 1, pct[4]),
            g.num("neut_abs", "中性粒细胞绝对值 NEUT#", "10^9/L", 1.8, 6.3, 2, pct[0] * wbc / 100),
            g.num("lymph_abs", "淋巴细胞绝对值 LYMPH#", "10^9/L", 1.1, 3.2, 2, pct[1] * wbc / 100),
            g.num("mono_abs", "单核细胞绝对值 MONO#", "10^9/L", 0.1, 0.6, 2, pct[2] * wbc / 100),
            g.num("rdw", "红细胞分布宽度 RDW-CV", "%", 11.0, 16.0, 1),
            g.num("mpv", "平均血小板体积 MPV", "fL", 7.4, 11.0, 1),
        ]
    return [
        g.num("wbc", "WBC", "K/uL", 4.0, 10.0, 2, wbc),
        g.num("rbc", "RBC", "M/uL", 3.9, 5.2, 2, rbc),
        g.num("hgb", "Hemoglobin", "g/dL", 12.0, 15.5, 1, hgb),
        g.num("hct", "Hematocrit", "%", 36.0, 46.0, 1, hct),
        g.num("mcv", "MCV", "fL", 82.0, 98.0, 1, mcv),
        g.num("mch", "MCH", "pg", 27.0, 32.0, 1, mch),
        g.num("mchc", "MCHC", "g/dL", 32.0, 36.0, 1, mchc),
        g.num("rdw", "RDW", "%", 11.5, 14.5, 1),
        g.num("plt", "Platelets", "K/uL", 150, 400, 0, r.uniform(60, 480)),
        g.num("neut_pct", "Neutrophils %", "%", 40.0, 75.0, 1, pct[0]),
        g.num("lymph_pct", "Lymphocytes %", "%", 20.0, 45.0, 1, pct[1]),
        g.num("mono_pct", "Monocytes %", "%", 2.0, 10.0, 1, pct[2]),
        g.num("eos_pct", "Eosinophils %", "%", 1.0, 6.0, 1, pct[3]),
        g.num("baso_pct", "Basophils %", "%", 0.0, 1.0, 1, pct[4]),
        g.num("neut_abs", "Neutrophils, Absolute", "K/uL", 1.8, 7.0, 2, pct[0] * wbc / 100),
        g.num("lymph_abs", "Lymphocytes, Absolute", "K/uL", 1.0, 3.2, 2, pct[1] * wbc / 100),
        g.num("mpv", "MPV", "fL", 7.5, 11.5, 1),
    ]


def _chem(g: _Gen, zh: bool) -> list[Row]:
    r = g.rng
    tp, alb = round(r.uniform(5.8, 8.4), 1), round(r.uniform(2.8, 5.0), 1)
    tbil = round(r.uniform(0.3, 3.0), 1)
    dbil = round(tbil * r.uniform(0.15, 0.45), 1)
    if zh:
        tbil_u, dbil_u = round(tbil * 17.1, 1), round(dbil * 17.1, 1)
        return [
            g.num("alt", "丙氨酸氨基转移酶 ALT", "U/L", 7, 40, 0, r.uniform(8, 160)),
            g.num("ast", "天门冬氨酸氨基转移酶 AST", "U/L", 13, 35, 0, r.uniform(10, 120)),
            g.num("ggt", "γ-谷氨酰转移酶 GGT", "U/L", 7, 45, 0),
            g.num("alp", "碱性磷酸酶 ALP", "U/L", 35, 100, 0),
            g.num("tbil", "总胆红素 TBIL", "μmol/L", 0, 21, 1, tbil_u),
            g.num("dbil", "直接胆红素 DBIL", "μmol/L", 0, 6.8, 1, dbil_u),
            g.num("ibil", "间接胆红素 IBIL", "μmol/L", 0, 14.2, 1, tbil_u - dbil_u),
            g.num("total_protein", "总蛋白 TP", "g/L", 65, 85, 1, tp * 10),
            g.num("albumin", "白蛋白 ALB", "g/L", 40, 55, 1, alb * 10),
            g.num("globulin", "球蛋白 GLB", "g/L", 20, 40, 1, (tp - alb) * 10),
            g.num("bun", "尿素 UREA", "mmol/L", 2.6, 7.5, 2),
            g.num("creatinine", "肌酐 CREA", "μmol/L", 41, 81, 0, r.uniform(40, 180)),
            g.num("uric_acid", "尿酸 UA", "μmol/L", 155, 357, 0),
            g.num("glucose_fasting", "空腹血糖 GLU", "mmol/L", 3.9, 6.1, 2, r.uniform(4.0, 9.5)),
            g.num("hba1c", "糖化血红蛋白 HbA1c", "%", 4.0, 6.0, 1, r.uniform(4.8, 8.5)),
        ]
    na, cl, hco3 = round(r.uniform(128, 148)), round(r.uniform(95, 110)), round(r.uniform(18, 30))
    return [
        g.num("sodium", "Sodium", "mmol/L", 136, 145, 0, na),
        g.num("potassium", "Potassium", "mmol/L", 3.5, 5.1, 1, r.uniform(2.9, 6.0)),
        g.num("chloride", "Chloride", "mmol/L", 98, 107, 0, cl),
        g.num("bicarb", "Carbon Dioxide (CO2)", "mmol/L", 22, 29, 0, hco3),
        g.num("anion_gap", "Anion Gap", "mmol/L", 8, 16, 0, na - cl - hco3),
        g.num("bun", "BUN", "mg/dL", 7, 20, 0),
        g.num("creatinine", "Creatinine", "mg/dL", 0.57, 1.00, 2, r.uniform(0.5, 2.2)),
        g.num("glucose", "Glucose", "mg/dL", 70, 99, 0, r.uniform(65, 260)),
        g.num("calcium", "Calcium", "mg/dL", 8.6, 10.3, 1),
        g.num("total_protein", "Protein, Total", "g/dL", 6.0, 8.5, 1, tp),
        g.num("albumin", "Albumin", "g/dL", 3.5, 5.5, 1, alb),
        g.num("globulin", "Globulin", "g/dL", 1.5, 4.5, 1, tp - alb),
        g.num("tbil", "Bilirubin, Total", "mg/dL", 0.0, 1.2, 1, tbil),
        g.num("alp", "Alkaline Phosphatase", "IU/L", 44, 121, 0),
        g.num("ast", "AST (SGOT)", "IU/L", 0, 40, 0, r.uniform(12, 110)),
        g.num("alt", "ALT (SGPT)", "IU/L", 0, 32, 0, r.uniform(8, 140)),
        g.num("ggt", "GGT", "IU/L", 0, 60, 0),
    ]


def _metabolic(g: _Gen, zh: bool) -> list[Row]:
    r = g.rng
    tc, hdl, tg = r.uniform(140, 290), r.uniform(30, 80), r.uniform(60, 400)
    if zh:
        tcm, hdlm, tgm = round(tc / 38.67, 2), round(hdl / 38.67, 2), round(tg / 88.57, 2)
        ldlm = tcm - hdlm - tgm * 88.57 / 5 / 38.67
        return [
            g.num("chol_total", "总胆固醇 TC", "mmol/L", 0, 5.2, 2, tcm, rng_text="<5.20"),
            g.num("tg", "甘油三酯 TG", "mmol/L", 0, 1.7, 2, tgm, rng_text="<1.70"),
            g.num("hdl", "高密度脂蛋白胆固醇 HDL-C", "mmol/L", 1.04, None, 2, hdlm, rng_text=">1.04"),
            g.num("ldl_calc", "低密度脂蛋白胆固醇 LDL-C", "mmol/L", 0, 3.4, 2, ldlm, rng_text="<3.40"),
            g.num("potassium", "钾 K", "mmol/L", 3.5, 5.3, 2, r.uniform(3.0, 5.8)),
            g.num("sodium", "钠 Na", "mmol/L", 137, 147, 1),
            g.num("chloride", "氯 Cl", "mmol/L", 99, 110, 1),
            g.num("calcium", "钙 Ca", "mmol/L", 2.11, 2.52, 2),
            g.num("magnesium", "镁 Mg", "mmol/L", 0.75, 1.02, 2),
            g.num("phosphate", "磷 P", "mmol/L", 0.85, 1.51, 2),
            g.num("tsh", "促甲状腺激素 TSH", "mIU/L", 0.27, 4.2, 3, r.uniform(0.05, 9.0)),
            g.num("ft3", "游离三碘甲状腺原氨酸 FT3", "pmol/L", 3.1, 6.8, 2),
            g.num("ft4", "游离甲状腺素 FT4", "pmol/L", 12.0, 22.0, 2),
            g.num("ferritin", "铁蛋白 FER", "ng/mL", 13, 150, 1, r.uniform(5, 300)),
        ]
    ldl = tc - hdl - tg / 5
    return [
        g.num("chol_total", "Cholesterol, Total", "mg/dL", 100, 199, 0, tc, rng_text="<200"),
        g.num("tg", "Triglycerides", "mg/dL", 0, 149, 0, tg, rng_text="<150"),
        g.num("hdl", "HDL Cholesterol", "mg/dL", 40, None, 0, hdl, rng_text=">=40"),
        g.num("ldl_calc", "LDL Cholesterol, Calculated", "mg/dL", 0, 99, 0, ldl, rng_text="<100"),
        g.num("hba1c", "Hemoglobin A1c", "%", 4.0, 5.6, 1, r.uniform(4.8, 9.5)),
        g.num("glucose_fasting", "Glucose, Fasting", "mg/dL", 70, 99, 0, r.uniform(72, 180)),
        g.num("tsh", "TSH", "uIU/mL", 0.45, 4.5, 3, r.uniform(0.05, 9.0)),
        g.num("ft4", "Free T4", "ng/dL", 0.82, 1.77, 2),
        g.num("iron", "Iron", "ug/dL", 27, 159, 0),
        g.num("tibc", "TIBC", "ug/dL", 250, 450, 0),
        g.num("ferritin", "Ferritin", "ng/mL", 15, 150, 0, r.uniform(4, 300)),
        g.num("b12", "Vitamin B12", "pg/mL", 232, 1245, 0),
        g.num("folate", "Folate", "ng/mL", 3.0, 20.0, 1),
        g.num("vitd25", "Vitamin D, 25-Hydroxy", "ng/mL", 30.0, 100.0, 1, r.uniform(8, 60)),
    ]


def _urine(g: _Gen, zh: bool) -> list[Row]:
    r = g.rng
    pos = [r.random() < 0.3 for _ in range(8)]
    if zh:
        return [
            Row("u_color", "颜色", "淡黄色", "", "淡黄色", ""),
            Row("u_appear", "透明度", "清", "", "清", ""),
            g.num("u_sg", "比重 SG", "", 1.003, 1.030, 3),
            g.num("u_ph", "酸碱度 pH", "", 4.5, 8.0, 1),
            g.qual("u_protein", "尿蛋白 PRO", pos[0], "1+"),
            g.qual("u_glucose", "尿糖 GLU", pos[1], "2+"),
            g.qual("u_ketone", "酮体 KET", pos[2], "+-"),
            g.qual("u_blood", "隐血 BLD", pos[3], "1+"),
            g.qual("u_nitrite", "亚硝酸盐 NIT", pos[4], "阳性"),
            g.qual("u_le", "白细胞酯酶 LEU", pos[5], "2+"),
            g.qual("u_bili", "胆红素 BIL", pos[6], "1+"),
            g.qual("u_urobili", "尿胆原 URO", False, "1+"),
            g.num("u_rbc", "镜检红细胞", "/HPF", 0, 3, 0, r.choice([0, 1, 2, 5, 12])),
            g.num("u_wbc", "镜检白细胞", "/HPF", 0, 5, 0, r.choice([0, 1, 3, 8, 25])),
        ]
    return [
        Row("u_color", "Color", "Yellow", "", "Yellow", ""),
        Row("u_appear", "Appearance", "Clear", "", "Clear", ""),
        g.num("u_sg", "Specific Gravity", "", 1.005, 1.030, 3),
        g.num("u_ph", "pH", "", 5.0, 8.0, 1),
        g.qual("u_protein", "Protein", pos[0], "1+"),
        g.qual("u_glucose", "Glucose", pos[1], "Trace"),
        g.qual("u_ketone", "Ketones", pos[2], "1+"),
        g.qual("u_blood", "Blood", pos[3], "2+"),
        g.qual("u_nitrite", "Nitrite", pos[4], "Positive"),
        g.qual("u_le", "Leukocyte Esterase", pos[5], "1+"),
        g.qual("u_bili", "Bilirubin", pos[6], "1+"),
        g.num("u_urobili", "Urobilinogen", "mg/dL", 0.2, 1.0, 1, r.choice([0.2, 1.0, 2.0])),
        g.num("u_wbc", "WBC", "/HPF", 0, 5, 0, r.choice([0, 2, 4, 10, 30])),
        g.num("u_rbc", "RBC", "/HPF", 0, 2, 0, r.choice([0, 1, 3, 8])),
        g.num("uacr", "Albumin/Creatinine Ratio", "mg/g", 0, 29, 0, r.uniform(3, 400), rng_text="<30"),
        g.num("u_creat", "Creatinine, Urine", "mg/dL", 20, 320, 0),
    ]


def _coag_cardiac(g: _Gen, zh: bool, sex: str) -> list[Row]:
    r = g.rng
    if zh:
        rows = [
            g.num("pt", "凝血酶原时间 PT", "秒", 9.8, 12.1, 1),
            g.num("inr", "国际标准化比值 INR", "", 0.8, 1.2, 2, r.uniform(0.85, 3.5)),
            g.num("aptt", "活化部分凝血活酶时间 APTT", "秒", 25.0, 31.3, 1),
            g.num("fibrinogen", "纤维蛋白原 FIB", "g/L", 2.0, 4.0, 2),
            g.num("ddimer", "D-二聚体 D-D", "mg/L", 0, 0.55, 2, r.uniform(0.1, 3.0), rng_text="<0.55"),
            g.num(
                "tni",
                "肌钙蛋白I cTnI",
                "ng/mL",
                0,
                0.04,
                3,
                r.choice([0.005, 0.012, 0.35]),
                rng_text="<0.040",
            ),
            g.num(
                "ntprobnp",
                "N末端B型利钠肽原 NT-proBNP",
                "pg/mL",
                0,
                125,
                0,
                r.uniform(20, 900),
                rng_text="<125",
            ),
            g.num("crp", "C反应蛋白 CRP", "mg/L", 0, 10, 1, r.uniform(0.5, 60), rng_text="<10.0"),
            g.num("pct", "降钙素原 PCT", "ng/mL", 0, 0.05, 2, r.uniform(0.02, 2.0), rng_text="<0.05"),
            g.num("esr", "血沉 ESR", "mm/h", 0, 20, 0),
            g.num("afp", "甲胎蛋白 AFP", "ng/mL", 0, 7, 2, r.uniform(1, 15), rng_text="<7.00"),
            g.num("cea", "癌胚抗原 CEA", "ng/mL", 0, 5, 2, r.uniform(0.5, 9), rng_text="<5.00"),
            g.num("ca199", "糖类抗原19-9 CA19-9", "U/mL", 0, 37, 2, r.uniform(2, 60), rng_text="<37.00"),
        ]
        if sex == "F":
            rows.append(
                g.num("ca125", "糖类抗原125 CA125", "U/mL", 0, 35, 2, r.uniform(3, 70), rng_text="<35.00")
            )
        return rows
    rows = [
        g.num("pt", "Prothrombin Time", "sec", 9.4, 12.5, 1),
        g.num("inr", "INR", "", 0.9, 1.1, 2, r.uniform(0.9, 3.6)),
        g.num("aptt", "aPTT", "sec", 25.0, 36.5, 1),
        g.num("fibrinogen", "Fibrinogen", "mg/dL", 200, 400, 0),
        g.num("ddimer", "D-Dimer", "ng/mL FEU", 0, 500, 0, r.uniform(100, 2400), rng_text="<500"),
        g.num("tni", "Troponin I", "ng/mL", 0, 0.04, 2, r.choice([0.01, 0.03, 0.52]), rng_text="<0.04"),
        g.num("ntprobnp", "NT-proBNP", "pg/mL", 0, 125, 0, r.uniform(20, 1500), rng_text="<125"),
        g.num("ck", "Creatine Kinase (CK)", "U/L", 30, 200, 0),
        g.num("crp", "C-Reactive Protein", "mg/L", 0, 5.0, 1, r.uniform(0.3, 80), rng_text="<5.0"),
        g.num("esr", "Sed Rate", "mm/hr", 0, 20, 0),
        g.num("cea", "CEA", "ng/mL", 0, 3.0, 1, r.uniform(0.4, 7), rng_text="<3.0"),
        g.num("afp", "AFP", "ng/mL", 0, 8.3, 1, r.uniform(0.5, 14), rng_text="<8.3"),
        g.num("hcg", "hCG, Quantitative", "mIU/mL", 0, 5, 0, r.choice([1, 2, 3]), rng_text="<5"),
    ]
    if sex == "M":
        rows.append(g.num("psa", "PSA, Total", "ng/mL", 0, 4.0, 2, r.uniform(0.3, 7.5), rng_text="<4.00"))
    return rows


SECTION_TITLES = {
    "cbc": ("COMPLETE BLOOD COUNT", "血常规"),
    "chem": ("COMPREHENSIVE METABOLIC PANEL", "肝功能 肾功能"),
    "metabolic": ("LIPIDS, DIABETES, THYROID, IRON", "血脂 电解质 甲状腺"),
    "urine": ("URINALYSIS", "尿常规"),
    "coag": ("COAGULATION, CARDIAC, TUMOR MARKERS", "凝血 心肌 肿瘤标志物"),
}


def build_reports() -> list[Report]:
    """The 10 reports, always the same."""
    out = []
    kinds = ("cbc", "chem", "metabolic", "urine", "coag")
    for i in range(10):
        zh = i >= 5
        kind = kinds[i % 5]
        g = _Gen(1000 + i, zh)
        sex = "F" if i % 2 == 0 else "M"
        age = 30 + (i * 7) % 45
        if kind == "coag":
            rows = _coag_cardiac(g, zh, sex)
        else:
            rows = {"cbc": _cbc, "chem": _chem, "metabolic": _metabolic, "urine": _urine}[kind](g, zh)
        title = SECTION_TITLES[kind][1 if zh else 0]
        out.append(
            Report(
                f"report_{i:02d}",
                "zh" if zh else "en",
                title,
                sex,
                age,
                f"2024-0{1 + i % 9}-1{i % 10}",
                ((title, tuple(rows)),),
            )
        )
    return out


# ---- rendering -------------------------------------------------------------------------------------------

COLS_EN = (("Test", 60), ("Result", 300), ("Flag", 380), ("Units", 420), ("Reference Interval", 500))
COLS_ZH = (("项目", 50), ("结果", 330), ("提示", 410), ("单位", 450), ("参考区间", 530))


def _header_lines(rep: Report) -> list[str]:
    if rep.lang == "zh":
        return [
            "市第一人民医院检验报告单",
            f"姓名：测试患者{rep.id[-2:]}   性别：{'女' if rep.sex == 'F' else '男'}   年龄：{rep.age}岁",
            f"采样时间：{rep.date} 08:30   标本：{'尿液' if rep.rows[0].key.startswith('u_') else '血液'}",
        ]
    return [
        "RIVERSIDE CLINICAL LABORATORY - FINAL REPORT",
        f"Patient: Test Patient {rep.id[-2:]}   Sex: {rep.sex}   Age: {rep.age}",
        f"Collected: {rep.date} 08:30",
    ]


def render_pdf(rep: Report, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if rep.lang == "zh":
        cjk = cjk_font()
        if cjk is None:
            raise RuntimeError("no CJK font installed (apt-get install fonts-wqy-zenhei)")
        if "CJK" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("CJK", str(cjk), subfontIndex=0))
        font = "CJK"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    _, height = A4
    y = height - 60
    for i, line in enumerate(_header_lines(rep)):
        c.setFont(font, 13 if i == 0 else 10)
        c.drawString(50, y, line)
        y -= 18
    cols = COLS_ZH if rep.lang == "zh" else COLS_EN
    for title, rows in rep.sections:
        y -= 8
        c.setFont(font, 11)
        c.drawString(50, y, title)
        y -= 18
        c.setFont(font, 9)
        for name, x in cols:
            c.drawString(x, y, name)
        y -= 16
        for r in rows:
            for text, (_, x) in zip((r.name, r.value, r.flag, r.unit, r.range), cols, strict=True):
                c.drawString(x, y, text)
            y -= 15
    c.showPage()
    c.save()


def render_image(rep: Report, scale: float = 2.0) -> Image.Image:
    """The same page as the PDF, drawn at `scale` px per point (2.0 = 144 dpi)."""
    w, h = int(595 * scale), int(842 * scale)
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    path = cjk_font() if rep.lang == "zh" else EN_FONT
    if path is None:
        raise RuntimeError("no CJK font installed (apt-get install fonts-wqy-zenhei)")

    def font(size: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(path), int(size * scale))

    y = 50.0
    for i, line in enumerate(_header_lines(rep)):
        d.text((50 * scale, y * scale), line, fill="black", font=font(13 if i == 0 else 10))
        y += 18
    cols = COLS_ZH if rep.lang == "zh" else COLS_EN
    for title, rows in rep.sections:
        y += 8
        d.text((50 * scale, y * scale), title, fill="black", font=font(11))
        y += 18
        for name, x in cols:
            d.text((x * scale, y * scale), name, fill="black", font=font(9))
        y += 16
        for r in rows:
            for text, (_, x) in zip((r.name, r.value, r.flag, r.unit, r.range), cols, strict=True):
                d.text((x * scale, y * scale), text, fill="black", font=font(9))
            y += 15
    return img


def degrade(img: Image.Image, seed: int) -> Image.Image:
    """A phone photo of the page: perspective, 1-3 degree rotation, blur, uneven light, noise."""
    rng = np.random.default_rng(seed)
    w, h = img.size
    m = 0.03
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [(x + rng.uniform(-m, m) * w, y + rng.uniform(-m, m) * h) for x, y in src]
    coeffs = _perspective_coeffs(dst, src)
    img = img.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=(235, 235, 228)
    )
    angle = float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1]))
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(235, 235, 228))
    img = img.filter(ImageFilter.GaussianBlur(radius=1.1))
    arr = np.asarray(img).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.88 + 0.12 * (xx / w) * (1 - 0.5 * yy / h)  # uneven lighting across the sheet
    arr = arr * light[..., None] + rng.normal(0, 5, arr.shape)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for p in src for c in p], dtype=float)
    return list(np.linalg.solve(a, b))


def write_all(
    out: Path, forms: tuple[str, ...] = ("pdf", "png", "jpg"), only: str | None = None
) -> list[dict]:  # type: ignore[type-arg]
    """Write the reports (all, or only one id) in the given forms with ground truth; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for i, rep in enumerate(build_reports()):
        if (rep.lang == "zh" and cjk_font() is None) or (only and rep.id != only):
            continue
        if "pdf" in forms:
            render_pdf(rep, out / f"{rep.id}.pdf")
        if "png" in forms or "jpg" in forms:
            clean = render_image(rep)
            if "png" in forms:
                clean.save(out / f"{rep.id}.png")
            if "jpg" in forms:
                degrade(clean, 7 + i).save(out / f"{rep.id}.jpg", quality=50)
        truth = {
            "id": rep.id,
            "lang": rep.lang,
            "sex": rep.sex,
            "age": rep.age,
            "date": rep.date,
            "rows": [asdict(r) for r in rep.rows],
        }
        (out / f"{rep.id}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        manifest.append(truth)
    return manifest


if __name__ == "__main__":
    m = write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "labs_fixtures"))
    print(f"{len(m)} reports, {sum(len(t['rows']) for t in m)} results")
