"""The team rules in volunteer.services: founding, the office's decision, joining, leaving,
removal, leadership and the membership history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.models import Role
from core.clock import utcnow
from core.districts import ensure_districts, list_districts
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from tests.builders import make_user
from volunteer import services
from volunteer.models import (
    Membership,
    MembershipAction,
    MembershipRole,
    MembershipStatus,
    Team,
    TeamStatus,
)


@pytest.fixture
def district(app):
    ensure_districts()
    return list_districts()[0]


@pytest.fixture
def office(app):
    return make_user(role=Role.office, display_name="文明办")


@pytest.fixture
def founder(app):
    return make_user(display_name="创始人")


def apply(founder, district, *, name="海港区雷锋志愿服务队", categories=(), now=None):
    return services.apply_for_team(
        founder,
        name=name,
        district_id=district.id,
        categories=list(categories),
        description="  每周六  ",
        now=now or utcnow(),
    )


@pytest.fixture
def team(founder, district, office):
    """An approved team led by `founder`."""
    applied = apply(founder, district)
    return services.decide_team(office, applied.id, approve=True, reason=None, now=utcnow())


def join(user, team, leader):
    membership = services.request_to_join(user, team.id, now=utcnow())
    return services.decide_join_request(
        leader, membership.id, approve=True, reason=None, now=utcnow()
    )


def actions(membership) -> list[MembershipAction]:
    return [event.action for event in services.membership_history(membership.user, membership.id)]


def raised(error_class, call, *args, **kwargs):
    with pytest.raises(error_class) as info:
        call(*args, **kwargs)
    return info.value


# apply_for_team


def test_an_application_is_pending_and_gives_no_membership_yet(founder, district):
    applied = apply(founder, district, categories=["visits", "cleaning", "visits"])

    assert applied.status is TeamStatus.pending
    assert applied.founder_id == founder.id
    assert applied.categories == ["cleaning", "visits"]
    assert applied.description == "每周六"
    assert services.find_membership(founder, applied.id) is None
    assert services.led_team_ids(founder) == []


def test_an_application_needs_a_name(founder, district):
    error = raised(ValidationFailed, apply, founder, district, name="   ")

    assert "name" in error.errors


@pytest.mark.parametrize(
    "taken", ["Lei Feng Team", "lei feng team", "LEI FENG TEAM", " Lei Feng Team "]
)
def test_a_taken_name_is_refused_whatever_its_case(founder, district, taken):
    apply(founder, district, name="Lei Feng Team")

    error = raised(ValidationFailed, apply, make_user(), district, name=taken)

    assert "name" in error.errors
    assert db.session.scalar(select(func.count()).select_from(Team)) == 1


def test_a_name_taken_by_an_approved_team_is_refused(founder, district, team):
    error = raised(ValidationFailed, apply, make_user(), district, name=team.name)

    assert "name" in error.errors


def test_an_application_needs_a_known_district(founder):
    ensure_districts()
    error = raised(
        ValidationFailed,
        services.apply_for_team,
        founder,
        name="新队",
        district_id=999999,
        categories=[],
        description="",
        now=utcnow(),
    )

    assert "district_id" in error.errors


def test_an_application_needs_known_categories(founder, district):
    error = raised(ValidationFailed, apply, founder, district, categories=["cleaning", "juggling"])

    assert "categories" in error.errors


@pytest.mark.parametrize("role", [Role.office, Role.merchant_staff])
def test_only_volunteers_found_teams(district, role):
    raised(Forbidden, apply, make_user(role=role), district)

    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_my_applications_are_the_founders_own_newest_first(founder, district, office):
    now = utcnow()
    older = apply(founder, district, name="老申请", now=now - timedelta(days=1))
    newer = apply(founder, district, name="新申请", now=now)
    services.decide_team(office, older.id, approve=False, reason="重名", now=now)
    apply(make_user(), district, name="别人的申请", now=now)

    assert [t.id for t in services.list_my_applications(founder)] == [newer.id, older.id]


# list_teams_to_decide and decide_team


def test_the_queue_holds_only_pending_applications_oldest_first(founder, district, office):
    now = utcnow()
    later = apply(founder, district, name="后来的", now=now)
    earlier = apply(founder, district, name="先来的", now=now - timedelta(hours=1))
    decided = apply(founder, district, name="已决定", now=now - timedelta(hours=2))
    services.decide_team(office, decided.id, approve=True, reason=None, now=now)

    assert [t.id for t in services.list_teams_to_decide(office)] == [earlier.id, later.id]


@pytest.mark.parametrize("role", [Role.volunteer, Role.merchant_staff])
def test_only_the_office_reads_the_queue(app, role):
    raised(Forbidden, services.list_teams_to_decide, make_user(role=role))


def test_approval_makes_the_founder_an_active_leader(founder, district, office):
    applied = apply(founder, district)
    now = utcnow()

    decided = services.decide_team(office, applied.id, approve=True, reason=None, now=now)

    assert decided.status is TeamStatus.approved
    assert decided.decided_by_id == office.id
    assert decided.decided_at == now
    membership = services.find_membership(founder, applied.id)
    assert membership.is_leader
    assert membership.joined_at == now
    assert services.is_team_leader(founder, applied.id)
    assert services.led_team_ids(founder) == [applied.id]
    assert actions(membership) == [MembershipAction.founded]


def test_rejection_needs_a_reason_and_changes_nothing_without_one(founder, district, office):
    applied = apply(founder, district)

    error = raised(
        ValidationFailed,
        services.decide_team,
        office,
        applied.id,
        approve=False,
        reason="  ",
        now=utcnow(),
    )

    assert "reason" in error.errors
    db.session.expire_all()
    assert db.session.get(Team, applied.id).status is TeamStatus.pending
    assert services.find_membership(founder, applied.id) is None


def test_rejection_keeps_the_reason_and_gives_no_membership(founder, district, office):
    applied = apply(founder, district)

    decided = services.decide_team(office, applied.id, approve=False, reason=" 重名 ", now=utcnow())

    assert decided.status is TeamStatus.rejected
    assert decided.decision_reason == "重名"
    assert services.find_membership(founder, applied.id) is None


@pytest.mark.parametrize("first", [True, False])
def test_deciding_twice_is_a_conflict(founder, district, office, first):
    applied = apply(founder, district)
    services.decide_team(office, applied.id, approve=first, reason="理由", now=utcnow())

    raised(
        Conflict,
        services.decide_team,
        office,
        applied.id,
        approve=not first,
        reason="理由",
        now=utcnow(),
    )

    assert applied.status is (TeamStatus.approved if first else TeamStatus.rejected)


@pytest.mark.parametrize("role", [Role.volunteer, Role.merchant_staff])
def test_only_the_office_decides_applications(founder, district, role):
    applied = apply(founder, district)

    raised(
        Forbidden,
        services.decide_team,
        make_user(role=role),
        applied.id,
        approve=True,
        reason=None,
        now=utcnow(),
    )

    assert applied.status is TeamStatus.pending


def test_the_founder_may_not_approve_their_own_team(founder, district):
    applied = apply(founder, district)

    raised(
        Forbidden,
        services.decide_team,
        founder,
        applied.id,
        approve=True,
        reason=None,
        now=utcnow(),
    )


def test_deciding_an_unknown_team_is_not_found(office):
    raised(NotFound, services.decide_team, office, 999999, approve=True, reason=None, now=utcnow())


def test_get_team_raises_not_found(app):
    raised(NotFound, services.get_team, 999999)


# find_teams


def test_find_teams_shows_only_approved_teams_and_filters(founder, office):
    ensure_districts()
    haigang, shanhaiguan = list_districts()[:2]

    def approved(name, district, categories):
        applied = apply(founder, district, name=name, categories=categories)
        return services.decide_team(office, applied.id, approve=True, reason=None, now=utcnow())

    cleaners = approved("海港清洁队", haigang, ["cleaning"])
    barbers = approved("关城理发队", shanhaiguan, ["free_haircut", "cleaning"])
    apply(founder, haigang, name="待批清洁队", categories=["cleaning"])
    rejected = apply(founder, haigang, name="被拒清洁队", categories=["cleaning"])
    services.decide_team(office, rejected.id, approve=False, reason="不符", now=utcnow())

    def ids(**filters):
        return {t.id for t in services.find_teams(**filters)}

    assert ids() == {cleaners.id, barbers.id}
    assert ids(district_id=haigang.id) == {cleaners.id}
    assert ids(category="free_haircut") == {barbers.id}
    assert ids(category="cleaning") == {cleaners.id, barbers.id}
    assert ids(text=" 清洁 ") == {cleaners.id}
    assert ids(text="%") == set()
    assert ids(district_id=shanhaiguan.id, category="cleaning", text="理发") == {barbers.id}
    assert ids(category="juggling") == set()


def test_find_teams_matches_the_name_whatever_its_case(founder, district, office):
    applied = apply(founder, district, name="Harbour Helpers")
    services.decide_team(office, applied.id, approve=True, reason=None, now=utcnow())

    assert [t.id for t in services.find_teams(text="harbour")] == [applied.id]
    assert [t.id for t in services.find_teams(text="HELPERS")] == [applied.id]


# visible_team


def test_an_approved_team_is_visible_to_everyone(team):
    assert services.visible_team(None, team.id) is team
    assert services.visible_team(make_user(), team.id) is team


@pytest.mark.parametrize("decision", [None, False])
def test_an_application_is_visible_only_to_its_founder_and_the_office(
    founder, district, office, decision
):
    applied = apply(founder, district)
    if decision is not None:
        services.decide_team(office, applied.id, approve=False, reason="不符", now=utcnow())

    assert services.visible_team(founder, applied.id) is applied
    assert services.visible_team(office, applied.id) is applied
    raised(NotFound, services.visible_team, None, applied.id)
    raised(NotFound, services.visible_team, make_user(), applied.id)
    raised(NotFound, services.visible_team, founder, 999999)


# Membership queries and require_team_manager


def test_require_team_manager_lets_leaders_and_the_office_through(team, founder, office):
    member = make_user()
    join(member, team, founder)

    assert services.require_team_manager(founder, team.id) is team
    assert services.require_team_manager(office, team.id) is team
    raised(Forbidden, services.require_team_manager, member, team.id)
    raised(Forbidden, services.require_team_manager, make_user(), team.id)
    raised(NotFound, services.require_team_manager, founder, 999999)


def test_list_my_memberships_holds_current_and_pending_ones(founder, district, office, team):
    volunteer = make_user()
    other = services.decide_team(
        office, apply(founder, district, name="第二队").id, approve=True, reason=None, now=utcnow()
    )
    third = services.decide_team(
        office, apply(founder, district, name="第三队").id, approve=True, reason=None, now=utcnow()
    )
    join(volunteer, team, founder)
    services.request_to_join(volunteer, other.id, now=utcnow())
    refused = services.request_to_join(volunteer, third.id, now=utcnow())
    services.decide_join_request(founder, refused.id, approve=False, reason=None, now=utcnow())

    mine = services.list_my_memberships(volunteer)

    assert {(m.team_id, m.status) for m in mine} == {
        (team.id, MembershipStatus.active),
        (other.id, MembershipStatus.requested),
    }


# request_to_join


def test_asking_to_join_records_a_request(team):
    volunteer = make_user()

    membership = services.request_to_join(volunteer, team.id, now=utcnow())

    assert membership.status is MembershipStatus.requested
    assert membership.role is MembershipRole.member
    assert membership.joined_at is None
    assert actions(membership) == [MembershipAction.requested]


@pytest.mark.parametrize("role", [Role.office, Role.merchant_staff])
def test_only_volunteers_ask_to_join(team, role):
    raised(Forbidden, services.request_to_join, make_user(role=role), team.id, now=utcnow())


def test_asking_twice_is_a_conflict(team):
    volunteer = make_user()
    services.request_to_join(volunteer, team.id, now=utcnow())

    raised(Conflict, services.request_to_join, volunteer, team.id, now=utcnow())


def test_an_active_member_asking_again_is_a_conflict(team, founder):
    raised(Conflict, services.request_to_join, founder, team.id, now=utcnow())


def test_a_pending_or_rejected_team_takes_no_requests(founder, district, office):
    pending = apply(founder, district, name="待批")
    rejected = apply(founder, district, name="被拒")
    services.decide_team(office, rejected.id, approve=False, reason="不符", now=utcnow())

    raised(Conflict, services.request_to_join, make_user(), pending.id, now=utcnow())
    raised(Conflict, services.request_to_join, make_user(), rejected.id, now=utcnow())
    raised(NotFound, services.request_to_join, make_user(), 999999, now=utcnow())


def test_a_refused_volunteer_may_ask_again_and_the_history_keeps_both(team, founder):
    volunteer = make_user()
    first = services.request_to_join(volunteer, team.id, now=utcnow())
    services.decide_join_request(founder, first.id, approve=False, reason="已满", now=utcnow())

    again = services.request_to_join(volunteer, team.id, now=utcnow())

    assert again.id == first.id
    assert again.status is MembershipStatus.requested
    history = services.membership_history(volunteer, again.id)
    assert [e.action for e in history] == [
        MembershipAction.requested,
        MembershipAction.refused,
        MembershipAction.requested,
    ]
    assert history[1].reason == "已满"


def test_a_former_leader_who_left_comes_back_as_a_member(team, founder):
    co_leader = join(make_user(), team, founder)
    services.make_leader(founder, co_leader.id, now=utcnow())
    services.leave_team(founder, team.id, now=utcnow())

    back = services.request_to_join(founder, team.id, now=utcnow())

    assert back.role is MembershipRole.member
    assert back.status is MembershipStatus.requested
    assert not services.is_team_leader(founder, team.id)


# list_join_requests and decide_join_request


def test_join_requests_are_pending_ones_oldest_first_for_managers_only(team, founder, office):
    now = utcnow()
    later = services.request_to_join(make_user(), team.id, now=now)
    earlier = services.request_to_join(make_user(), team.id, now=now - timedelta(minutes=5))
    member = join(make_user(), team, founder)

    assert [m.id for m in services.list_join_requests(founder, team.id)] == [earlier.id, later.id]
    assert len(services.list_join_requests(office, team.id)) == 2
    raised(Forbidden, services.list_join_requests, member.user, team.id)


def test_approving_a_request_makes_an_active_member(team, founder):
    volunteer = make_user()
    asked = services.request_to_join(volunteer, team.id, now=utcnow())
    now = utcnow()

    decided = services.decide_join_request(founder, asked.id, approve=True, reason=None, now=now)

    assert decided.status is MembershipStatus.active
    assert decided.role is MembershipRole.member
    assert decided.joined_at == now
    assert actions(decided) == [MembershipAction.requested, MembershipAction.approved]


def test_refusing_keeps_an_optional_reason(team, founder):
    with_reason = services.request_to_join(make_user(), team.id, now=utcnow())
    without = services.request_to_join(make_user(), team.id, now=utcnow())

    services.decide_join_request(
        founder, with_reason.id, approve=False, reason=" 已满 ", now=utcnow()
    )
    services.decide_join_request(founder, without.id, approve=False, reason="", now=utcnow())

    assert with_reason.status is MembershipStatus.refused
    assert services.membership_history(founder, with_reason.id)[-1].reason == "已满"
    assert services.membership_history(founder, without.id)[-1].reason is None


def test_deciding_a_request_twice_is_a_conflict(team, founder):
    asked = services.request_to_join(make_user(), team.id, now=utcnow())
    services.decide_join_request(founder, asked.id, approve=True, reason=None, now=utcnow())

    raised(
        Conflict,
        services.decide_join_request,
        founder,
        asked.id,
        approve=False,
        reason=None,
        now=utcnow(),
    )

    assert asked.status is MembershipStatus.active


def test_only_a_leader_of_that_team_decides_requests(team, founder, district, office):
    asked = services.request_to_join(make_user(), team.id, now=utcnow())
    member = join(make_user(), team, founder)
    other_leader = make_user()
    services.decide_team(
        office,
        apply(other_leader, district, name="别的队").id,
        approve=True,
        reason=None,
        now=utcnow(),
    )

    for outsider in (member.user, other_leader, make_user()):
        raised(
            Forbidden,
            services.decide_join_request,
            outsider,
            asked.id,
            approve=True,
            reason=None,
            now=utcnow(),
        )

    assert asked.status is MembershipStatus.requested
    services.decide_join_request(office, asked.id, approve=True, reason=None, now=utcnow())
    assert asked.status is MembershipStatus.active


def test_deciding_an_unknown_request_is_not_found(founder):
    raised(
        NotFound,
        services.decide_join_request,
        founder,
        999999,
        approve=True,
        reason=None,
        now=utcnow(),
    )


# list_members


def test_members_are_active_ones_leaders_first_for_managers_only(team, founder):
    now = utcnow()
    early = join(make_user(display_name="老队员"), team, founder)
    late = join(make_user(display_name="新队长"), team, founder)
    services.make_leader(founder, late.id, now=now)
    services.request_to_join(make_user(), team.id, now=now)
    gone = join(make_user(), team, founder)
    services.leave_team(gone.user, team.id, now=now)

    members = services.list_members(founder, team.id)

    assert [m.is_leader for m in members] == [True, True, False]
    assert {m.id for m in members} == {
        services.find_membership(founder, team.id).id,
        late.id,
        early.id,
    }
    raised(Forbidden, services.list_members, early.user, team.id)


# leave_team


def test_a_member_leaves_and_it_is_recorded(team, founder):
    member = join(make_user(), team, founder)

    left = services.leave_team(member.user, team.id, now=utcnow())

    assert left.status is MembershipStatus.left
    assert actions(left)[-1] is MembershipAction.left
    assert services.list_my_memberships(member.user) == []


def test_the_last_leader_cannot_leave(team, founder):
    join(make_user(), team, founder)

    raised(Conflict, services.leave_team, founder, team.id, now=utcnow())

    assert services.is_team_leader(founder, team.id)


def test_a_leader_may_leave_once_there_is_another(team, founder):
    co_leader = join(make_user(), team, founder)
    services.make_leader(founder, co_leader.id, now=utcnow())

    services.leave_team(founder, team.id, now=utcnow())

    assert not services.is_team_leader(founder, team.id)
    assert services.led_team_ids(co_leader.user) == [team.id]


def test_leaving_a_team_one_is_not_in_is_not_found(team, founder):
    asked = services.request_to_join(make_user(), team.id, now=utcnow())

    raised(NotFound, services.leave_team, make_user(), team.id, now=utcnow())
    raised(NotFound, services.leave_team, asked.user, team.id, now=utcnow())
    assert asked.status is MembershipStatus.requested


# remove_member


def test_removal_needs_a_reason(team, founder):
    member = join(make_user(), team, founder)

    error = raised(
        ValidationFailed, services.remove_member, founder, member.id, reason=" ", now=utcnow()
    )

    assert "reason" in error.errors
    assert member.status is MembershipStatus.active


def test_removal_keeps_the_reason_in_the_history(team, founder):
    member = join(make_user(), team, founder)

    removed = services.remove_member(founder, member.id, reason=" 多次缺席 ", now=utcnow())

    assert removed.status is MembershipStatus.removed
    last = services.membership_history(founder, member.id)[-1]
    assert (last.action, last.reason, last.actor_id) == (
        MembershipAction.removed,
        "多次缺席",
        founder.id,
    )


def test_only_active_members_can_be_removed(team, founder):
    asked = services.request_to_join(make_user(), team.id, now=utcnow())

    raised(Conflict, services.remove_member, founder, asked.id, reason="理由", now=utcnow())


def test_a_leader_cannot_remove_themselves(team, founder):
    own = services.find_membership(founder, team.id)

    raised(Conflict, services.remove_member, founder, own.id, reason="理由", now=utcnow())

    assert own.is_leader


def test_only_a_leader_of_that_team_removes_members(team, founder):
    member = join(make_user(), team, founder)
    other = join(make_user(), team, founder)

    raised(Forbidden, services.remove_member, other.user, member.id, reason="理由", now=utcnow())
    raised(NotFound, services.remove_member, founder, 999999, reason="理由", now=utcnow())

    assert member.status is MembershipStatus.active


# make_leader


def test_making_a_leader_records_it_once(team, founder):
    member = join(make_user(), team, founder)

    services.make_leader(founder, member.id, now=utcnow())
    services.make_leader(founder, member.id, now=utcnow())

    assert member.is_leader
    assert actions(member).count(MembershipAction.made_leader) == 1


def test_only_active_members_can_be_made_leader(team, founder):
    asked = services.request_to_join(make_user(), team.id, now=utcnow())

    raised(Conflict, services.make_leader, founder, asked.id, now=utcnow())

    assert asked.role is MembershipRole.member


def test_only_a_leader_of_that_team_makes_leaders(team, founder):
    member = join(make_user(), team, founder)

    raised(Forbidden, services.make_leader, member.user, member.id, now=utcnow())
    raised(NotFound, services.make_leader, founder, 999999, now=utcnow())

    assert not member.is_leader


# membership_history


def test_the_history_is_for_the_member_the_leaders_and_the_office(team, founder, office):
    member = join(make_user(), team, founder)
    other_member = join(make_user(), team, founder)

    for viewer in (member.user, founder, office):
        assert [e.action for e in services.membership_history(viewer, member.id)] == [
            MembershipAction.requested,
            MembershipAction.approved,
        ]
    raised(Forbidden, services.membership_history, other_member.user, member.id)
    raised(Forbidden, services.membership_history, make_user(), member.id)
    raised(NotFound, services.membership_history, founder, 999999)


def test_the_history_names_who_acted(team, founder):
    member = join(make_user(), team, founder)

    history = services.membership_history(founder, member.id)

    assert [e.actor_id for e in history] == [member.user_id, founder.id]
    assert db.session.get(Membership, member.id).user_id == member.user.id
