"""The public notice under requests at the same moment (meaningful on PostgreSQL; SQLite's
writers take turns anyway): the same like sent ten times at once counts once, a notice opened
twice at once opens once, an objection answered twice at once is answered once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from honours.nomination_models import NominationLike, Objection, ReviewStep, RoundNotice, Stage
from honours.services import notice
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.nomination_builders import open_round
from tests.honours.test_notice import on_notice, tallied, verified


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_like_sent_ten_times_at_once_counts_once(app):
    places = make_places()
    round_ = open_round()
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    fan_id, entry_id = verified().id, entry.id

    def like(_i):
        return notice.like(db.session.get(User, fan_id), entry_id, now=NOW + timedelta(hours=1))

    results = run_at_once(app, 10, like)

    assert all(isinstance(r, notice.LikeResult) for r in results), results
    assert sum(r.counted for r in results) == 1
    assert {r.likes for r in results} == {1}
    assert count(NominationLike) == 1


def test_a_notice_opened_twice_at_once_opens_once(app):
    places = make_places()
    round_ = open_round()
    entry = tallied(round_, places["wenhuali"])
    offices = [make_office().id, make_office().id]
    round_id, entry_id = round_.id, entry.id

    def open_it(i):
        office = db.session.get(User, offices[i])
        return notice.open_notice(office, round_id, [entry_id], now=NOW).id

    results = run_at_once(app, 2, open_it)

    opened = [r for r in results if isinstance(r, int)]
    assert len(opened) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in opened), results
    assert count(RoundNotice) == 1
    # The nomination went on notice once.
    assert count(ReviewStep) == 1


def test_an_objection_answered_twice_at_once_is_answered_once(app):
    places = make_places()
    round_ = open_round()
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    at = NOW + timedelta(hours=1)
    objection = notice.file_objection(verified(), entry.id, "不实", is_name_confirmed=True, now=at)
    offices = [make_office().id, make_office().id]
    objection_id = objection.id

    def answer(i):
        office = db.session.get(User, offices[i])
        return notice.answer_objection(office, objection_id, "upheld", f"属实{i}", now=at).id

    results = run_at_once(app, 2, answer)

    answered = [r for r in results if isinstance(r, int)]
    assert len(answered) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in answered), results
    assert db.session.get(Objection, objection_id).answer in ("属实0", "属实1")
    assert db.session.scalar(select(ReviewStep.to_stage).order_by(ReviewStep.id.desc())) is (
        Stage.rejected
    )
    assert count(ReviewStep) == 2  # on notice, then taken off once
