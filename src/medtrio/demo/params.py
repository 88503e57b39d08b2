"""Loading and validating the demo's data files (`population.yaml`, `hospital.yaml`).

Every epidemiological figure the generator uses lives in `population.yaml` with a `source`; this
module checks the file on load (lengths per age band, non-negative rates, reference ranges in order,
every name it refers to defined) so a bad edit fails with a clear message instead of odd data.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from medtrio.errors import InvalidInput

HERE = Path(__file__).parent
MODELS = ("creatinine_from_egfr", "ckd_epi_2021", "friedewald", "weight", "height", "bmi")
DERIVED = ("bmi_at_least_30", "egfr_below_60")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Strict):
    source: str = Field(min_length=10)


class MeanSd(Strict):
    mean: float
    sd: float = Field(ge=0)


class Simulation(Sourced):
    end_date: dt.date
    history_years: int = Field(ge=1, le=40)


class Values(Sourced):
    values: list[float]


class Value(Sourced):
    value: float = Field(ge=0, le=1)


class BySex(Sourced):
    male: float = Field(ge=0, le=1)
    female: float = Field(ge=0, le=1)


class Heights(Sourced):
    male: MeanSd
    female: MeanSd


class ChildGrowth(Sourced):
    ages: list[float]
    height_male: list[float]
    height_female: list[float]
    bmi: list[float]

    @model_validator(mode="after")
    def _lengths(self) -> ChildGrowth:
        n = len(self.ages)
        if not (len(self.height_male) == len(self.height_female) == len(self.bmi) == n):
            raise ValueError("child_growth: ages, heights and bmi must have the same length")
        if self.ages != sorted(self.ages):
            raise ValueError("child_growth: ages must increase")
        return self


class BmiAdult(Sourced):
    at_18: MeanSd
    gain_per_year: MeanSd
    loss_per_year_after_70: float = Field(ge=0, le=1)


class Egfr(Sourced):
    at_30: MeanSd
    decline_per_year: MeanSd
    extra_decline_per_year: dict[str, float]


class Visits(Values):
    per_condition: float = Field(ge=0, le=5)


class Mortality(Sourced):
    male: list[float]
    female: list[float]


class Population(Strict):
    age_share: Values
    female_share: Value
    smoking: BySex
    height_cm: Heights
    child_growth: ChildGrowth
    bmi_adult: BmiAdult
    egfr: Egfr
    visits_per_year: Visits
    mortality: Mortality


class TargetPrevalence(Strict):
    age: tuple[float, float]
    value: float = Field(gt=0, lt=1)


class Disease(Sourced):
    key: str
    code: str = Field(pattern=r"^DIAGNOSIS//ICD//10//[A-Z]\d\d(\.\d+)?$")
    display: str
    department: str
    child_department: str | None = None
    onset_encounter: Literal["outpatient", "emergency", "inpatient"] = "outpatient"
    male: list[float] = []
    female: list[float] = []
    derived: Literal["bmi_at_least_30", "egfr_below_60"] | None = None
    rr: dict[str, float] = {}
    mortality_hr: float = Field(ge=0.5, le=20)
    target_prevalence: TargetPrevalence | None = None


class Acute(Sourced):
    key: str
    code: str = Field(pattern=r"^DIAGNOSIS//ICD//10//[A-Z]\d\d(\.\d+)?$")
    display: str
    department: str
    child_department: str | None = None
    encounter: Literal["outpatient", "emergency"] = "outpatient"
    sex: Literal["F", "M"] | None = None
    rate: list[float]


class Medication(Sourced):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    key: str
    code: str = Field(pattern=r"^MEDICATION//ATC//[A-Z]\d\d[A-Z]{2}\d\d$")
    display: str
    dose: str
    klass: str = Field(alias="class")
    for_: str = Field(alias="for")
    prob: float = Field(ge=0, le=1)
    delay_days: float = Field(ge=0)


class Procedure(Sourced):
    key: str
    code: str = Field(pattern=r"^PROCEDURE//SNOMED//\d{6,18}$")
    display: str
    at_diagnosis_of: list[str] = Field(min_length=1)
    prob: float = Field(ge=0, le=1)


class Allergy(Sourced):
    key: str
    code: str = Field(pattern=r"^ALLERGY//SNOMED//\d{6,18}$")
    display: str
    prob: float = Field(ge=0, le=0.5)


class Immunization(Sourced):
    key: str
    code: str = Field(pattern=r"^IMMUNIZATION//CVX//\d{1,3}$")
    display: str
    seasonal: bool = False
    min_age: float = Field(0, ge=0)
    or_chronic: bool = False
    ages: list[float] = []
    prob: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _when(self) -> Immunization:
        if self.seasonal == bool(self.ages):
            raise ValueError(f"{self.key}: give either `seasonal: true` or the `ages` of the doses")
        return self


class Effect(Strict):
    when: str
    shift: float | None = None
    factor: float | None = Field(None, gt=0)
    per_year: float = 0.0


class Child(Strict):
    mean: float
    sd: float = Field(ge=0)


class Measure(Sourced):
    """A lab test or a vital sign: code, unit, reference range, and how its value is simulated."""

    key: str
    code: str = Field(pattern=r"^(LAB|VITAL)//LOINC//\d{1,7}-\d$")
    display: str
    unit: str
    ref: tuple[float | None, float | None]
    ref_female: tuple[float | None, float | None] | None = None
    bounds: tuple[float, float]
    decimals: int = Field(ge=0, le=4)
    model: Literal[MODELS] | None = None  # type: ignore[valid-type]
    scale: Literal["normal", "log"] = "normal"
    mean: float | None = None
    mean_female: float | None = None
    sd_between: float = Field(0.0, ge=0)
    sd_within: float = Field(0.0, ge=0)
    age_slope: float = 0.0
    child: Child | None = None
    sex: Literal["F", "M"] | None = None
    effects: list[Effect] = []

    @model_validator(mode="after")
    def _check(self) -> Measure:
        lo, hi = self.bounds
        if not lo < hi:
            raise ValueError(f"{self.key}: bounds must be (low, high)")
        for ref in (self.ref, self.ref_female):
            if ref and ref[0] is not None and ref[1] is not None and not ref[0] < ref[1]:
                raise ValueError(f"{self.key}: reference range must be (low, high)")
            for v in ref or ():
                if v is not None and not lo <= v <= hi:
                    raise ValueError(f"{self.key}: reference limit {v} outside the plausible bounds")
        if self.model is None:
            if self.mean is None:
                raise ValueError(f"{self.key}: a simulated value needs a mean (or a model)")
            for m in (self.mean, self.mean_female):
                if m is not None and not (lo <= m <= hi and (self.scale == "normal" or m > 0)):
                    raise ValueError(f"{self.key}: mean {m} outside the plausible bounds")
        for e in self.effects:
            if (self.scale == "log") != (e.factor is not None) or (e.shift is None) == (e.factor is None):
                raise ValueError(f"{self.key}: use `factor` on the log scale and `shift` on the normal scale")
        return self


class Panel(Sourced):
    key: str
    labs: list[str]
    prob: float = Field(ge=0, le=1)
    acute_prob: float = Field(ge=0, le=1)
    children: bool = False
    min_age: float = 0
    when: dict[str, float] = {}

    @field_validator("when")
    @classmethod
    def _probs(cls, v: dict[str, float]) -> dict[str, float]:
        if any(not 0 <= p <= 1 for p in v.values()):
            raise ValueError("panel probabilities must be within 0..1")
        return v


class CkdEpi(Sourced):
    constant: float = Field(gt=0)
    kappa: dict[Literal["male", "female"], float]
    alpha: dict[Literal["male", "female"], float]
    beta: float = Field(lt=0)
    age_base: float = Field(gt=0.9, lt=1)
    female_factor: float = Field(gt=0)


class Formulas(Strict):
    ckd_epi_2021: CkdEpi


class PopulationFile(Strict):
    """The whole of population.yaml, cross-checked."""

    version: int
    age_bands: list[float]
    simulation: Simulation
    population: Population
    diseases: list[Disease]
    acute: list[Acute]
    procedures: list[Procedure]
    allergies: list[Allergy]
    immunizations: list[Immunization]
    formulas: Formulas
    medications: list[Medication]
    labs: list[Measure]
    vitals: list[Measure]
    panels: list[Panel]

    @model_validator(mode="after")
    def _cross_check(self) -> PopulationFile:
        nb = len(self.age_bands)
        if self.age_bands[0] != 0 or self.age_bands != sorted(self.age_bands):
            raise ValueError("age_bands must start at 0 and increase")
        pop = self.population
        per_band = {"age_share": pop.age_share.values, "visits_per_year": pop.visits_per_year.values,
                    "mortality.male": pop.mortality.male, "mortality.female": pop.mortality.female}
        for d in self.diseases:
            if d.derived is None:
                per_band[f"{d.key}.male"], per_band[f"{d.key}.female"] = d.male, d.female
        per_band.update({f"{a.key}.rate": a.rate for a in self.acute})
        for name, values in per_band.items():
            if len(values) != nb:
                raise ValueError(f"{name}: needs one value per age band ({nb}), got {len(values)}")
            if any(v < 0 for v in values):
                raise ValueError(f"{name}: values must not be negative")
        if abs(sum(pop.age_share.values) - 1) > 1e-6:
            raise ValueError("population.age_share must sum to 1")
        if any(v > 1000 for v in pop.mortality.male + pop.mortality.female):
            raise ValueError("mortality is per 1000 per year: values must be <= 1000")
        diseases = {d.key for d in self.diseases}
        classes = {m.klass for m in self.medications}
        factors = diseases | classes | {"smoker"}
        for d in self.diseases:
            if d.derived is None and not (d.male or d.female):
                raise ValueError(f"{d.key}: give incidence rates or a `derived` rule")
            for k, rr in d.rr.items():
                if k not in diseases | {"smoker"} or k == d.key or not 0.2 <= rr <= 30:
                    raise ValueError(f"{d.key}: bad relative risk {k}={rr}")
        for k in pop.egfr.extra_decline_per_year:
            if k not in diseases:
                raise ValueError(f"egfr.extra_decline_per_year: unknown disease {k!r}")
        for proc in self.procedures:
            if not set(proc.at_diagnosis_of) <= diseases:
                raise ValueError(f"procedure {proc.key}: unknown disease in {proc.at_diagnosis_of}")
        for m in self.medications:
            if m.for_ not in diseases:
                raise ValueError(f"medication {m.key}: unknown disease {m.for_!r}")
        measures = {m.key for m in self.labs + self.vitals}
        for m in self.labs + self.vitals:
            for e in m.effects:
                if e.when not in factors:
                    raise ValueError(f"{m.key}: effect on unknown condition or class {e.when!r}")
        for p in self.panels:
            for lab in p.labs:
                if lab not in measures:
                    raise ValueError(f"panel {p.key}: unknown lab {lab!r}")
            for k in p.when:
                if k not in factors:
                    raise ValueError(f"panel {p.key}: unknown condition or class {k!r}")
        keys = [x.key for x in self.diseases + self.acute + self.medications + self.labs + self.vitals
                + self.procedures + self.allergies + self.immunizations]
        if len(keys) != len(set(keys)):
            raise ValueError("keys of diseases, acute illnesses, medications, labs and vitals must be unique")
        return self

    def measure(self, key: str) -> Measure:
        return next(m for m in self.labs + self.vitals if m.key == key)


class Department(Strict):
    code: str
    en: str
    zh: str
    specialty: str
    doctors: int = Field(ge=1, le=20)
    shifts: bool = False


class Names(Strict):
    zh_surnames: list[str]
    zh_given_female: list[str]
    zh_given_male: list[str]
    en_surnames: list[str]
    en_given_female: list[str]
    en_given_male: list[str]


class PatientAccount(Strict):
    username: str
    about: str
    has: list[str]
    min_age: float = 0
    max_age: float = 200
    smoker: bool | None = None
    none: bool = False


class Accounts(Strict):
    password: str = Field(min_length=8)
    admin: str
    clinician_prefix: str
    patients: list[PatientAccount]
    care_assignment_share: float = Field(ge=0, le=1)


class HospitalFile(Strict):
    version: int
    departments: list[Department]
    sessions: list[str]
    shifts: list[str]
    slot_minutes: list[int]
    chinese_name_share: float = Field(ge=0, le=1)
    names: Names
    accounts: Accounts
    home_priority: list[str]


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path.name} is not valid: {exc}") from exc


@lru_cache(maxsize=4)
def load_population(path: Path = HERE / "population.yaml") -> PopulationFile:
    """The validated epidemiological parameters (raises `InvalidInput` naming the bad entry)."""
    params = _load(path, PopulationFile)
    assert isinstance(params, PopulationFile)
    return params


@lru_cache(maxsize=4)
def load_hospital(path: Path = HERE / "hospital.yaml") -> HospitalFile:
    """The validated hospital description, cross-checked against the diseases' departments."""
    hospital = _load(path, HospitalFile)
    assert isinstance(hospital, HospitalFile)
    depts = {d.code for d in hospital.departments}
    params = load_population()
    for item in params.diseases + params.acute:
        for dep in (item.department, item.child_department):
            if dep is not None and dep not in depts:
                raise InvalidInput(f"{item.key}: department {dep!r} is not in hospital.yaml")
    diseases = {d.key for d in params.diseases}
    if not set(hospital.home_priority) <= diseases:
        raise InvalidInput(f"home_priority names unknown diseases: {set(hospital.home_priority) - diseases}")
    for acc in hospital.accounts.patients:
        if not set(acc.has) <= diseases:
            raise InvalidInput(f"account {acc.username}: unknown disease in {acc.has}")
    return hospital
