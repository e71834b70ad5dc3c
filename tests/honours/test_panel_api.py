"""The panel through the API and the pages: the city puts reviewers on a round's panel and takes
them off, a reviewer reads the ballot (never the background checks, the nominee's phone or ID
number) and votes once, the city closes a review and reads the tally; the wrong person and bad
input are refused and change nothing; the ballot page works on a phone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.nomination_models import (
    Agency,
    BackgroundCheck,
    CheckResult,
    ConflictDeclaration,
    Nomination,
    PanelMember,
    PanelTally,
    PanelVote,
    Stage,
)
from honours.services import panel
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round

AT = NOW + timedelta(hours=1)


@pytest.fixture
def places(app):
    with time_machine.travel(AT, tick=False):
        yield make_places()


@pytest.fixture
def office(places):
    return make_office()


@pytest.fixture
def round_(office):
    return open_round(office)


def reviewer(name="评议员"):
    return make_clerk(AssignmentKind.panel_reviewer, name=name)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def members_url(round_, tail=""):
    return f"/api/v1/honours/rounds/{round_.id}/panel/members{tail}"


def nomination_url(nomination, tail=""):
    return f"/api/v1/honours/nominations/{nomination.id}/panel{tail}"


def at_panel(round_, places, **values):
    nomination = make_nomination(
        round_,
        places["wenhuali"],
        stage=Stage.panel,
        nominee_phone="13703359999",
        **values,
    )
    db.session.add(
        BackgroundCheck(
            nomination_id=nomination.id,
            agency=Agency.police,
            sent_on=date(2026, 5, 20),
            answered_on=date(2026, 5, 25),
            result=CheckResult.clear,
            notes="无违法犯罪记录-机密",
            recorded_by_id=nomination.created_by_id,
            recorded_at=NOW,
            updated_at=NOW,
        )
    )
    db.session.flush()
    return nomination


def test_the_city_runs_the_panel_and_a_reviewer_votes_once(client, bearer, places, office, round_):
    member = reviewer()
    nomination = at_panel(round_, places)
    city = bearer(office)

    added = client.post(members_url(round_), headers=city, json={"user_id": member.id})
    listed = client.get(members_url(round_), headers=city)
    mine = bearer(member)
    ballot = client.get(f"/api/v1/honours/rounds/{round_.id}/panel/nominations", headers=mine)
    one = client.get(nomination_url(nomination), headers=mine)
    cast = client.post(
        nomination_url(nomination, "/votes"),
        headers=mine,
        json={"vote": "approve", "score": 88, "comment": "事迹感人"},
    )
    twice = client.post(nomination_url(nomination, "/votes"), headers=mine, json={"vote": "reject"})
    closed = client.post(nomination_url(nomination, "/tally"), headers=city)
    tally = client.get(nomination_url(nomination, "/tally"), headers=mine)
    tallies = client.get(f"/api/v1/honours/rounds/{round_.id}/panel/tallies", headers=city)

    assert added.status_code == 201 and added.get_json()["user"]["id"] == member.id
    assert [m["user"]["id"] for m in listed.get_json()] == [member.id]
    assert ballot.status_code == 200 and [e["nomination_id"] for e in ballot.get_json()] == [
        nomination.id
    ]
    entry = one.get_json()
    assert entry["may_vote"] and entry["summary"] == nomination.summary
    assert entry["deeds"] == nomination.deeds
    # What the panel never reads: the background checks, the phone and ID number, who nominated.
    for text in (ballot.text, one.text):
        assert "机密" not in text and "13703359999" not in text
        assert nomination.nominee_id_number not in text
        assert "nominators" not in text and "background" not in text
    assert cast.status_code == 201 and cast.get_json()["score"] == 88
    assert twice.status_code == 409 and twice.get_json()["code"] == "voted_already"
    assert closed.status_code == 201, closed.text
    assert closed.get_json()["votes_for"] == 1 and closed.get_json()["mean_score"] == 88
    assert tally.get_json() == closed.get_json()
    assert [t["nomination_id"] for t in tallies.get_json()] == [nomination.id]
    removed = client.delete(members_url(round_, f"/{member.id}"), headers=city)
    assert removed.status_code == 204 and count(PanelMember) == 0
    assert count(PanelVote) == 1


def test_the_api_refuses_others_and_bad_input_and_changes_nothing(
    client, bearer, places, office, round_
):
    member, filer = reviewer("评议员甲"), reviewer("评议员乙")
    for user in (member, filer):
        panel.assign_member(office, round_.id, user.id, now=NOW)
    nomination = at_panel(round_, places, by=filer)
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    outsider = reviewer("别的评议员")

    assign_by_clerk = client.post(
        members_url(round_), headers=bearer(district), json={"user_id": outsider.id}
    )
    assign_by_volunteer = client.post(
        members_url(round_), headers=bearer(make_user()), json={"user_id": outsider.id}
    )
    not_a_reviewer = client.post(
        members_url(round_), headers=bearer(office), json={"user_id": make_user().id}
    )
    twice = client.post(members_url(round_), headers=bearer(office), json={"user_id": member.id})
    ballot_by_outsider = client.get(
        f"/api/v1/honours/rounds/{round_.id}/panel/nominations", headers=bearer(outsider)
    )
    vote_by_outsider = client.post(
        nomination_url(nomination, "/votes"), headers=bearer(outsider), json={"vote": "approve"}
    )
    vote_by_filer = client.post(
        nomination_url(nomination, "/votes"), headers=bearer(filer), json={"vote": "approve"}
    )
    bad_score = client.post(
        nomination_url(nomination, "/votes"),
        headers=bearer(member),
        json={"vote": "approve", "score": 101},
    )
    bad_vote = client.post(
        nomination_url(nomination, "/votes"), headers=bearer(member), json={"vote": "maybe"}
    )
    close_by_member = client.post(nomination_url(nomination, "/tally"), headers=bearer(member))
    close_empty = client.post(nomination_url(nomination, "/tally"), headers=bearer(office))
    no_tally = client.get(nomination_url(nomination, "/tally"), headers=bearer(office))
    remove_stranger = client.delete(members_url(round_, f"/{outsider.id}"), headers=bearer(office))

    assert assign_by_clerk.status_code == 403 and assign_by_volunteer.status_code == 404
    assert not_a_reviewer.status_code == 422 and "user_id" in not_a_reviewer.get_json()["errors"]
    assert twice.status_code == 409
    assert ballot_by_outsider.status_code == 404 and vote_by_outsider.status_code == 404
    assert vote_by_filer.status_code == 403
    assert bad_score.status_code == 422 and bad_vote.status_code == 422
    assert close_by_member.status_code == 403 and close_empty.status_code == 409
    assert no_tally.status_code == 404 and remove_stranger.status_code == 404
    assert count(PanelMember) == 2 and count(PanelVote) == 0 and count(PanelTally) == 0


# Pages --------------------------------------------------------------------------------------


def test_the_city_puts_a_reviewer_on_the_panel_from_its_page(app, places, office, round_):
    member = reviewer("李评议")
    db.session.commit()
    browser = sign_in(app.test_client(), office)
    page = f"/honours/rounds/{round_.id}/panel"

    shown = browser.get(page)
    added = browser.post(f"{page}/members", data={"user_id": member.id})
    after = browser.get(page)
    removed = browser.post(f"{page}/members/{member.id}/remove")

    assert shown.status_code == 200 and "李评议" in shown.text
    assert added.status_code == 302 and 'data-testid="members"' in after.text
    assert "李评议" in after.text.split('data-testid="members"')[1].split("</ul>")[0]
    assert removed.status_code == 302 and count(PanelMember) == 0
    round_page = browser.get(f"/honours/rounds/{round_.id}")
    assert 'data-testid="round-panel-link"' in round_page.text


def test_a_reviewer_votes_on_the_ballot_page_and_the_city_closes_the_review(
    app, places, office, round_
):
    member = reviewer("李评议")
    panel.assign_member(office, round_.id, member.id, now=NOW)
    nomination = at_panel(round_, places)
    db.session.commit()
    browser = sign_in(app.test_client(), member)
    ballot = f"/honours/nominations/{nomination.id}/ballot"

    profile = browser.get("/profile")
    listed = browser.get(f"/honours/rounds/{round_.id}/panel")
    shown = browser.get(ballot)
    refused = browser.post(ballot, data={"vote": "approve", "score": 120})
    assert refused.status_code == 422 and count(PanelVote) == 0
    voted = browser.post(ballot, data={"vote": "approve", "score": 90, "comment": "好"})
    after = browser.get(ballot)
    city = sign_in(app.test_client(), office)
    closed = city.post(
        f"/honours/nominations/{nomination.id}/panel/close",
        data={"next": f"/honours/rounds/{round_.id}/panel"},
    )

    assert 'data-testid="my-panels"' in profile.text
    assert nomination.nominee_name in listed.text
    assert 'data-testid="vote-form"' in shown.text and "机密" not in shown.text
    assert "13703359999" not in shown.text
    assert voted.status_code == 302 and 'data-testid="my-vote"' in after.text
    assert closed.status_code == 302 and closed.headers["Location"].endswith("/panel")
    assert count(PanelTally) == 1
    assert 'data-testid="tally"' in city.get(f"/honours/rounds/{round_.id}/panel").text


def test_the_panel_pages_are_no_one_elses(app, places, office, round_):
    nomination = at_panel(round_, places)
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    outsider = reviewer("别的评议员")
    db.session.commit()
    pages = (f"/honours/rounds/{round_.id}/panel", f"/honours/nominations/{nomination.id}/ballot")

    for user, status in ((clerk, 403), (outsider, 404), (make_user(), 404)):
        browser = sign_in(app.test_client(), user)
        assert [browser.get(page).status_code for page in pages] == [status, status], user
        closed = browser.post(f"/honours/nominations/{nomination.id}/panel/close")
        assert closed.status_code == status
    assert count(PanelTally) == 0


def test_a_reviewer_declares_a_conflict_from_the_ballot_and_votes_no_more(
    app, places, office, round_
):
    member = reviewer("李评议")
    panel.assign_member(office, round_.id, member.id, now=NOW)
    nomination = at_panel(round_, places)
    db.session.commit()
    browser = sign_in(app.test_client(), member)
    ballot = f"/honours/nominations/{nomination.id}/ballot"

    shown = browser.get(ballot)
    empty = browser.post(f"{ballot}/conflict", data={"reason": " "})
    assert count(ConflictDeclaration) == 0
    declared = browser.post(f"{ballot}/conflict", data={"reason": "被推荐人是我的舅舅"})
    after = browser.get(ballot)
    voted = browser.post(ballot, data={"vote": "approve"})

    assert 'data-testid="conflict-form"' in shown.text
    assert empty.status_code == 302 and declared.status_code == 302
    assert count(ConflictDeclaration) == 1
    assert 'data-testid="barred"' in after.text and 'data-testid="vote-form"' not in after.text
    assert voted.status_code == 302 and count(PanelVote) == 0


def test_the_ballot_reads_a_fixed_number_of_statements_however_many_nominations(
    client, bearer, places, office, round_, count_queries
):
    member = reviewer()
    panel.assign_member(office, round_.id, member.id, now=NOW)
    headers = bearer(member)
    ballot = f"/api/v1/honours/rounds/{round_.id}/panel/nominations"

    sent = []
    for total in (2, 6):
        while (
            db.session.scalar(
                select(func.count()).select_from(Nomination).where(Nomination.stage == Stage.panel)
            )
            < total
        ):
            at_panel(round_, places)
        db.session.commit()
        with count_queries() as statements:
            answer = client.get(ballot, headers=headers)
        assert len(answer.get_json()) == total
        sent.append(len(statements))

    assert sent[0] == sent[1], sent


def test_the_nominations_page_shows_the_panel_and_consent_sections_to_theirs_only(
    app, places, office, round_
):
    member = reviewer("李评议")
    panel.assign_member(office, round_.id, member.id, now=NOW)
    nomination = at_panel(round_, places)
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    db.session.commit()
    page = f"/honours/nominations/{nomination.id}"

    as_member = sign_in(app.test_client(), member).get(page)
    as_city = sign_in(app.test_client(), office).get(page)
    as_clerk = sign_in(app.test_client(), clerk).get(page)

    assert as_member.status_code == as_city.status_code == as_clerk.status_code == 200
    assert 'data-testid="panel"' in as_member.text and 'data-testid="consent"' not in as_member.text
    assert f"/honours/nominations/{nomination.id}/ballot" in as_member.text
    assert 'data-testid="panel"' in as_city.text and "/panel/close" in as_city.text
    assert 'data-testid="consent"' in as_city.text
    assert 'data-testid="panel"' not in as_clerk.text and 'data-testid="consent"' in as_clerk.text
