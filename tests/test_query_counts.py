"""How many SQL statements the hot paths send, pinned exactly: a later N+1 or an extra read
fails here rather than in a benchmark. Transaction control is left out (see count_queries),
so each number holds on SQLite and PostgreSQL alike. When a change sends fewer statements,
lower the number; when it sends more, say in the commit why the path needs it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from core.clock import utcnow
from core.districts import QINHUANGDAO
from core.extensions import db
from events import services as events
from tests.builders import (
    give_points,
    make_activity,
    make_campaign,
    make_merchant,
    make_shift,
    make_team,
    make_user,
)
from tests.events.builders import make_volunteers

API = "/api/v1"


def test_sign_up_by_api_sends_a_pinned_number_of_statements(
    client, bearer, volunteer, count_queries
):
    # The token with its user, the user's consent to the privacy notice (core/consent), the
    # volunteer's lock, the shift with the volunteer's sign-up on it, the overlap check, the
    # seat, the insert.
    shift_id = make_shift().id
    headers = bearer(volunteer)

    with count_queries() as sent:
        response = client.post(f"{API}/shifts/{shift_id}/sign-up", json={}, headers=headers)

    assert response.status_code == 201, response.text
    assert len(sent) == 7, str(sent)


def test_sign_up_by_page_sends_a_pinned_number_of_statements(volunteer_client, count_queries):
    shift_id = make_shift().id
    db.session.commit()

    with count_queries() as sent:
        response = volunteer_client.post(f"/shifts/{shift_id}/sign-up")

    # The session's user, then what the API sends after its token (the consent included); the
    # flash and the redirect are made from what the service returned, before the commit, so
    # nothing is read back.
    assert response.status_code == 302, response.text
    assert len(sent) == 8, str(sent)


def test_sign_up_by_page_costs_no_more_than_the_api_and_the_signed_in_user(
    client, volunteer_client, bearer, count_queries
):
    by_api, by_page = make_shift().id, make_shift(starts_in_hours=48).id
    headers = bearer(make_user(display_name="另一位志愿者"))

    with count_queries() as api:
        by_api_answer = client.post(f"{API}/shifts/{by_api}/sign-up", json={}, headers=headers)
    with count_queries() as page:
        by_page_answer = volunteer_client.post(f"/shifts/{by_page}/sign-up")

    assert (by_api_answer.status_code, by_page_answer.status_code) == (201, 302)
    assert len(page) <= len(api) + 1, f"API:\n{api}\n\npage:\n{page}"


def test_check_in_by_qr_code_sends_a_pinned_number_of_statements(
    client, bearer, volunteer, count_queries
):
    shift = make_shift(starts_in_hours=0.25)
    shift_id, leader = shift.id, shift.activity.team.founder
    headers = bearer(volunteer)
    signed_up = client.post(f"{API}/shifts/{shift_id}/sign-up", json={}, headers=headers)
    assert signed_up.status_code == 201, signed_up.text
    code = client.get(f"{API}/shifts/{shift_id}/check-in-code", headers=bearer(leader))
    body = {"token": code.json["token"]}

    with count_queries() as sent:
        response = client.post(f"{API}/check-ins", json=body, headers=headers)

    # The token with its user, the consent, the volunteer's lock, the shift with its activity
    # and the volunteer's sign-up and check-in on it, the insert.
    assert response.status_code == 201, response.text
    assert len(sent) == 5, str(sent)


def test_redemption_at_a_merchant_sends_a_pinned_number_of_statements(
    client, bearer, volunteer, count_queries
):
    # The token with its user, the consent, the staff's merchant, the code (locked) with its
    # volunteer, the request key, the items, the stock, the redemption and its line, the two
    # accounts, the ledger entry, both balances, the volunteer's open lots, the one lot drawn
    # and its draw (what expiry needs), the code used, the entry on the redemption.
    _merchant, staff, (bag,) = make_merchant()
    give_points(volunteer, 100)
    line = [{"item_id": bag.id, "quantity": 1}]
    staff_headers, volunteer_headers = bearer(staff), bearer(volunteer)

    def redemption():
        code = client.post(f"{API}/me/redeem-codes", headers=volunteer_headers).json["code"]
        headers = {**staff_headers, "Idempotency-Key": uuid.uuid4().hex}
        return {"json": {"code": code, "lines": line}, "headers": headers}

    # The merchant's first redemption opens its points account, one INSERT more: every later
    # one is the hot path.
    assert client.post(f"{API}/redemptions", **redemption()).status_code == 201
    again = redemption()

    with count_queries() as sent:
        response = client.post(f"{API}/redemptions", **again)

    assert response.status_code == 201, response.text
    assert len(sent) == 19, str(sent)


def upcoming_shifts(count: int, reader) -> None:
    """`count` upcoming shifts, each of an activity and team of its own, across the districts,
    the reader signed up to every other one: whatever the page shows per shift (activity,
    team, district, campaign, the reader's sign-up) differs from one shift to the next."""
    campaign = make_campaign()
    districts = [code for code, _name, _english in QINHUANGDAO]
    for n in range(count):
        team = make_team(district_code=districts[n % len(districts)])
        shift = make_shift(make_activity(team, campaign), starts_in_hours=24 + 5 * n)
        if n % 2:
            events.sign_up(reader, shift.id, now=utcnow())
    db.session.commit()


@pytest.mark.parametrize("shifts", [5, 50])
def test_the_listing_page_sends_the_same_statements_for_5_or_50_shifts(
    volunteer_client, volunteer, count_queries, shifts
):
    upcoming_shifts(shifts, volunteer)

    with count_queries() as sent:
        response = volunteer_client.get("/activities")

    # The session's user, the consent, the districts (filter form), the shifts with activity,
    # campaign, team and district, the reader's sign-ups among them, the unread notifications
    # and the teams the reader leads (the navigation).
    assert response.status_code == 200
    assert response.text.count('data-testid="shift-') == shifts
    assert len(sent) == 7, str(sent)


def test_the_office_dashboard_sends_a_pinned_number_of_statements(office_client, count_queries):
    campaign = make_campaign()
    for district in ("haigang", "beidaihe"):
        shift = make_shift(
            make_activity(make_team(district_code=district), campaign),
            starts_in_hours=-48,
            hours=2,
        )
        leader = shift.activity.team.founder
        for person in make_volunteers(2):
            row = events.check_in_by_leader(
                leader, shift.id, phone=person.phone, now=shift.starts_at, leader_days=7
            )
            events.check_out_by_leader(leader, row.id, now=shift.ends_at)
        events.confirm_attendance(leader, shift.id, now=shift.ends_at + timedelta(minutes=1))
    year = campaign.year
    db.session.commit()

    with count_queries() as sent:
        response = office_client.get(f"/reports?year={year}")

    # The session's user; the consent; the year of today's campaign, the years, campaigns,
    # districts and teams (filter form); this year's and last year's figures and redemptions (2
    # each); a breakdown by season, campaign and district (figures and redemptions each), by
    # team and by category (figures only); the two charts; the unread notifications; the care
    # charts (the reader's assignments, the latest visits campaign, the past years' condolence
    # funds and the visits' by year).
    assert response.status_code == 200, response.text
    assert len(sent) == 26, str(sent)
