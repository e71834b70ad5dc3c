"""Two nominations of one nominee arriving at the same instant (meaningful on PostgreSQL; SQLite's
writers take turns anyway): each looks for the other with the round's row locked, so the second
is flagged as the first's duplicate however the two interleave."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from honours.nomination_models import Nomination
from honours.services import nominations
from tests.builders import make_user
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_places
from tests.honours.nomination_builders import DEEDS, open_round


def test_two_nominations_of_one_nominee_at_the_same_instant_are_flagged(app):
    places = make_places()
    round_ = open_round()
    users = []
    for name in ("热心市民甲", "热心市民乙", "热心市民丙", "热心市民丁"):
        user = make_user(display_name=name)
        user.phone_verified_at = NOW - timedelta(days=1)
        users.append(user)
    db.session.flush()
    user_ids = [user.id for user in users]
    values = {
        "round_id": round_.id,
        "nominee_name": "王秀兰",
        "nominee_birth_date": date(1958, 3, 12),
        "region_id": places["wenhuali"].id,
        "category": "filial_piety",
        "summary": "三十年如一日照顾瘫痪婆婆的好儿媳",
        "deeds": (DEEDS * 2)[:900],
    }

    def nominate(i):
        user = db.session.get(User, user_ids[i])
        return nominations.nominate(user, dict(values), now=NOW).id

    results = run_at_once(app, len(user_ids), nominate)

    assert all(isinstance(result, int) for result in results), results
    rows = db.session.scalars(select(Nomination).order_by(Nomination.id)).all()
    first = rows[0]
    assert first.duplicate_of_id is None
    assert [row.duplicate_of_id for row in rows[1:]] == [first.id] * (len(rows) - 1)
