"""A member's no-shows of the last 90 days, on the page their team's leaders see: counted by
the same rule as the attendance sheet, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from core.auth.models import Role
from core.clock import local_moment
from core.extensions import db
from events import services
from tests.builders import make_activity, make_campaign, make_team, make_user
from tests.conftest import sign_in
from tests.events.builders import make_shift_at
from volunteer import services as volunteers

NOW = datetime(2025, 11, 20, 4, tzinfo=UTC)  # 12:00 in Shanghai


def _missed(activity, days_ago: int, person) -> None:
    """A morning shift `days_ago` days before NOW that `person` signed up for and missed."""
    day = date(2025, 11, 20) - timedelta(days=days_ago)
    shift = make_shift_at(activity, local_moment(day, time(9)), local_moment(day, time(11)))
    services.sign_up(person, shift.id, now=shift.starts_at - timedelta(days=1))
    sign_up = services.find_sign_up(person, shift.id)
    services.mark_no_show(activity.team.founder, sign_up.id, now=shift.ends_at)


@pytest.fixture
def member(app):
    """A member of team A who missed a shift of team A 10 days ago, one of team B 89 days ago
    and one of team A 91 days ago."""
    with time_machine.travel(NOW, tick=False):
        campaign = make_campaign(starts_on=date(2025, 7, 1), ends_on=date(2025, 12, 31))
        team_a, team_b = make_team(name="海港甲队"), make_team(name="北戴河乙队")
        person = make_user(display_name="常缺席的")
        membership = volunteers.request_to_join(person, team_a.id, now=NOW)
        volunteers.decide_join_request(
            team_a.founder, membership.id, approve=True, reason=None, now=NOW
        )
        for team, title, days_ago in (
            (team_a, "十天前的清洁", 10),
            (team_b, "八十九天前的导游", 89),
            (team_a, "九十一天前的探访", 91),
        ):
            activity = make_activity(team_a if team is team_a else team_b, campaign)
            activity.title = title
            _missed(activity, days_ago, person)
        db.session.commit()
        yield membership


def _client(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def test_a_leader_sees_the_members_no_shows_of_the_last_90_days(app, member):
    leader = member.team.founder
    with time_machine.travel(NOW, tick=False):
        found = services.member_no_shows(leader, member.id, now=NOW)
        team_page = _client(app, leader).get(f"/teams/{member.team_id}").text
        page = _client(app, leader).get(f"/memberships/{member.id}/no-shows").text

    assert [s.shift.activity.title for s in found.no_shows] == ["十天前的清洁", "八十九天前的导游"]
    # The attendance sheet's number beside the name is the same count.
    assert services.count_recent_no_shows([member.user_id], now=NOW) == {member.user_id: 2}
    assert f"/memberships/{member.id}/no-shows" in team_page
    assert "常缺席的 的缺席记录" in page
    count = page.split('data-testid="no-show-count">')[1].split("<")[0]
    assert count == "2"
    assert "十天前的清洁" in page and "八十九天前的导游" in page and "北戴河乙队" in page
    assert "九十一天前的探访" not in page


def test_the_office_sees_it_and_no_one_else(app, member):
    url = f"/memberships/{member.id}/no-shows"
    other_leader = make_team(name="别的队").founder
    plain_volunteer = make_user(display_name="普通志愿者")
    office = make_user(role=Role.office, display_name="文明办")
    with time_machine.travel(NOW, tick=False):
        assert _client(app, office).get(url).status_code == 200
        assert _client(app, other_leader).get(url).status_code == 403
        assert _client(app, plain_volunteer).get(url).status_code == 403
        # The member's own team page shows them no such link, and the page refuses them too.
        assert _client(app, member.user).get(url).status_code == 403
        assert _client(app, office).get("/memberships/999999/no-shows").status_code == 404
