"""Plain-language patient summary (English or Simplified Chinese), concise clinician summary, urgency and
"questions to ask your doctor". Wording is ours; each sentence is built from a flagged result or a
pattern that carries its rule and sources. Nothing here states a diagnosis as certain.
"""

from __future__ import annotations

from typing import Any

from medtrio.labs.catalog import Catalog, load_catalog
from medtrio.labs.normalize import Result
from medtrio.labs.patterns import Pattern

URGENCY = {
    "critical": (
        "A result is at a critical level: contact a doctor or emergency service now.",
        "有结果达到危急值：请立即联系医生或急诊。",
    ),
    "soon": (
        "Some results are outside the reference range: discuss them with your doctor soon.",
        "部分结果超出参考范围：请尽快与医生讨论。",
    ),
    "routine": (
        "Results are within range or only slightly outside: discuss at your next routine visit.",
        "结果在参考范围内或仅轻度异常：可在下次常规就诊时讨论。",
    ),
    "confirm": (
        "Some values could not be read with certainty: please confirm them before relying on this.",
        "部分数值无法确定：请先核对这些数值。",
    ),
}


_SOURCE_WORDS = {
    "printed": "the lab's own range",
    "catalog": "Medtrio's reference catalog",
    "none": "no range known",
}


def urgency_of(results: list[Result], patterns: list[Pattern], lang: str) -> tuple[str, str]:
    """critical > soon > confirm > routine. A critical value escalates even when it needs confirmation."""
    zh = lang == "zh"
    crit = [r for r in results if r.critical]
    if crit:
        level = "critical"
        text = URGENCY[level][zh]
        if any(r.needs_confirmation for r in crit):
            text += (
                " (确认数值后仍请立即联系医生。)"
                if zh
                else " (Please also confirm the value, but do not wait to call.)"
            )
        return level, text
    abnormal = [r for r in results if r.flag in ("H", "L", "A") and not r.needs_confirmation]
    if (
        any(p.severity == "urgent" for p in patterns)
        or len(abnormal) >= 1
        and any(p.severity != "info" for p in patterns)
    ):
        return "soon", URGENCY["soon"][zh]
    if any(r.needs_confirmation for r in results):
        return "confirm", URGENCY["confirm"][zh]
    if abnormal:
        return "soon", URGENCY["soon"][zh]
    return "routine", URGENCY["routine"][zh]


def _fmt(r: Result) -> str:
    unit = f" {r.unit}" if r.unit else ""
    rng = f" (range {r.range}, {r.range_source})" if r.range else ""
    return f"{r.name} {r.value}{unit}{rng}"


