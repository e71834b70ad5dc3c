"""The panel review (评议会): the city assigns and removes a round's reviewers; each votes once
on each nomination at the panel stage; one who filed it or declared a conflict neither votes
nor counts; the city closes a nomination's review and its tally is kept with who was excluded.
Every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, assignments_of, withdraw_assignment
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from honours.nomination_models import (
    ConflictDeclaration,
    Nominator,
    NominatorKind,
    PanelMember,
    PanelTally,
    PanelVote,
    Stage,
    StepAction,
    Vote,
)
from honours.services import panel
from tests.builders import make_user
from tests.concurrency import run_at_once
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def office(places):
    return make_office()


@pytest.fixture
def round_(office):
    return open_round(office)


def reviewer(name="评议员"):
    return make_clerk(AssignmentKind.panel_reviewer, name=name)


def seated(round_, office, *names):
    """Reviewers the city put on the round's panel."""
    members = [reviewer(name) for name in names]
    for member in members:
        panel.assign_member(office, round_.id, member.id, now=NOW)
    return members


def at_panel(round_, place, **values):
    return make_nomination(round_, place, stage=Stage.panel, **values)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def conflict(user, nomination):
    db.session.add(
        ConflictDeclaration(
            nomination_id=nomination.id, user_id=user.id, reason="亲属", declared_at=NOW
        )
    )
    db.session.flush()


def vote(user, nomination, choice="approve", **values):
    return panel.cast_vote(user, nomination.id, {"vote": choice, **values}, now=NOW)


# Members --------------------------------------------------------------------------------------


def test_the_city_assigns_reviewers_and_removes_them(places, office, round_):
    first, second = reviewer("评议员甲"), reviewer("评议员乙")
    staff = make_clerk(AssignmentKind.city_staff, name="市文明办干事")

    panel.assign_member(office, round_.id, first.id, now=NOW)
    row = panel.assign_member(staff, round_.id, second.id, now=NOW + timedelta(minutes=1))

    assert (row.round_id, row.user_id, row.assigned_by_id, row.assigned_at) == (
        round_.id,
        second.id,
        staff.id,
        NOW + timedelta(minutes=1),
    )
    assert [m.user_id for m in panel.list_members(office, round_.id, now=NOW)] == [
        first.id,
        second.id,
    ]
    assert panel.reviewer_choices(office, round_.id, now=NOW) == []
    panel.remove_member(office, round_.id, first.id, now=NOW)
    assert [m.user_id for m in panel.list_members(office, round_.id, now=NOW)] == [second.id]
    assert panel.reviewer_choices(office, round_.id, now=NOW) == [first]
    with pytest.raises(NotFound):
        panel.remove_member(office, round_.id, first.id, now=NOW)


def test_only_an_account_holding_the_reviewers_role_is_assigned_and_once(places, office, round_):
    member = reviewer()
    panel.assign_member(office, round_.id, member.id, now=NOW)

    with pytest.raises(Conflict):
        panel.assign_member(office, round_.id, member.id, now=NOW)
    for wrong in (make_user().id, 0, "x", None):
        with pytest.raises(ValidationFailed) as refused:
            panel.assign_member(office, round_.id, wrong, now=NOW)
        assert "user_id" in refused.value.errors
    with pytest.raises(NotFound):
        panel.assign_member(office, 0, member.id, now=NOW)

    assert count(PanelMember) == 1


def test_no_one_but_the_city_runs_the_panel(places, office, round_):
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    member = reviewer()

    with pytest.raises(Forbidden):
        panel.assign_member(district, round_.id, member.id, now=NOW)
    with pytest.raises(Forbidden):
        panel.assign_member(member, round_.id, member.id, now=NOW)
    with pytest.raises(NotFound):
        panel.assign_member(make_user(), round_.id, member.id, now=NOW)
    with pytest.raises(NotFound):
        panel.list_members(make_user(), round_.id, now=NOW)

    assert count(PanelMember) == 0


# The ballot -----------------------------------------------------------------------------------


def test_a_reviewer_reads_the_rounds_nominations_at_the_panel_stage(places, office, round_):
    (member,) = seated(round_, office, "评议员")
    shown = at_panel(round_, places["wenhuali"])
    at_panel(open_round(office), places["wenhuali"])  # another round's
    make_nomination(round_, places["wenhuali"], stage=Stage.consent)

    found = panel.list_ballot(member, round_.id, Window(), now=NOW)

    assert [e.nomination.id for e in found.items] == [shown.id] and found.total == 1
    entry = found.items[0]
    assert entry.may_vote and entry.my_vote is None and entry.barred is None
    assert entry.votes_cast is None
    vote(member, shown, score=90)
    again = panel.get_ballot(member, shown.id, now=NOW)
    assert again.my_vote.score == 90 and not again.may_vote
    city = panel.list_ballot(office, round_.id, Window(), now=NOW).items[0]
    assert city.votes_cast == 1 and not city.may_vote


