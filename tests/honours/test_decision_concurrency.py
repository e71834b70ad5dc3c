"""Decisions at the same moment, each a request of its own (meaningful on PostgreSQL; SQLite's
writers take turns anyway): rounds decided together take certificate numbers of the year's
series without a gap or a twin; one round decided twice at once is decided once; one document
number given to two rounds at once serves one."""

from __future__ import annotations

from sqlalchemy import func, select

from certificates.models import DocumentKind, IssuedDocument
from core.auth.models import User
from core.errors import Conflict
from core.extensions import db
from core.settings import current_settings
from honours.models import Honour
from honours.nomination_models import RoundDecision
from honours.services import decision
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_office, make_places
from tests.honours.decision_builders import make_notice, on_notice
from tests.honours.nomination_builders import open_round


def _rounds(office, places, count: int, entries: int = 2) -> list[int]:
    """`count` rounds whose notice closed, each with `entries` entries on notice."""
    made = []
    for n in range(count):
        round_ = open_round(office, name=f"2026年{n + 1}月“秦皇岛好人”月评")
        make_notice(round_, office)
        for e in range(entries):
            on_notice(round_, places["wenhuali"], office, name=f"好人{n}{e}")
        made.append(round_.id)
    return made


def _decide(office_id: int, round_id: int, number: str):
    office = db.session.get(User, office_id)
    made = decision.record_decision(
        office,
        round_id,
        document_number=number,
        decided_on=NOW.date(),
        now=NOW,
        settings=current_settings().certificates,
    )
    return made.id


def _numbers() -> list[str]:
    return list(
        db.session.scalars(
            select(IssuedDocument.number)
            .where(IssuedDocument.kind == DocumentKind.honour_certificate)
            .order_by(IssuedDocument.number)
        )
    )


def test_rounds_decided_at_once_take_certificate_numbers_without_gaps_or_twins(app):
    places = make_places()
    office = make_office()
    round_ids = _rounds(office, places, 4)
    office_id = office.id

    results = run_at_once(
        app, 4, lambda i: _decide(office_id, round_ids[i], f"秦文明委〔2026〕{i + 1}号")
    )

    assert all(isinstance(r, int) for r in results), results
    expected = [f"QHD-HR-2026-{n:06d}" for n in range(1, 9)]
    assert _numbers() == expected
    held = db.session.scalars(select(Honour.certificate_number).order_by(Honour.id)).all()
    assert sorted(held) == expected


def test_one_round_decided_twice_at_once_is_decided_once(app):
    places = make_places()
    office = make_office()
    (round_id,) = _rounds(office, places, 1, entries=3)
    office_id = office.id

    results = run_at_once(
        app, 3, lambda i: _decide(office_id, round_id, f"秦文明委〔2026〕{i + 1}号")
    )

    decided = [r for r in results if isinstance(r, int)]
    assert len(decided) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in decided), results
    assert db.session.scalar(select(func.count()).select_from(RoundDecision)) == 1
    assert db.session.scalar(select(func.count()).select_from(Honour)) == 3
    assert _numbers() == [f"QHD-HR-2026-{n:06d}" for n in range(1, 4)]


def test_one_document_number_given_to_two_rounds_at_once_serves_one(app):
    places = make_places()
    office = make_office()
    round_ids = _rounds(office, places, 2, entries=1)
    office_id = office.id

    results = run_at_once(app, 2, lambda i: _decide(office_id, round_ids[i], "秦文明委〔2026〕7号"))

    decided = [r for r in results if isinstance(r, int)]
    assert len(decided) == 1, results
    (refused,) = [r for r in results if r not in decided]
    assert isinstance(refused, Conflict) and "document_number" in refused.errors, results
    assert db.session.scalar(select(func.count()).select_from(RoundDecision)) == 1
    # The refused decision's certificate number went back with its transaction.
    assert _numbers() == ["QHD-HR-2026-000001"]
