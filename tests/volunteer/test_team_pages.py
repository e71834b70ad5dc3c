"""The team pages: finding teams, founding one, joining, and a leader managing members."""

from __future__ import annotations

import html

import pytest
from flask import url_for
from flask_babel import gettext
from sqlalchemy import func, select

from core.auth.models import Role
from core.clock import utcnow
from core.districts import ensure_districts, list_districts
from core.extensions import db
from tests.builders import make_user
from tests.conftest import sign_in
from volunteer import services
from volunteer.models import (
    Membership,
    MembershipAction,
    MembershipEvent,
    MembershipRole,
    MembershipStatus,
    Team,
    TeamStatus,
)


def first_district():
    ensure_districts()
    return list_districts()[0]


def make_team(founder, *, name="海港区雷锋志愿服务队", approve=True, district=None, categories=()):
    """A team applied for by `founder` and, unless told otherwise, approved by the office."""
    district = district or first_district()
    team = services.apply_for_team(
        founder,
        name=name,
        district_id=district.id,
        categories=list(categories),
        description="",
        now=utcnow(),
    )
    if approve:
        office = make_user(role=Role.office, display_name="审批人")
        services.decide_team(office, team.id, approve=True, reason=None, now=utcnow())
    return team


def client_for(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def reload(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def membership_of(user, team_id) -> Membership | None:
    db.session.expire_all()
    return services.find_membership(user, team_id)


def text_of(response) -> str:
    return html.unescape(response.text)


def team_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Team))


# Founding a team: apply, the office approves, the founder leads


def test_applying_then_approval_makes_the_founder_leader(volunteer_client, volunteer, app):
    district = first_district()
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))

    response = volunteer_client.post(
        "/teams/new",
        data={
            "name": "山海关助老服务队",
            "district_id": str(district.id),
            "categories": ["visits", "elderly_care"],
            "description": "每周六上午",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/teams")
    db.session.expire_all()
    team = db.session.scalar(select(Team).where(Team.name == "山海关助老服务队"))
    assert team.status is TeamStatus.pending
    assert team.founder_id == volunteer.id
    assert team.categories == ["elderly_care", "visits"]
    assert membership_of(volunteer, team.id) is None
    queue = office_client.get("/office/teams")
    assert queue.status_code == 200
    assert f'data-testid="application-{team.id}"' in queue.text

    decided = office_client.post(f"/office/teams/{team.id}/decide", data={"decision": "approve"})

    assert decided.status_code == 302
    assert reload(Team, team.id).status is TeamStatus.approved
    membership = membership_of(volunteer, team.id)
    assert membership.is_leader
    page = volunteer_client.get(f"/teams/{team.id}")
    assert page.status_code == 200
    assert 'id="manage"' in page.text
    listing = volunteer_client.get("/teams")
    assert f'data-testid="my-team-{team.id}"' in listing.text
    assert f'data-testid="team-{team.id}"' in listing.text


def test_new_team_page_shows_the_form(volunteer_client):
    first_district()

    response = volunteer_client.get("/teams/new")

    assert response.status_code == 200
    for name in ("name", "district_id", "categories", "description"):
        assert f'name="{name}"' in response.text


def test_new_team_page_needs_sign_in(client):
    response = client.get("/teams/new")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_only_volunteers_may_found_a_team(app):
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))

    assert office_client.get("/teams/new").status_code == 403
    refused = office_client.post(
        "/teams/new", data={"name": "文明办的队", "district_id": str(first_district().id)}
    )
    assert refused.status_code == 403
    assert team_count() == 0


def test_the_founder_sees_the_waiting_application_in_the_list(volunteer_client, volunteer):
    team = make_team(volunteer, approve=False)

    page = volunteer_client.get("/teams").text

    assert f'data-testid="application-{team.id}"' in page
    assert f'data-testid="team-{team.id}"' not in page