def patient_summary(
    results: list[Result],
    patterns: list[Pattern],
    trends: list[dict[str, Any]],
    level: str,
    lang: str,
    catalog: Catalog,
) -> str:
    """A few short paragraphs for the patient."""
    zh = lang == "zh"
    high = [r for r in results if r.flag == "H" and not r.needs_confirmation]
    low = [r for r in results if r.flag == "L" and not r.needs_confirmation]
    abn = [r for r in results if r.flag == "A" and not r.needs_confirmation]
    unsure = [r for r in results if r.needs_confirmation]

    def name(r: Result) -> str:
        return catalog.by_key[r.key].name(lang) if r.key else r.name

    parts: list[str] = []
    n = len(results)
    if zh:
        parts.append(f"共读取 {n} 项结果：{len(high)} 项偏高，{len(low)} 项偏低，{len(abn)} 项异常定性结果。")
        for r in [r for r in results if r.critical]:
            parts.append(f"危急：{name(r)} {r.value} {r.unit or ''}，请立即联系医生。")
        for r in high + low:
            parts.append(
                f"{name(r)} {'偏高' if r.flag == 'H' else '偏低'}"
                f"（{r.value} {r.unit or ''}，参考 {r.range or '—'}）。{r.meaning}"
            )
        for r in abn:
            parts.append(f"{name(r)}：{r.value}（异常）。{r.meaning}")
        for p in patterns:
            parts.append(
                f"提示【{p.title_for('zh')}】{p.statement_for('zh')}（依据：{', '.join(p.sources)}；非诊断）"
            )
        if unsure:
            parts.append(f"有 {len(unsure)} 项数值需要您核对：" + "、".join(name(r) for r in unsure) + "。")
        if not (high or low or abn):
            parts.append("已读取的结果均在参考范围内。")
        parts.append("以上解释仅供参考，不能替代医生的诊断。")
        return "\n".join(parts)
    parts.append(f"{n} results read: {len(high)} high, {len(low)} low, {len(abn)} abnormal qualitative.")
    for r in [r for r in results if r.critical]:
        parts.append(f"CRITICAL: {name(r)} {r.value} {r.unit or ''} - contact a doctor now.")
    for r in high + low:
        parts.append(
            f"{name(r)} is {'high' if r.flag == 'H' else 'low'} ({r.value} {r.unit or ''}; "
            f"range {r.range or '-'}, {_SOURCE_WORDS.get(r.range_source, '')}). {r.meaning}"
        )
    for r in abn:
        parts.append(f"{name(r)}: {r.value}. {r.meaning}")
    for p in patterns:
        parts.append(
            f"Pattern - {p.title_for('en')}: {p.statement_for('en')} [sources: {', '.join(p.sources)}]"
        )
    for t in trends:
        if t.get("significant"):
            parts.append(
                f"{t['name']} changed from {t['previous']:g} to {t['current']:g} {t['unit']}, more than "
                f"the usual day-to-day variation ({t['rcv_pct']:g}%)."
            )
    if unsure:
        parts.append(
            f"{len(unsure)} value(s) need your confirmation before they are used: "
            + ", ".join(name(r) for r in unsure)
            + "."
        )
    if not (high or low or abn):
        parts.append("All results that could be read are within their reference ranges.")
    parts.append("This explanation supports, and does not replace, your doctor's assessment.")
    return "\n".join(parts)


def clinician_summary(results: list[Result], patterns: list[Pattern], trends: list[dict[str, Any]]) -> str:
    """One line of flags, one of patterns, one of significant changes, one of values to confirm."""
    flagged = [
        f"{'!!' if r.critical else ''}{_fmt(r)} {r.flag}" for r in results if r.flag in ("H", "L", "A")
    ]
    lines = ["Abnormal: " + ("; ".join(flagged) if flagged else "none")]
    if patterns:
        lines.append(
            "Patterns: " + "; ".join(f"{p.title_for('en')} [{', '.join(p.sources)}]" for p in patterns)
        )
    sig = [
        f"{t['name']} {t['previous']:g}->{t['current']:g} ({t['change_pct']}%)"
        for t in trends
        if t.get("significant")
    ]
    if sig:
        lines.append("Significant change (> RCV): " + "; ".join(sig))
    unsure = [f"{r.name} ({r.reason})" for r in results if r.needs_confirmation]
    if unsure:
        lines.append("To confirm: " + "; ".join(unsure))
    return "\n".join(lines)


def questions(results: list[Result], patterns: list[Pattern], lang: str) -> list[str]:
    """Questions the patient may ask, from the abnormal results and patterns."""
    zh = lang == "zh"
    out = []
    for p in patterns:
        out.append(
            f"“{p.title_for('zh')}”对我意味着什么？需要复查或进一步检查吗？"
            if zh
            else f"What does '{p.title_for('en')}' mean for me, and do I need more tests?"
        )
    catalog = load_catalog()
    for r in [r for r in results if r.flag in ("H", "L", "A") and not r.needs_confirmation][:5]:
        zh_name = catalog.by_key[r.key].zh if r.key in catalog.by_key else r.name  # an English report too
        out.append(
            f"我的{zh_name}异常的可能原因是什么？什么时候复查？"
            if zh
            else f"What could explain my {r.name} result, and when should it be repeated?"
        )
    if not out:
        out.append(
            "这些结果需要定期复查吗？" if zh else "Do any of these tests need to be repeated, and when?"
        )
    return out
