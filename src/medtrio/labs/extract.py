"""From lines of text (PDF words, OCR boxes or pasted text) to raw lab results.

A report line is a sequence of tokens, each with a confidence (1.0 for text layers, the OCR score for
photos). A result line starts with an analyte name (optionally after a row number), followed in any
order by the value, the lab's flag, the unit and the reference range — the common layouts of English and
Chinese reports. Lines that do not start with a known analyte but still look like a result (a number and
a range) are kept with `analyte=None` so that nothing is silently dropped; they need confirmation.
Header lines give sex, age, collection date and the specimen section (blood / urine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medtrio.labs.catalog import Analyte, Catalog
from medtrio.labs.units import _ALIASES, _clean
from medtrio.labs.values import is_flag, norm, parse_range, parse_value


@dataclass(frozen=True)
class Token:
    text: str
    conf: float = 1.0
    box: int = -1  # which OCR box it came from (-1: a text layer)


@dataclass
class RawResult:
    """One extracted result before normalisation; `notes` are reasons to confirm found while reading."""

    name: str
    analyte: Analyte | None
    value: str | None
    unit: str | None = None
    range: str | None = None
    flag: str | None = None
    spec: str | None = None
    line: str = ""
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportMeta:
    sex: str | None = None
    age: float | None = None
    date: str | None = None
    lang: str = "en"


_URINE_HEADERS = re.compile(r"(urinalysis|urine|尿常规|尿液分析|尿液|尿沉渣)", re.I)
_BLOOD_HEADERS = re.compile(
    r"(complete blood count|blood count|hematology|haematology|chemistry|metabolic panel|lipid|thyroid|"
    r"coagulation|血常规|血细胞分析|生化|肝功能|肾功能|血脂|甲状腺|凝血|血糖|电解质|blood)",
    re.I,
)
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_SEX = re.compile(r"(?:sex|gender|性别)\s*[:：]?\s*(male|female|m|f|男|女)\b", re.I)
_AGE = re.compile(r"(?:age|年龄)\s*[:：]?\s*(\d{1,3})", re.I)
ARROW_GUESS = "↑?"  # a "1" in the flag column: an arrow, accepted only if value and range say abnormal
_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "S": "5", "B": "8", "Z": "2", "g": "9"})
_NUMERIC_LIKE = re.compile(r"^[<>≤≥]?[\dOolISBZg]+([.,][\dOolISBZg]+)?$")


def _is_unit(text: str) -> bool:
    c = _clean(text)
    if c in _ALIASES or c.lstrip("x") in _ALIASES:
        return True
    return bool(re.fullmatch(r"[a-zµμ%#*^/0-9\[\]{}._×x]+", c)) and (
        "/" in c or c in ("%", "fl", "pg", "s", "sec")
    )


def _split_tokens(tokens: list[Token]) -> list[Token]:
    """Split glued value+flag ("11.2L", "5.6↑"), join split ranges ("3.6", "-", "10.0") and "<" "5"."""
    out: list[Token] = []
    for t in tokens:
        # OCR glues a Chinese name to its abbreviation ("丙氨酸氨基转移酶ALT"): split at the script change
        text = re.sub(r"([\u4e00-\u9fff])(?=[A-Za-zγ][A-Za-z0-9#%-]*$)", r"\1 ", norm(t.text))
        for part in text.split():
            m = re.fullmatch(r"([<>≤≥]?\d+(?:[.,]\d+)?)(↑↑|↓↓|↑|↓|H|L|\*)", part)
            if m:
                out += [Token(m.group(1), t.conf, t.box), Token(m.group(2), t.conf, t.box)]
            else:
                out.append(Token(part, t.conf, t.box))
    joined: list[Token] = []
    i = 0
    while i < len(out):
        t = out[i]
        if (
            i + 2 < len(out)
            and out[i + 1].text in ("-", "~", "至", "to")
            and re.fullmatch(r"[\d.,]+", t.text)
            and re.fullmatch(r"[\d.,]+", out[i + 2].text)
        ):
            joined.append(Token(f"{t.text}-{out[i + 2].text}", min(t.conf, out[i + 2].conf)))
            i += 3
            continue
        if t.text in ("<", ">", "<=", ">=", "≤", "≥") and i + 1 < len(out):
            joined.append(Token(t.text + out[i + 1].text, min(t.conf, out[i + 1].conf)))
            i += 2
            continue
        if t.text.lower() in ("x", "×") and i + 1 < len(out):
            joined.append(Token("x" + out[i + 1].text, min(t.conf, out[i + 1].conf)))
            i += 2
            continue
        joined.append(t)
        i += 1
    return joined


def _fix_digits(text: str) -> tuple[str, str | None]:
    """Undo OCR letter/digit confusions inside a number-like token, saying what was changed."""
    if re.fullmatch(r"[<>≤≥]?\d+([.,]\d+)?", text) or not _NUMERIC_LIKE.fullmatch(text):
        return text, None
    if not any(ch.isdigit() for ch in text):
        return text, None
    fixed = text.translate(_CONFUSABLE)
    return fixed, f"OCR letter/digit confusion read '{text}' as '{fixed}'"


def _match_name(tokens: list[Token], catalog: Catalog, spec: str | None) -> tuple[Analyte | None, int]:
    """The analyte a line starts with and how many tokens its name takes.

    Tries the longest run of leading tokens first; then, for OCR-garbled names, a known Chinese name at the
    start of the first token, or an abbreviation column among the name tokens when all agree."""
    first_num = next(
        (i for i, t in enumerate(tokens) if re.fullmatch(r"[<>≤≥]?[\d.,]+", t.text)), len(tokens)
    )
    for i in range(min(first_num, 6), 0, -1):
        a = catalog.lookup(" ".join(t.text for t in tokens[:i]), spec)
        if a is not None:
            return a, i
    if first_num == 0:
        return None, 0
    for k in (2, 1):
        if k <= first_num:
            a = catalog.lookup_prefix("".join(t.text for t in tokens[:k]), spec)
            if a is not None:
                return a, k
    abbrev = [
        catalog.lookup(t.text, spec)
        for t in tokens[1:first_num]
        if re.fullmatch(r"[A-Za-z][\w#%-]{1,9}", t.text)
    ]
    keys = {a.key for a in abbrev if a is not None}
    if len(keys) == 1:
        return catalog.by_key[keys.pop()], first_num
    return None, 0


def _second_result_at(toks: list[Token], j: int, catalog: Catalog, spec: str | None) -> bool:
    """Does a second result start at token j (two-column reports)? A known name (after an optional row
    number) followed within three tokens by a value."""
    k = j + 1 if re.fullmatch(r"\d{1,3}[.)]?", toks[j].text) and j + 1 < len(toks) else j
    for n in range(min(6, len(toks) - k), 0, -1):
        a = catalog.lookup(" ".join(t.text for t in toks[k : k + n]), spec)
        if a is None:
            continue
        for t in toks[k + n : k + n + 3]:
            v = parse_value(t.text)
            if v is not None and (v.is_numeric or a.kind != "quant") and not _is_unit(t.text):
                return True
        return False
    return False


def parse_row(tokens: list[Token], catalog: Catalog, spec: str | None) -> list[RawResult]:
    """Every result on one printed row (two-column layouts put two results side by side)."""
    out: list[RawResult] = []
    toks = _split_tokens(tokens)
    while toks:
        r, toks = _parse_one(toks, catalog, spec)
        if r is None:
            break
        out.append(r)
    return out


def parse_line(tokens: list[Token], catalog: Catalog, spec: str | None) -> RawResult | None:
    """The first result of one line, or None when the line is not a result."""
    r, _ = _parse_one(_split_tokens(tokens), catalog, spec)
    return r


def _parse_one(toks: list[Token], catalog: Catalog, spec: str | None) -> tuple[RawResult | None, list[Token]]:
    """The first result of a token row and the tokens left after it."""
    line_text = " ".join(t.text for t in toks)
    if (
        len(toks) >= 2
        and re.fullmatch(r"\d{1,3}[.)]?", toks[0].text)
        and not re.fullmatch(r"[\d.]+", toks[1].text)
    ):
        toks = toks[1:]  # leading row number
    if not toks:
        return None, []
    analyte, n = _match_name(toks, catalog, spec)
    rest = toks[n:]
    if analyte is not None:
        while rest and catalog.lookup(rest[0].text, spec) is analyte:  # abbreviation column ("WBC")
            n += 1
            rest = rest[1:]
        name_toks = toks[:n]
    else:
        k = next((i for i, t in enumerate(toks) if re.fullmatch(r"[<>≤≥]?[\d.,]+", t.text)), None)
        if not k or not any(parse_range(t.text) for t in toks[k + 1 :]):
            return None, []  # not a result line
        name_toks, rest = toks[:k], toks[k:]
    value = unit = rng = flag = None
    notes: list[str] = []
    confs = [t.conf for t in name_toks]
    leftover: list[Token] = []
    for j, t in enumerate(rest):
        text = t.text
        if value is not None and _second_result_at(rest, j, catalog, spec):
            leftover = rest[j:]
            break
        if flag is None and is_flag(text) and value is not None:
            flag = text
            continue
        if unit is None and _is_unit(text) and not re.fullmatch(r"[\d.,]+", text):
            unit = text
            continue
        if value is None:
            fixed, note = _fix_digits(text)
            v = parse_value(fixed)
            if v is not None and not (analyte and analyte.kind == "quant" and not v.is_numeric):
                value = fixed
                confs.append(t.conf)
                if note:
                    notes.append(note)
                continue
            if v is not None and analyte and analyte.kind == "quant":
                continue  # a word before a numeric value (e.g. a method column)
        if rng is None and value is not None and parse_range(text):
            rng = text
            continue
        # a separate mark right after the value (for photos: its own OCR box, not a split number like "6.9 1")
        after_value = j > 0 and rest[j - 1].text == value and (t.box < 0 or t.box != rest[j - 1].box)
        if (
            value is not None
            and flag is None
            and unit is None
            and text in ("1", "l", "I", "t")
            and after_value
        ):
            flag = ARROW_GUESS  # OCR reads the ↑ of the flag column as "1"; checked against the range later
            continue
        if value is not None and re.fullmatch(r"[\d.,]+", text):
            notes.append(f"an extra number '{text}' on the line: columns may be misread")
    if value is None:
        if analyte is None or not rest:
            return None, []  # a name alone is a heading, not a result
        notes.append("no value could be read on this line")
    used = toks[: len(toks) - len(leftover)]
    result = RawResult(
        name=" ".join(t.text for t in name_toks),
        analyte=analyte,
        value=value,
        unit=unit,
        range=rng,
        flag=flag,
        spec=spec or (analyte.spec if analyte else None),
        line=" ".join(t.text for t in used) if leftover else line_text,
        confidence=min(confs) if confs else 1.0,
        notes=notes,
    )
    return result, leftover


def parse_lines(lines: list[list[Token]], catalog: Catalog) -> tuple[list[RawResult], ReportMeta]:
    """All results of a report, with the header facts (sex, age, date, language)."""
    meta = ReportMeta()
    spec: str | None = None
    results: list[RawResult] = []
    text_all = " ".join(t.text for line in lines for t in line)
    meta.lang = "zh" if re.search(r"[\u4e00-\u9fff]", text_all) else "en"
    for line in lines:
        text = " ".join(t.text for t in line)
        row = parse_row(line, catalog, spec)
        if row:
            results.extend(row)
            continue
        if meta.sex is None and (m := _SEX.search(text)):
            meta.sex = "F" if m.group(1).lower() in ("f", "female", "女") else "M"
        if meta.age is None and (m := _AGE.search(text)):
            meta.age = float(m.group(1))
        if meta.date is None and re.search(
            r"(collect|sampl|drawn|采样|采集|送检|报告|date|日期)", text, re.I
        ):
            if m := _DATE.search(text):
                meta.date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        if len(line) <= 4 and len(text) < 40:
            if _URINE_HEADERS.search(text):
                spec = "urine"
            elif _BLOOD_HEADERS.search(text):
                spec = "blood"
    return results, meta


def text_to_lines(text: str) -> list[list[Token]]:
    """Pasted text: one line per line, cells split on tabs or runs of 2+ spaces, then on spaces."""
    return [
        [Token(c) for c in re.split(r"\t|\s{2,}", ln.strip()) if c] for ln in text.splitlines() if ln.strip()
    ]
