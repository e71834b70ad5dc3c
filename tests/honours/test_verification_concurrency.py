"""A benefit shared by two partners, one use left, recorded at both at the same instant: exactly
one is accepted and the holder's counter holds the limit (meaningful on PostgreSQL; SQLite's
writers take turns anyway). The counter row is created by whichever request comes first. Two
schedulers at once tell the district of a revoked card's check once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from core.settings import current_settings
from honours.card_models import BenefitCounter, CardCheck, CardStatus, CardUse
from honours.services import verification
from reminders import services as reminders
from reminders.models import Notification, NotificationKind
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.verification_builders import (
    make_benefit,
    make_partner,
    make_staff,
)


@pytest.mark.postgres
@pytest.mark.parametrize("used_before", [0, 1], ids=["counter-to-create", "counter-there"])
def test_two_partners_at_once_with_one_use_left_accept_exactly_one(app, used_before):
    office = make_office()
    places = make_places()
    partners = [make_partner(office, name=name) for name in ("山海关体检中心", "北戴河体检中心")]
    staff = [make_staff(partner, name=f"验卡员{i}") for i, partner in enumerate(partners)]
    holder = make_honoured(places["wenhuali"], office)
    card = make_card(holder, office)
    shared = make_benefit(office, partners, name="免费体检", limit=used_before + 1)
    for member in staff:
        verification.check_card(member, number=card.number, now=NOW, settings=current_settings())
    if used_before:
        verification.record_use(
            staff[0], card_id=card.id, benefit_id=shared.id, now=NOW, settings=current_settings()
        )
    staff_ids, card_id, benefit_id = [s.id for s in staff], card.id, shared.id

    def record(i: int):
        return verification.record_use(
            db.session.get(User, staff_ids[i]),
            card_id=card_id,
            benefit_id=benefit_id,
            now=NOW,
            settings=current_settings(),
        ).id

    results = run_at_once(app, 2, record)

    accepted = [r for r in results if isinstance(r, int)]
    assert len(accepted) == 1, results
    (refused,) = [r for r in results if not isinstance(r, int)]
    assert isinstance(refused, Conflict) and refused.code == "limit_reached", results
    assert db.session.scalar(select(func.count()).select_from(CardUse)) == used_before + 1
    assert db.session.scalar(select(BenefitCounter.used)) == used_before + 1
    assert db.session.scalar(select(func.count()).select_from(BenefitCounter)) == 1


@pytest.mark.postgres
def test_two_schedulers_at_once_alert_the_district_once(app):
    office = make_office()
    places = make_places()
    partner = make_partner(office, name="老龙头景区")
    staff = make_staff(partner)
    clerk = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区干事")
    holder = make_honoured(places["wenhuali"], office)
    card = make_card(holder, office, status=CardStatus.revoked)
    verification.check_card(staff, number=card.number, now=NOW, settings=current_settings())
    clerk_id = clerk.id

    def remind(_i: int) -> int:
        return reminders.create_due_notifications(
            now=NOW + timedelta(minutes=1), settings=current_settings().reminders
        )

    results = run_at_once(app, 2, remind)

    assert all(isinstance(r, int) for r in results), results
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.card_alert)
    )
    assert list(told) == [clerk_id]
    assert db.session.scalar(select(CardCheck.alerted_at)) == NOW + timedelta(minutes=1)
