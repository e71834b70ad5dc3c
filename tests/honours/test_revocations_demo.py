"""The demo shows a revocation: one good person of 海港区 whose honours the city revoked, whose
card no check accepts, off the roll, with the district's recall task open."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from honours.card_models import CardStatus, CourtesyCard
from honours.demo_revocations import REASON
from honours.models import Person
from honours.revocation_models import RecallStatus, RecallTask, Revocation
from honours.services.publication import on_roll
from tests.test_demo import CITY, load_demo

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content


def test_demo_holds_one_revoked_person_with_an_open_recall_task(runner):
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    load_demo(runner, now)

    (found,) = db.session.scalars(select(Revocation).where(Revocation.reason == REASON)).all()
    assert "失信被执行人" in REASON and found.decision_number == "秦文明〔2027〕12号"
    assert found.person.district.code == "haigang"
    assert all(honour.revoked_at == found.decided_at for honour in found.honours)
    card = db.session.scalar(select(CourtesyCard).where(CourtesyCard.person_id == found.person_id))
    assert card.status is CardStatus.revoked
    task = db.session.scalar(select(RecallTask).where(RecallTask.revocation_id == found.id))
    assert (task.status, task.card_id) == (RecallStatus.open, card.id)
    assert (
        db.session.scalar(select(Person.id).where(Person.id == found.person_id, on_roll())) is None
    )

    load_demo(runner, now + timedelta(days=1))
    assert (
        db.session.scalar(
            select(func.count()).select_from(Revocation).where(Revocation.reason == REASON)
        )
        == 1
    )
