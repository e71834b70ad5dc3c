"""Builders for the decision's and the pipeline report's tests: a round's notice (closed or
still open), a nomination's consent, and entries standing on notice. They add and flush, and
never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.auth.models import User
from core.extensions import db
from honours.models import Round
from honours.nomination_models import (
    ConsentGiver,
    ConsentMethod,
    Nomination,
    NominationConsent,
    Objection,
    ObjectionOutcome,
    RoundNotice,
    Stage,
)
from tests.honours.builders import NOW
from tests.honours.nomination_builders import make_nomination


def make_notice(round_: Round, office: User, *, closes_at: datetime = NOW - timedelta(hours=1)):
    """The round's public notice, 7 days up to `closes_at` (closed an hour before NOW)."""
    notice = RoundNotice(
        round_id=round_.id,
        opens_at=closes_at - timedelta(days=7),
        closes_at=closes_at,
        opened_by_id=office.id,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def give_consent(nomination: Nomination, by: User, *, agreed: bool = True, at=NOW):
    """The nominee's own answer about publishing, by a verified phone."""
    consent = NominationConsent(
        nomination_id=nomination.id,
        agreed=agreed,
        giver=ConsentGiver.nominee,
        method=ConsentMethod.verified_phone,
        phone="13803350009",
        recorded_by_id=by.id,
        recorded_at=at,
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def on_notice(round_: Round, place, office: User, **values) -> Nomination:
    """A nomination on notice whose nominee agreed to publication before the panel."""
    nomination = make_nomination(round_, place, stage=Stage.notice, by=office, **values)
    give_consent(nomination, office, at=NOW - timedelta(days=20))
    return nomination


def object_to(nomination: Nomination, by: User, *, answered_by: User | None = None):
    """A real-name objection to the entry, answered (dismissed) when `answered_by` is given."""
    objection = Objection(
        nomination_id=nomination.id,
        user_id=by.id,
        name="王异议",
        phone=by.phone,
        text="事迹有出入",
        district_id=nomination.district_id,
        filed_at=NOW - timedelta(days=3),
        due_on=(NOW + timedelta(days=10)).date(),
    )
    if answered_by is not None:
        objection.outcome = ObjectionOutcome.dismissed
        objection.answer = "经核实，事迹属实"
        objection.answered_by_id = answered_by.id
        objection.answered_at = NOW - timedelta(days=2)
    db.session.add(objection)
    db.session.flush()
    return objection