def test_a_taken_name_is_refused_beside_the_field(volunteer_client, volunteer):
    make_team(volunteer, name="Lei Feng Team")
    before = team_count()

    response = volunteer_client.post(
        "/teams/new", data={"name": "lei feng team", "district_id": str(first_district().id)}
    )

    assert response.status_code == 200
    assert gettext("A team of this name exists already.") in text_of(response)
    assert team_count() == before


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "district_id": "1"},
        {"name": "新队", "district_id": ""},
        {"name": "新队", "district_id": "abc"},
        {"name": "新队", "district_id": "999999"},
        {"name": "新队", "district_id": "1", "categories": ["juggling"]},
        {"name": "x" * 81, "district_id": "1"},
    ],
)
def test_bad_applications_show_the_form_again_and_create_nothing(volunteer_client, data):
    first_district()

    response = volunteer_client.post("/teams/new", data=data)

    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert team_count() == 0


# The office's queue


def test_rejecting_without_a_reason_shows_an_error_and_changes_nothing(app, volunteer):
    team = make_team(volunteer, approve=False)
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))

    response = office_client.post(
        f"/office/teams/{team.id}/decide", data={"decision": "refuse", "reason": "  "}
    )

    assert response.status_code == 200
    assert gettext("Give a reason.") in text_of(response)
    assert f'id="reason-{team.id}"' in response.text
    team = reload(Team, team.id)
    assert team.status is TeamStatus.pending
    assert team.decided_by_id is None
    assert membership_of(volunteer, team.id) is None


def test_rejecting_with_a_reason_keeps_it_and_the_founder_sees_it(app, volunteer_client, volunteer):
    team = make_team(volunteer, approve=False)
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))

    response = office_client.post(
        f"/office/teams/{team.id}/decide", data={"decision": "refuse", "reason": "名称不规范"}
    )

    assert response.status_code == 302
    team = reload(Team, team.id)
    assert team.status is TeamStatus.rejected
    assert team.decision_reason == "名称不规范"
    assert "名称不规范" in volunteer_client.get(f"/teams/{team.id}").text


def test_deciding_twice_flashes_and_changes_nothing(app, volunteer):
    team = make_team(volunteer, approve=False)
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))
    office_client.post(f"/office/teams/{team.id}/decide", data={"decision": "approve"})

    response = office_client.post(
        f"/office/teams/{team.id}/decide",
        data={"decision": "refuse", "reason": "改主意了"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert gettext("This application has been decided already.") in text_of(response)
    assert reload(Team, team.id).status is TeamStatus.approved


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}, {"decision": "approve", "x": "y"}])
def test_a_malformed_decision_is_no_500(app, volunteer, data):
    team = make_team(volunteer, approve=False)
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))

    response = office_client.post(f"/office/teams/{team.id}/decide", data=data)

    assert response.status_code in (200, 302)
    if "decision" not in data or data["decision"] != "approve":
        assert reload(Team, team.id).status is TeamStatus.pending


def test_deciding_an_unknown_team_is_no_500(app):
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))

    response = office_client.post("/office/teams/999999/decide", data={"decision": "approve"})

    assert response.status_code == 302


def test_only_the_office_sees_and_decides_the_queue(app, client, volunteer_client, volunteer):
    team = make_team(make_user(display_name="创始人"), approve=False)

    assert volunteer_client.get("/office/teams").status_code == 403
    refused = volunteer_client.post(f"/office/teams/{team.id}/decide", data={"decision": "approve"})
    assert refused.status_code == 403
    assert client.get("/office/teams").status_code == 302
    assert reload(Team, team.id).status is TeamStatus.pending


# Finding teams