def test_the_ballot_says_why_a_reviewer_may_not_vote(places, office, round_):
    member, other = seated(round_, office, "评议员甲", "评议员乙")
    filed = at_panel(round_, places["wenhuali"], by=member)
    declared = at_panel(round_, places["wenhuali"])
    conflict(member, declared)
    nominated = at_panel(round_, places["wenhuali"])
    db.session.add(
        Nominator(
            nomination_id=nominated.id,
            from_nomination_id=nominated.id,
            kind=NominatorKind.public,
            user_id=member.id,
            name=member.display_name,
            added_at=NOW,
        )
    )
    db.session.flush()

    entries = {
        e.nomination.id: e for e in panel.list_ballot(member, round_.id, Window(), now=NOW).items
    }

    assert entries[filed.id].barred == str(panel.FILED_IT)
    assert entries[declared.id].barred == str(panel.CONFLICTED)
    assert entries[nominated.id].barred is not None
    assert not any(e.may_vote for e in entries.values())
    assert all(e.may_vote for e in panel.list_ballot(other, round_.id, Window(), now=NOW).items)


def test_the_panel_is_no_one_elses(places, office, round_):
    nomination = at_panel(round_, places["wenhuali"])
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    outsider = reviewer("别的评议员")
    (withdrawn,) = seated(round_, office, "卸任评议员")
    withdraw_assignment(office, assignments_of(withdrawn, NOW)[0].id, now=NOW)
    later = NOW + timedelta(minutes=1)

    with pytest.raises(Forbidden):
        panel.list_ballot(clerk, round_.id, Window(), now=NOW)
    with pytest.raises(Forbidden):
        panel.get_ballot(clerk, nomination.id, now=NOW)
    for user in (outsider, make_user()):
        with pytest.raises(NotFound):
            panel.list_ballot(user, round_.id, Window(), now=NOW)
        with pytest.raises(NotFound):
            panel.get_ballot(user, nomination.id, now=NOW)
    # Their role withdrawn, they sit on the panel no more, though the row is there.
    with pytest.raises(NotFound):
        panel.list_ballot(withdrawn, round_.id, Window(), now=later)
    with pytest.raises(Forbidden):
        panel.cast_vote(withdrawn, nomination.id, {"vote": "approve"}, now=later)
    assert count(PanelVote) == 0


# Votes ----------------------------------------------------------------------------------------


def test_a_reviewer_votes_once_with_a_score_and_a_comment(places, office, round_):
    (member,) = seated(round_, office, "评议员")
    nomination = at_panel(round_, places["wenhuali"])

    cast = vote(member, nomination, "reject", score=40, comment="  事迹材料不够具体  ")

    assert (cast.vote, cast.score, cast.comment, cast.reviewer_id, cast.voted_at) == (
        Vote.reject,
        40,
        "事迹材料不够具体",
        member.id,
        NOW,
    )
    with pytest.raises(Conflict) as again:
        vote(member, nomination, "approve")
    assert again.value.code == "voted_already"
    assert count(PanelVote) == 1 and nomination.stage is Stage.panel


@pytest.mark.parametrize(
    "values, field",
    [
        ({"vote": "maybe"}, "vote"),
        ({"vote": "approve", "score": 101}, "score"),
        ({"vote": "approve", "score": -1}, "score"),
        ({"vote": "approve", "score": True}, "score"),
        ({"vote": "approve", "comment": "长" * 501}, "comment"),
    ],
)
def test_a_wrong_vote_is_refused_naming_the_field(places, office, round_, values, field):
    (member,) = seated(round_, office, "评议员")
    nomination = at_panel(round_, places["wenhuali"])

    with pytest.raises(ValidationFailed) as refused:
        panel.cast_vote(member, nomination.id, values, now=NOW)

    assert field in refused.value.errors and count(PanelVote) == 0


