"""Two deciders revoking one honour at the same moment, each a request of its own (meaningful
on PostgreSQL, where the conditional update decides; SQLite's writers take turns): the honour
is revoked once and one recall task opens."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from honours.card_models import CardStatus, CourtesyCard
from honours.revocation_models import RecallTask, Revocation, RevocationHonour
from honours.services import revocation
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.revocation_builders import REASON, make_holder


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.postgres
def test_two_revocations_of_one_honour_at_once_revoke_it_once(app):
    places = make_places()
    office = make_office()
    city_staff = make_clerk(AssignmentKind.city_staff)
    person, honour, card, _ = make_holder(places["wenhuali"], office)
    actors = [office.id, city_staff.id, office.id]
    person_id, honour_id, card_id = person.id, honour.id, card.id

    def revoke(i: int):
        actor = db.session.get(User, actors[i])
        return revocation.revoke_honours(
            actor, person_id, [honour_id], reason=f"{REASON}{i}", now=NOW
        ).id

    results = run_at_once(app, 3, revoke)

    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in made), results
    assert (_count(Revocation), _count(RevocationHonour), _count(RecallTask)) == (1, 1, 1)
    assert db.session.get(CourtesyCard, card_id).status is CardStatus.revoked
