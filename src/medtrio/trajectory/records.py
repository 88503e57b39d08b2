"""A stored patient's history as model tokens, and their forecast: what the chart and the API call.

Diagnoses, medications and procedures of the event store become vocabulary ids through `code_key`, and
BMI, smoking and alcohol observations lifestyle tokens through `lifestyle_key`;
codes the model does not know are returned (not silently dropped) so the page can say which were
ignored. Every read is audited by the caller's audit helper, not here (this module has no actor).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import or_, select

from medtrio.errors import InvalidInput, NotFound
from medtrio.trajectory.inference import Forecast, forecast
from medtrio.trajectory.lifestyle import lifestyle_key, lifestyle_map
from medtrio.trajectory.scoring import LoadedModel
from medtrio.trajectory.vocab import FEMALE, MALE, code_key

_CATEGORIES = ("diagnosis", "medication", "procedure", "death")


@dataclass(frozen=True)
class History:
    ages_days: np.ndarray
    tokens: np.ndarray
    now_days: float
    unknown_codes: tuple[str, ...]
    event_ids: tuple[int | None, ...]  # the store event behind each token (None for sex), for citations
    dead: bool = False


def history_from_store(db, patient_id: int, lm: LoadedModel, today: dt.date | None = None) -> History:  # noqa: ANN001
    """Read one patient's events (own session) and map them onto the model's vocabulary."""
    with db.session() as s:
        return history_from_session(s, patient_id, lm, today)


def history_from_session(s, patient_id: int, lm: LoadedModel, today: dt.date | None = None) -> History:  # noqa: ANN001
    """Same as `history_from_store`, inside the caller's SQLAlchemy session (API routes)."""
    from medtrio.store.schema import Event, Patient

    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound(f"patient {patient_id} not found")
    if p.birth_date is None:
        raise InvalidInput("the patient has no birth date: ages, and so a forecast, cannot be computed")
    birth, sex, death = p.birth_date, p.sex, p.death_date
    rows = s.execute(
        select(Event.id, Event.time, Event.code, Event.numeric_value, Event.text_value)
        .where(
            Event.patient_id == patient_id,
            or_(Event.category.in_(_CATEGORIES), Event.code.in_(sorted(lifestyle_map().codes))),
        )
        .order_by(Event.time)
    ).all()
    vocab = lm.vocab
    lifestyle_codes = lifestyle_map().codes
    ages, toks, ids, unknown, seen = [0.0], [], [None], [], set()
    toks.append(FEMALE if sex == "F" else MALE if sex == "M" else vocab.unknown)
    for eid, time, code, value, text in rows:
        key = lifestyle_key(code, value, text) if code in lifestyle_codes else code_key(code)
        if key is None or time is None:
            continue
        tok = vocab.id_of(key)
        if tok == vocab.unknown:
            unknown.append(code)
            continue
        if tok in seen:  # first record only, as in training
            continue
        seen.add(tok)
        ages.append(float((time.date() - birth).days))
        toks.append(tok)
        ids.append(eid)
    end = death or today or dt.date.today()
    return History(
        np.array(ages),
        np.array(toks),
        float((end - birth).days),
        tuple(sorted(set(unknown))),
        tuple(ids),
        death is not None,
    )


def forecast_patient(
    db,
    patient_id: int,
    lm: LoadedModel,
    *,
    n_samples: int = 0,  # noqa: ANN001
    today: dt.date | None = None,
) -> tuple[Forecast, History]:
    """The forecast of a stored patient at today's age (or at death, which ends the forecast)."""
    h = history_from_store(db, patient_id, lm, today)
    if h.dead:
        raise InvalidInput("the patient is recorded as deceased: there is no future to forecast")
    return forecast(
        lm, h.ages_days, h.tokens, h.now_days, n_samples=n_samples, unknown_codes=h.unknown_codes
    ), h