def test_the_team_list_filters_by_district_category_and_name(client, volunteer):
    ensure_districts()
    haigang, shanhaiguan = list_districts()[:2]
    cleaners = make_team(volunteer, name="海港清洁队", district=haigang, categories=["cleaning"])
    barbers = make_team(
        volunteer, name="关城理发队", district=shanhaiguan, categories=["free_haircut"]
    )
    pending = make_team(volunteer, name="待批清洁队", district=haigang, approve=False)

    def shown(query):
        page = client.get("/teams" + query).text
        return {t.id for t in (cleaners, barbers, pending) if f'data-testid="team-{t.id}"' in page}

    assert shown("") == {cleaners.id, barbers.id}
    assert shown(f"?district={haigang.id}") == {cleaners.id}
    assert shown("?category=free_haircut") == {barbers.id}
    assert shown("?q=清洁") == {cleaners.id}


@pytest.mark.parametrize(
    "query",
    [
        "?district=abc",
        "?district=999999",
        "?district=99999999999999999999999",
        "?category=juggling",
        "?q=%25_%5C",
        "?q=" + "长" * 500,
        "?district=&category=&q=",
    ],
)
def test_the_team_list_ignores_bad_filters(client, volunteer, query):
    team = make_team(volunteer)

    response = client.get("/teams" + query)

    assert response.status_code == 200
    if "q=" not in query or query.endswith("q="):
        assert f'data-testid="team-{team.id}"' in response.text


def test_the_team_list_shows_my_pending_request(app, volunteer):
    team = make_team(make_user(display_name="队长"))
    services.request_to_join(volunteer, team.id, now=utcnow())
    volunteer_client = client_for(app, volunteer)

    page = volunteer_client.get("/teams").text

    assert f'data-testid="my-team-{team.id}"' in page


# The team page


def test_an_application_is_hidden_from_everyone_but_its_founder_and_the_office(
    app, client, volunteer_client, volunteer
):
    founder = make_user(display_name="创始人")
    team = make_team(founder, approve=False)
    office_client = client_for(app, make_user(role=Role.office, display_name="文明办"))
    founder_client = client_for(app, founder)

    assert client.get(f"/teams/{team.id}").status_code == 404
    assert volunteer_client.get(f"/teams/{team.id}").status_code == 404
    assert volunteer_client.post(f"/teams/{team.id}/join").status_code == 404
    assert founder_client.get(f"/teams/{team.id}").status_code == 200
    assert office_client.get(f"/teams/{team.id}").status_code == 200


@pytest.mark.parametrize("path", ["/teams/999999", "/teams/99999999999999999999"])
def test_an_unknown_team_is_404(client, path):
    assert client.get(path).status_code == 404


def test_an_approved_team_is_public_without_management(client, volunteer):
    team = make_team(volunteer)

    response = client.get(f"/teams/{team.id}")

    assert response.status_code == 200
    assert team.name in response.text
    assert 'id="manage"' not in response.text


def test_the_new_activity_link_shows_once_the_events_page_exists(make_app):
    app = make_app()
    if "events.new_activity" not in app.view_functions:
        app.add_url_rule(
            "/probe/teams/<int:team_id>/activities/new",
            endpoint="events.new_activity",
            view_func=lambda team_id: "",
        )
    with app.app_context():
        founder = make_user(display_name="队长")
        team = make_team(founder)
        leader_client = client_for(app, founder)
        with app.test_request_context():
            link = url_for("events.new_activity", team_id=team.id)

        page = leader_client.get(f"/teams/{team.id}")

        assert page.status_code == 200
        assert f'href="{link}"' in page.text


def test_the_team_page_renders_for_a_leader_without_the_events_pages(
    app, volunteer_client, volunteer
):
    team = make_team(volunteer)

    response = volunteer_client.get(f"/teams/{team.id}")

    assert response.status_code == 200
    assert 'id="manage"' in response.text


# Joining and leaving


