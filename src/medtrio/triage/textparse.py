"""Free-text reader: "describe what is wrong" in English or Chinese -> findings, age, sex, duration.

Findings are found by matching the vocabulary's names and lay synonyms (leftmost, longest phrase
first, so "sore throat" wins over "sore"). A negation cue ("no", "not", "without", "denies", "没有",
"没", "无", "未", "不", "否认") negates every finding after it up to the end of its clause (punctuation,
"but", "however", "但是", ...); cues inside a matched phrase ("can't breathe", "不舒服") and fixed
non-negating compounds ("can't stop", "不停") do not count. Hedged statements ("not sure if ...",
"不确定") give an unknown rather than a "no". Every match is returned with the text it came from, so
the user can confirm what was understood (NegEx: Chapman et al., J Biomed Inform 2001, idea only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from medtrio.triage.knowledge import KnowledgeBase

_EN_CLAUSE = re.compile(
    r"[.;:!?,\n]|\b(?:but|however|although|though|except|apart from|yet|whereas|"
    r"and (?:i|he|she|it|my|his|her|the|there|now|then|has|have|is|am|was|got|also)|"
    r"now i|then i|then he|then she)\b"
)
_EN_NEG = re.compile(
    r"\b(?:no|not|never|without|denies|deny|denied|none|nor|neither|free of|negative for|"
    r"don't|dont|doesn't|doesnt|didn't|didnt|haven't|havent|hasn't|hasnt|isn't|wasn't|"
    r"aren't|can't|cannot|couldn't|won't)\b"
)
_EN_NEG_EXCEPT = re.compile(
    r"\b(?:can't stop|cannot stop|won't stop|couldn't stop|can't get rid|"
    r"not only|no longer able|no better|not better|not improving|not getting better|"
    r"no idea why|not sure why|no relief|not go away|won't go away|doesn't go away|"
    r"not settle|won't settle|not responding)\b"
)
_EN_HEDGE = re.compile(r"\b(?:not sure|unsure|don't know if|dont know if|maybe|might have|possibly)\b")

_ZH_CLAUSE = re.compile(r"[。；;！!？?，,\n]|但是|但|不过|可是|然而|而且现在")
_ZH_NEG = re.compile(
    r"没有|没|无|未|否认|并非|不是|不(?!停|止|断|住|了|好|行|得|舒服|能|出|知道|清楚|确定|太|少|下|到|会|想|动|开|见|来|上|过|去|起)"
)
_ZH_HEDGE = re.compile(r"不确定|不知道是不是|可能|好像|也许|说不准")

_NUM_EN = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "few": 3,
    "couple of": 2,
    "several": 4,
}
_NUM_ZH = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "几": 3,
    "半": 0.5,
}
_UNIT_DAYS = {
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1,
    "night": 1,
    "week": 7,
    "month": 30,
    "year": 365,
    "分钟": 1 / 1440,
    "小时": 1 / 24,
    "天": 1,
    "日": 1,
    "晚": 1,
    "周": 7,
    "星期": 7,
    "礼拜": 7,
    "个月": 30,
    "月": 30,
    "年": 365,
}
_DUR_EN = re.compile(
    r"\b(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|couple of|several)"
    r"\s*(minute|hour|day|night|week|month|year)s?\b"
)
_DUR_ZH = re.compile(
    r"(\d+(?:\.\d+)?|[一两二三四五六七八九十几半]+)\s*(?:个)?(分钟|小时|天|日|晚|周|星期|礼拜|个月|月|年)"
)
_AGE_EN = re.compile(
    r"\b(\d+(?:\.\d+)?)[- ]?(year|yr|month|week|day)s?[- ]old\b|\baged? (\d+)\b|\b(\d+)\s*(?:yo|y/o)\b"
)
_AGE_ZH = re.compile(r"(\d+|[一两二三四五六七八九十]+)\s*(岁|个月大|个月的|周大|天大)")
_TEMP = re.compile(r"(\d{2,3}(?:\.\d)?)\s*(?:°\s*[cf]|degrees?|度|℃|℉)")
_SEVERE_EN = re.compile(
    r"\b(?:severe|excruciating|unbearable|agony|agonising|agonizing|worst|terrible|"
    r"extreme|intense|really bad|very bad|(?:[7-9]|10)\s*(?:/|out of)\s*10)\b"
)
_MILD_EN = re.compile(r"\b(?:mild|slight|slightly|a bit|a little|minor|little)\b")
_SEVERE_ZH = re.compile(r"剧烈|剧痛|很严重|非常严重|特别严重|受不了|厉害|要命")
_MILD_ZH = re.compile(r"轻微|有点|有一点|稍微|一点点|不太严重")
# "body part ... pain word" within a few words (either order) -> that part's pain finding, so wording the
# synonym list does not know ("pain in the middle of my chest", "胸口剧痛") is still read.
_BODY_EN = {
    "chest": "chest_pain",
    "head": "headache",
    "stomach": "abdominal_pain",
    "tummy": "abdominal_pain",
    "belly": "abdominal_pain",
    "abdomen": "abdominal_pain",
    "back": "back_pain",
    "throat": "sore_throat",
    "ear": "ear_pain",
    "ears": "ear_pain",
    "tooth": "tooth_pain",
    "teeth": "tooth_pain",
    "neck": "neck_pain",
    "eye": "eye_pain",
    "eyes": "eye_pain",
    "testicle": "testicular_pain",
    "testicles": "testicular_pain",
    "jaw": "jaw_pain",
    "leg": "limb_pain",
    "legs": "limb_pain",
    "arm": "limb_pain",
    "arms": "limb_pain",
    "knee": "limb_pain",
    "ankle": "limb_pain",
    "wrist": "limb_pain",
    "foot": "limb_pain",
    "feet": "limb_pain",
    "hand": "limb_pain",
    "shoulder": "limb_pain",
    "hip": "limb_pain",
    "breast": "breast_pain",
    "groin": "groin_pain",
    "joints": "joint_pain",
    "face": "facial_pain",
    "sinuses": "facial_pain",
    "pelvis": "lower_abdominal_pain",
}
_BODY_EN_RE = re.compile(
    r"\b(" + "|".join(sorted(_BODY_EN, key=len, reverse=True)) + r")\b(?! (?:from|to|home|up)\b)"
)
_PAIN_EN_RE = re.compile(
    r"\b(?:pain|pains|painful|hurts?|hurting|aches?|aching|sore|tight|tightness|pressure|"
    r"discomfort|throbbing|stabbing|cramps?|cramping|agony|killing me)\b"
)
_BODY_ZH = {
    "胸口": "chest_pain",
    "胸部": "chest_pain",
    "心口": "chest_pain",
    "胸": "chest_pain",
    "头": "headache",
    "脑袋": "headache",
    "肚子": "abdominal_pain",
    "腹部": "abdominal_pain",
    "小腹": "lower_abdominal_pain",
    "下腹": "lower_abdominal_pain",
    "上腹": "upper_abdominal_pain",
    "胃": "upper_abdominal_pain",
    "腰": "back_pain",
    "后背": "back_pain",
    "背": "back_pain",
    "嗓子": "sore_throat",
    "喉咙": "sore_throat",
    "耳朵": "ear_pain",
    "牙": "tooth_pain",
    "脖子": "neck_pain",
    "眼睛": "eye_pain",
    "睾丸": "testicular_pain",
    "下巴": "jaw_pain",
    "腿": "limb_pain",
    "胳膊": "limb_pain",
    "手臂": "limb_pain",
    "膝盖": "limb_pain",
    "脚踝": "limb_pain",
    "手腕": "limb_pain",
    "肩膀": "limb_pain",
    "关节": "joint_pain",
}
_BODY_ZH_RE = re.compile("|".join(sorted(_BODY_ZH, key=len, reverse=True)))
_PAIN_ZH_RE = re.compile(r"痛|疼|不舒服|难受|胀|闷")
_SWELL_EN_RE = re.compile(r"\b(lips?|tongue|face|mouth|eyelids?)\b")
_SWELLING_EN_RE = re.compile(r"\b(?:swollen|swelling|swelled|puffy|puffed)\b")
_SWELL_ZH_RE = re.compile(r"嘴唇|舌头|脸|眼皮|嘴")
_SWELLING_ZH_RE = re.compile(r"肿")
_FEMALE = re.compile(
    r"\b(?:she|her|woman|female|girl|wife|mother|mum|mom|daughter|pregnant|lady)\b|女|她|妻子|老婆|妈妈|母亲|女儿|孕"
)
_MALE = re.compile(
    r"\b(?:he|him|his|man|male|boy|husband|father|dad|son|gentleman)\b|男|他|丈夫|老公|爸爸|父亲|儿子"
)


@dataclass(frozen=True)
class Match:
    finding: str
    text: str
    present: bool | None  # None = hedged / uncertain: ask to confirm


@dataclass(frozen=True)
class ParsedText:
    findings: dict[str, bool | None]
    matches: tuple[Match, ...]
    age: float | None = None
    sex: str | None = None
    duration_days: float | None = None
    severity: str | None = None
    lang: str = "en"
    notes: tuple[str, ...] = field(default_factory=tuple)


def detect_lang(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


@lru_cache(maxsize=4)
def _patterns(kb: KnowledgeBase) -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], dict[str, str]]:
    en: dict[str, str] = {}
    zh: dict[str, str] = {}
    for f in kb.findings.values():
        for s in f.synonyms_en:
            en.setdefault(s, f.id)
        for s in f.synonyms_zh:
            zh.setdefault(s, f.id)
    en_alt = "|".join(re.escape(s) for s in sorted(en, key=len, reverse=True))
    zh_alt = "|".join(re.escape(s) for s in sorted(zh, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{en_alt})(?![a-z])"), en, re.compile(zh_alt), zh


def _number(token: str, table: dict[str, float]) -> float | None:
    try:
        return float(token)
    except ValueError:
        pass
    if token in table:
        return float(table[token])
    if all(ch in _NUM_ZH for ch in token):  # 十二 -> 12, 二十 -> 20
        if "十" in token:
            left, _, right = token.partition("十")
            return float((_NUM_ZH.get(left, 1) * 10) + (_NUM_ZH.get(right, 0) if right else 0))
        return float(_NUM_ZH[token[0]])
    return None


def _clauses(text: str, boundary: re.Pattern[str]) -> list[int]:
    return [m.start() for m in boundary.finditer(text)]


def _age(text: str, lang: str) -> float | None:
    if lang == "zh":
        m = _AGE_ZH.search(text)
        if m:
            n = _number(m.group(1), _NUM_ZH)
            if n is not None:
                unit = m.group(2)
                return n if unit == "岁" else n / 12 if "月" in unit else n / 52 if "周" in unit else n / 365
        if "新生儿" in text or "刚出生" in text:
            return 0.02
        return None
    m = _AGE_EN.search(text)
    if m:
        if m.group(1):
            n, unit = float(m.group(1)), m.group(2)
            return {"year": n, "yr": n, "month": n / 12, "week": n / 52, "day": n / 365}[unit]
        return float(m.group(3) or m.group(4))
    if re.search(r"\bnewborn\b", text):
        return 0.02
    return None


def parse_text(kb: KnowledgeBase, text: str, lang: str | None = None) -> ParsedText:
    """Read a free-text complaint into findings (present / absent / uncertain) and context."""
    raw = text.strip()
    lang = lang or detect_lang(raw)
    low = raw.lower().replace("’", "'").replace("‘", "'")
    en_re, en_map, zh_re, zh_map = _patterns(kb)
    zh_text = detect_lang(low) == "zh"
    found: list[tuple[int, int, str, str]] = []
    for m in en_re.finditer(low):
        found.append((m.start(), m.end(), en_map[m.group(0)], m.group(0)))
    if zh_text:
        for m in zh_re.finditer(low):
            found.append((m.start(), m.end(), zh_map[m.group(0)], m.group(0)))
    spans = [(s, e) for s, e, _, _ in found]

    def inside_match(pos: int) -> bool:
        return any(s <= pos < e for s, e in spans)

    boundaries = sorted(_clauses(low, _EN_CLAUSE) + (_clauses(low, _ZH_CLAUSE) if zh_text else []))
    excepted = [(m.start(), m.end()) for m in _EN_NEG_EXCEPT.finditer(low)]
    cues = [
        m.start()
        for m in _EN_NEG.finditer(low)
        if not inside_match(m.start()) and not any(s <= m.start() < e for s, e in excepted)
    ]
    hedges = [m.start() for m in _EN_HEDGE.finditer(low)]
    if zh_text:
        cues += [m.start() for m in _ZH_NEG.finditer(low) if not inside_match(m.start())]
        hedges += [m.start() for m in _ZH_HEDGE.finditer(low)]

    def clause_start(pos: int) -> int:
        starts = [b for b in boundaries if b < pos]
        return starts[-1] if starts else -1

    matches: list[Match] = []
    findings: dict[str, bool | None] = {}
    for s, _e, fid, phrase in sorted(found):
        start = clause_start(s)
        if any(start < c < s for c in hedges):
            present: bool | None = None
        else:
            present = not any(start < c < s for c in cues)
        matches.append(Match(fid, phrase, present))
        previous = findings.get(fid, "unset")
        if previous == "unset" or previous is None or present is True:
            findings[fid] = present  # a clear "yes" anywhere wins over a "no" or a hedge

    def negated(pos: int) -> bool | None:
        start = clause_start(pos)
        if any(start < c < pos for c in hedges):
            return None
        return not any(start < c < pos for c in cues)

    face = dict.fromkeys(
        ("lip", "lips", "tongue", "face", "mouth", "eyelid", "eyelids", "嘴唇", "舌头", "脸", "眼皮", "嘴"),
        "facial_swelling",
    )
    pairs = [(_BODY_EN_RE, _PAIN_EN_RE, _BODY_EN, 30), (_SWELL_EN_RE, _SWELLING_EN_RE, face, 25)]
    if zh_text:
        pairs += [(_BODY_ZH_RE, _PAIN_ZH_RE, _BODY_ZH, 5), (_SWELL_ZH_RE, _SWELLING_ZH_RE, face, 6)]
    for body_re, pain_re, table, window in pairs:
        pains = [m.start() for m in pain_re.finditer(low)]
        for b in body_re.finditer(low):
            near = [
                p
                for p in pains
                if abs(p - b.start()) <= window + len(b.group(0))
                and clause_start(p) == clause_start(b.start())
            ]
            if near:
                fid = table[b.group(0)]
                present = negated(min(b.start(), *near))
                matches.append(Match(fid, low[min(b.start(), *near) : max(b.end(), *near) + 1], present))
                if findings.get(fid) is None or present is True:
                    findings[fid] = present

    if (
        findings.get("fever")
        and findings.get("neck_pain")
        and re.search(r"stiff neck|neck is (?:really |very )?stiff", low)
    ):
        findings["neck_stiffness"] = True  # a stiff neck with fever is read as neck stiffness (meningism)

    notes: list[str] = []
    temp = _TEMP.search(low)
    if temp:
        value = float(temp.group(1))
        celsius = (value - 32) * 5 / 9 if value > 45 else value
        if celsius >= 38:
            findings.setdefault("fever", True)
            if celsius >= 39.5:
                findings.setdefault("high_fever", True)
            notes.append(f"temperature {celsius:.1f} °C")
    duration = None
    for m in (_DUR_ZH if zh_text else _DUR_EN).finditer(low):
        n = _number(m.group(1), _NUM_ZH if zh_text else _NUM_EN)  # type: ignore[arg-type]
        if (
            n is not None
            and "old" not in low[m.end() : m.end() + 5]
            and "大" not in low[m.end() : m.end() + 2]
        ):
            duration = max(duration or 0.0, n * _UNIT_DAYS[m.group(2)])
    if duration is None:
        if re.search(r"\b(?:since yesterday|yesterday)\b|昨天|昨晚", low):
            duration = 1.0
        elif re.search(r"\b(?:this morning|today|tonight|an hour ago|just now)\b|今天|今早|刚才|早上", low):
            duration = 0.5
    if duration is not None and duration >= 21:
        findings.setdefault("duration_chronic", True)
    severity = None
    if (_SEVERE_ZH if zh_text else _SEVERE_EN).search(low):
        severity = "severe"
    elif (_MILD_ZH if zh_text else _MILD_EN).search(low):
        severity = "mild"
    if (
        severity == "severe"
        and findings.get("pain") is not False
        and any(findings.get(f) for f in kb.parents if "pain" in kb.parents.get(f, ()) and f != "severe_pain")
    ):
        findings.setdefault("severe_pain", True)
    female, male = bool(_FEMALE.search(low)), bool(_MALE.search(low))
    sex = "F" if female and not male else "M" if male and not female else None
    return ParsedText(
        findings=findings,
        matches=tuple(matches),
        age=_age(low, "zh" if zh_text else "en"),
        sex=sex,
        duration_days=duration,
        severity=severity,
        lang=lang,
        notes=tuple(notes),
    )