def test_a_non_member_the_filer_and_a_conflicted_member_are_refused(places, office, round_):
    member, filer = seated(round_, office, "评议员甲", "评议员乙")
    nomination = at_panel(round_, places["wenhuali"], by=filer)
    conflict(member, nomination)

    with pytest.raises(Forbidden):
        vote(member, nomination)
    with pytest.raises(Forbidden):
        vote(filer, nomination)
    with pytest.raises(NotFound):
        vote(reviewer("别的评议员"), nomination)
    with pytest.raises(NotFound):
        vote(make_user(), nomination)
    # The city reads it but is no reviewer.
    with pytest.raises(Forbidden):
        vote(office, nomination)

    assert count(PanelVote) == 0


@pytest.mark.parametrize("stage", [Stage.consent, Stage.notice, Stage.rejected])
def test_no_vote_away_from_the_panel_stage(places, office, round_, stage):
    (member,) = seated(round_, office, "评议员")
    nomination = make_nomination(round_, places["wenhuali"], stage=stage)

    with pytest.raises((Conflict, NotFound)):
        vote(member, nomination)

    assert count(PanelVote) == 0


# The tally ------------------------------------------------------------------------------------


def test_the_city_closes_the_review_keeping_the_tally_and_who_was_excluded(places, office, round_):
    a, b, c, late, filer = seated(round_, office, "甲", "乙", "丙", "丁", "戊")
    nomination = at_panel(round_, places["wenhuali"], by=filer)
    vote(a, nomination, "approve", score=90)
    vote(b, nomination, "approve", score=71)
    vote(c, nomination, "abstain")
    vote(late, nomination, "reject", score=10)
    # A conflict declared after voting strikes the vote out.
    conflict(late, nomination)
    later = NOW + timedelta(days=1)

    tally = panel.close_review(office, nomination.id, now=later)

    assert (tally.votes_for, tally.votes_against, tally.abstentions) == (2, 0, 1)
    assert tally.mean_score == pytest.approx(80.5)
    assert tally.excluded_user_ids == sorted([late.id, filer.id])
    assert (tally.closed_by_id, tally.closed_at) == (office.id, later)
    step = nomination.steps[-1]
    assert (step.action, step.from_stage, step.to_stage) == (
        StepAction.panel_closed,
        Stage.panel,
        Stage.panel,
    )
    assert "2" in step.opinion and nomination.stage is Stage.panel
    assert panel.get_tally(a, nomination.id, now=later) is tally
    assert panel.list_tallies(office, round_.id, Window(), now=later).items == [tally]
    with pytest.raises(Conflict):
        panel.close_review(office, nomination.id, now=later)
    (newcomer,) = seated(round_, office, "新评议员")
    with pytest.raises(Conflict) as closed:
        panel.cast_vote(newcomer, nomination.id, {"vote": "approve"}, now=later)
    assert closed.value.code == "tallied"
    assert count(PanelTally) == 1


def test_a_review_without_a_vote_that_counts_is_not_closed(places, office, round_):
    (member,) = seated(round_, office, "评议员")
    nomination = at_panel(round_, places["wenhuali"])

    with pytest.raises(Conflict):
        panel.close_review(office, nomination.id, now=NOW)
    vote(member, nomination)
    conflict(member, nomination)
    with pytest.raises(Conflict):
        panel.close_review(office, nomination.id, now=NOW)

    assert count(PanelTally) == 0


def test_only_the_city_closes_a_review(places, office, round_):
    (member,) = seated(round_, office, "评议员")
    nomination = at_panel(round_, places["wenhuali"])
    vote(member, nomination)

    with pytest.raises(Forbidden):
        panel.close_review(member, nomination.id, now=NOW)
    with pytest.raises(Forbidden):
        panel.close_review(
            make_clerk(AssignmentKind.district_clerk, places["haigang"]), nomination.id, now=NOW
        )
    with pytest.raises(NotFound):
        panel.close_review(make_user(), nomination.id, now=NOW)
    with pytest.raises(NotFound):
        panel.get_tally(member, nomination.id, now=NOW)

    assert count(PanelTally) == 0 and nomination.steps == []


# At the same moment (PostgreSQL) ----------------------------------------------------------------


def test_a_vote_sent_twice_at_once_counts_once(app, places, office, round_):
    (member,) = seated(round_, office, "评议员")
    nomination = at_panel(round_, places["wenhuali"])
    member_id, nomination_id = member.id, nomination.id

    def cast(i):
        user = db.session.get(type(member), member_id)
        return panel.cast_vote(
            user, nomination_id, {"vote": "approve", "score": 80 + i}, now=NOW
        ).id

    results = run_at_once(app, 4, cast)

    cast_ids = [r for r in results if isinstance(r, int)]
    assert len(cast_ids) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in cast_ids), results
    assert count(PanelVote) == 1