def test_asking_to_join_then_the_leader_approves(app, volunteer_client, volunteer):
    team = make_team(volunteer)
    joiner = make_user(display_name="新队员")
    joiner_client = client_for(app, joiner)

    asked = joiner_client.post(f"/teams/{team.id}/join")

    assert asked.status_code == 302
    membership = membership_of(joiner, team.id)
    assert membership.status is MembershipStatus.requested
    leader_page = volunteer_client.get(f"/teams/{team.id}").text
    assert f'data-testid="request-{membership.id}"' in leader_page

    decided = volunteer_client.post(
        f"/memberships/{membership.id}/decide", data={"decision": "approve"}
    )

    assert decided.status_code == 302
    membership = membership_of(joiner, team.id)
    assert membership.status is MembershipStatus.active
    assert membership.role is MembershipRole.member
    assert membership.joined_at is not None
    assert f'data-testid="member-{membership.id}"' in volunteer_client.get(f"/teams/{team.id}").text


def test_the_leader_may_refuse_with_a_reason(app, volunteer_client, volunteer):
    team = make_team(volunteer)
    joiner = make_user(display_name="新队员")
    membership = services.request_to_join(joiner, team.id, now=utcnow())

    response = volunteer_client.post(
        f"/memberships/{membership.id}/decide", data={"decision": "refuse", "reason": "人数已满"}
    )

    assert response.status_code == 302
    assert membership_of(joiner, team.id).status is MembershipStatus.refused
    reasons = db.session.scalars(
        select(MembershipEvent.reason).where(
            MembershipEvent.membership_id == membership.id,
            MembershipEvent.action == MembershipAction.refused,
        )
    ).all()
    assert reasons == ["人数已满"]


def test_asking_twice_flashes_and_keeps_one_request(app, volunteer):
    team = make_team(make_user(display_name="队长"))
    volunteer_client = client_for(app, volunteer)
    volunteer_client.post(f"/teams/{team.id}/join")

    response = volunteer_client.post(f"/teams/{team.id}/join", follow_redirects=True)

    assert response.status_code == 200
    expected = gettext("You are a member of this team or have asked to join already.")
    assert expected in text_of(response)
    requests = db.session.scalar(
        select(func.count()).where(
            MembershipEvent.action == MembershipAction.requested,
        )
    )
    assert requests == 1


def test_the_office_is_not_offered_to_join_and_is_refused(app, volunteer):
    team = make_team(volunteer)
    office = make_user(role=Role.office, display_name="文明办")
    office_client = client_for(app, office)

    page = office_client.get(f"/teams/{team.id}")
    response = office_client.post(f"/teams/{team.id}/join", follow_redirects=True)

    assert f'action="/teams/{team.id}/join"' not in page.text
    assert response.status_code == 200
    assert gettext("Only volunteers found and join teams.") in text_of(response)
    assert membership_of(office, team.id) is None


def test_joining_needs_sign_in(client, volunteer):
    team = make_team(volunteer)

    response = client.post(f"/teams/{team.id}/join")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_member_leaves(app, volunteer):
    leader = make_user(display_name="队长")
    team = make_team(leader)
    membership = services.request_to_join(volunteer, team.id, now=utcnow())
    services.decide_join_request(leader, membership.id, approve=True, reason=None, now=utcnow())
    volunteer_client = client_for(app, volunteer)

    response = volunteer_client.post(f"/teams/{team.id}/leave")

    assert response.status_code == 302
    assert membership_of(volunteer, team.id).status is MembershipStatus.left


def test_the_only_leader_cannot_leave(volunteer_client, volunteer):
    team = make_team(volunteer)

    response = volunteer_client.post(f"/teams/{team.id}/leave", follow_redirects=True)

    assert response.status_code == 200
    expected = gettext("This is the team's only leader: make another member leader first.")
    assert expected in text_of(response)
    assert membership_of(volunteer, team.id).is_leader


# Managing members


def active_member(team, leader, name="队员"):
    user = make_user(display_name=name)
    membership = services.request_to_join(user, team.id, now=utcnow())
    services.decide_join_request(leader, membership.id, approve=True, reason=None, now=utcnow())
    return membership


