"""Card partners under requests at the same moment (on PostgreSQL; SQLite's writers take turns
anyway): a partner approved by two offices at once is decided once; one merchant linked by two
registrations at once, or one name taken twice at once, makes one partner and a clear refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.models import User
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from honours.card_models import Partner, PartnerKind, PartnerStatus
from honours.services import partners
from honours.services.partners import PartnerDetails
from tests.builders import make_merchant
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_office
from tests.honours.partner_builders import make_partner


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.postgres
def test_a_partner_approved_twice_at_once_is_decided_once(app):
    partner = make_partner(status=PartnerStatus.pending)
    offices = [make_office().id, make_office().id]
    partner_id = partner.id

    def approve(i):
        office = db.session.get(User, offices[i])
        return partners.approve_partner(office, partner_id, now=NOW).decided_by_id

    results = run_at_once(app, 2, approve)

    decided = [r for r in results if isinstance(r, int)]
    assert len(decided) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in decided), results
    stored = db.session.get(Partner, partner_id)
    assert (stored.status, stored.decided_by_id) == (PartnerStatus.approved, decided[0])


@pytest.mark.postgres
def test_one_merchant_linked_twice_at_once_makes_one_partner(app):
    merchant, _staff, _items = make_merchant()
    offices = [make_office().id, make_office().id]
    merchant_id = merchant.id

    def register(i):
        office = db.session.get(User, offices[i])
        details = PartnerDetails(
            name=f"爱心商家合作点{i}", kind=PartnerKind.merchant, merchant_id=merchant_id
        )
        return partners.register_partner(office, details, now=NOW).id

    results = run_at_once(app, 2, register)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    refused = [r for r in results if r not in made]
    assert isinstance(refused[0], ValidationFailed | Conflict), refused
    if isinstance(refused[0], ValidationFailed):
        assert "merchant_id" in refused[0].errors
    assert count(Partner) == 1


@pytest.mark.postgres
def test_one_name_taken_twice_at_once_makes_one_partner(app):
    offices = [make_office().id, make_office().id]

    def register(i):
        office = db.session.get(User, offices[i])
        details = PartnerDetails(name="老龙头景区", kind=PartnerKind.scenic)
        return partners.register_partner(office, details, now=NOW).id

    results = run_at_once(app, 2, register)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    refused = [r for r in results if r not in made]
    assert isinstance(refused[0], ValidationFailed | Conflict), refused
    if isinstance(refused[0], ValidationFailed):
        assert "name" in refused[0].errors
    assert count(Partner) == 1