def test_removing_a_member_keeps_the_reason_in_the_history(volunteer_client, volunteer):
    team = make_team(volunteer)
    membership = active_member(team, volunteer)

    response = volunteer_client.post(
        f"/memberships/{membership.id}/remove", data={"reason": "连续三次无故缺席"}
    )

    assert response.status_code == 302
    assert reload(Membership, membership.id).status is MembershipStatus.removed
    history = volunteer_client.get(f"/memberships/{membership.id}/history")
    assert history.status_code == 200
    assert "连续三次无故缺席" in history.text


def test_removing_without_a_reason_flashes_and_changes_nothing(volunteer_client, volunteer):
    team = make_team(volunteer)
    membership = active_member(team, volunteer)

    response = volunteer_client.post(
        f"/memberships/{membership.id}/remove", data={"reason": " "}, follow_redirects=True
    )

    assert response.status_code == 200
    assert gettext("Give a reason.") in text_of(response)
    assert reload(Membership, membership.id).status is MembershipStatus.active


def test_making_a_member_leader(volunteer_client, volunteer):
    team = make_team(volunteer)
    membership = active_member(team, volunteer)

    response = volunteer_client.post(f"/memberships/{membership.id}/make-leader")

    assert response.status_code == 302
    assert reload(Membership, membership.id).is_leader


def test_the_member_sees_their_own_history(app, volunteer):
    leader = make_user(display_name="队长")
    team = make_team(leader)
    membership = active_member(team, leader)
    member = db.session.get(Membership, membership.id).user
    member_client = client_for(app, member)

    assert member_client.get(f"/memberships/{membership.id}/history").status_code == 200


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/memberships/{id}/decide", {"decision": "approve"}),
        ("/memberships/{id}/remove", {"reason": "不是你的队"}),
        ("/memberships/{id}/make-leader", {}),
    ],
)
def test_a_leader_of_another_team_may_not_manage_this_one(app, volunteer, path, data):
    leader = make_user(display_name="本队队长")
    team = make_team(leader, name="本队")
    make_team(volunteer, name="别的队")
    joiner = make_user(display_name="申请人")
    pending = services.request_to_join(joiner, team.id, now=utcnow())
    member = active_member(team, leader)
    target = pending if "decide" in path else member
    before = (target.status, target.role)
    outsider_client = client_for(app, volunteer)

    response = outsider_client.post(path.format(id=target.id), data=data)

    assert response.status_code == 403
    after = reload(Membership, target.id)
    assert (after.status, after.role) == before


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/memberships/{id}/decide", {"decision": "approve"}),
        ("/memberships/{id}/remove", {"reason": "越权"}),
        ("/memberships/{id}/make-leader", {}),
    ],
)
def test_a_plain_member_may_not_manage_their_team(app, volunteer, path, data):
    leader = make_user(display_name="队长")
    team = make_team(leader)
    mine = services.request_to_join(volunteer, team.id, now=utcnow())
    services.decide_join_request(leader, mine.id, approve=True, reason=None, now=utcnow())
    target = (
        services.request_to_join(make_user(), team.id, now=utcnow())
        if "decide" in path
        else active_member(team, leader)
    )
    member_client = client_for(app, volunteer)

    response = member_client.post(path.format(id=target.id), data=data)

    assert response.status_code == 403
    assert reload(Membership, target.id).role is MembershipRole.member


def test_another_volunteer_may_not_read_a_members_history(app, volunteer_client, volunteer):
    leader = make_user(display_name="队长")
    team = make_team(leader)
    membership = active_member(team, leader)

    assert volunteer_client.get(f"/memberships/{membership.id}/history").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/memberships/999999/decide",
        "/memberships/999999/remove",
        "/memberships/999999/make-leader",
        "/memberships/99999999999999999999/remove",
    ],
)
def test_an_unknown_membership_is_404(volunteer_client, path):
    assert volunteer_client.post(path, data={"reason": "x"}).status_code == 404


def test_an_unknown_history_is_404(volunteer_client):
    assert volunteer_client.get("/memberships/999999/history").status_code == 404
