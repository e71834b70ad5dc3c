"""Points expiry on the pages and in the API: the office sets the policy (with its errors beside
the fields) and reads the figures; a volunteer sees what expires soon beside the balance; no one
else may set or read the policy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from points import services
from points.lot_models import ExpiryPolicy, ExpiryRule
from points.services import expiry
from tests.builders import make_user

# Local noon, Asia/Shanghai.
NOW = datetime(2026, 4, 10, 4, tzinfo=UTC)
API = "/api/v1/points/expiry-policy"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def policies() -> list[tuple[ExpiryRule, int | None, date]]:
    db.session.expire_all()
    rows = db.session.scalars(select(ExpiryPolicy).order_by(ExpiryPolicy.id))
    return [(row.rule, row.months, row.since) for row in rows]


def test_the_office_sets_the_policy_on_its_page(office_client, office_user):
    page = office_client.get("/points/expiry")
    assert page.status_code == 200
    assert 'data-testid="policy-explained"' in page.text
    # No policy yet: "never" is what is in force.
    assert '<input checked class="form-check-input" id="rule-0"' in page.text

    refused = office_client.post("/points/expiry", data={"rule": "months", "months": "0"})
    assert refused.status_code == 422
    assert "120" in refused.text and "is-invalid" in refused.text
    assert policies() == []

    saved = office_client.post("/points/expiry", data={"rule": "months", "months": "24"})
    assert saved.status_code == 302
    # A number left in the box belongs to the months rule only.
    switched = office_client.post(
        "/points/expiry", data={"rule": "following_year_end", "months": "24"}
    )
    assert switched.status_code == 302
    assert policies() == [
        (ExpiryRule.months, 24, date(2026, 4, 10)),
        (ExpiryRule.following_year_end, None, date(2026, 4, 10)),
    ]
    history = office_client.get("/points/expiry").text
    assert history.count("list-group-item") == 2 and office_user.display_name in history


def test_the_office_page_shows_the_figures(office_client, office_user):
    expiry.set_policy(office_user, rule=ExpiryRule.months, months=12, now=at(date(2024, 1, 1)))
    volunteer = make_user()
    for day, amount in ((date(2025, 3, 5), 7), (date(2025, 5, 20), 11)):
        services.adjust(
            office_user, volunteer.id, amount=amount, reason="服务", key=str(day), now=at(day)
        )
    expiry.expire_points(now=at(date(2026, 3, 5)))

    page = office_client.get("/points/expiry").text

    assert 'data-testid="expiring-next-month">11<' in page
    assert '<td>2026-03</td><td class="text-end">7</td>' in page


def test_a_volunteer_sees_what_expires_soon_beside_the_balance(
    volunteer_client, volunteer, office_user
):
    expiry.set_policy(office_user, rule=ExpiryRule.months, months=12, now=at(date(2024, 1, 1)))
    services.adjust(
        office_user, volunteer.id, amount=30, reason="服务", key="a", now=at(date(2025, 4, 25))
    )
    services.adjust(
        office_user, volunteer.id, amount=5, reason="服务", key="b", now=at(date(2025, 6, 1))
    )

    page = volunteer_client.get("/points")

    assert page.status_code == 200
    assert 'data-testid="expiring-soon"' in page.text
    assert "30" in page.text and "2026-04-25" in page.text


def test_a_volunteer_sees_no_warning_when_nothing_expires_soon(volunteer_client, volunteer):
    page = volunteer_client.get("/points")
    assert page.status_code == 200
    assert 'data-testid="expiring-soon"' not in page.text


def test_only_the_office_reaches_the_policy_page(volunteer_client, merchant_client):
    assert volunteer_client.get("/points/expiry").status_code == 403
    assert merchant_client.post("/points/expiry", data={"rule": "never"}).status_code == 403
    assert policies() == []


def test_the_policy_api(client, bearer, office_user):
    headers = bearer(office_user)
    none = client.get(API, headers=headers).get_json()
    assert none == {"rule": "never", "months": None, "since": None, "history": []}

    put = client.put(API, headers=headers, json={"rule": "months", "months": 12})
    assert put.status_code == 200, put.text
    body = put.get_json()
    assert (body["rule"], body["months"], body["since"]) == ("months", 12, "2026-04-10")
    assert [v["set_by"] for v in body["history"]] == [office_user.display_name]
    # The same policy again is no new version: its day does not move.
    again = client.put(API, headers=headers, json={"rule": "months", "months": 12})
    assert len(again.get_json()["history"]) == 1

    figures = client.get("/api/v1/points/expiry-figures", headers=headers).get_json()
    assert figures["next_month"] == "2026-05-01" and figures["expiring_next_month"] == 0
    assert [m["month"] for m in figures["expired_by_month"]][-1] == "2026-04-01"
    assert len(figures["expired_by_month"]) == 12


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rule": "months"}, "months"),
        ({"rule": "months", "months": 121}, "months"),
        ({"rule": "never", "months": 6}, "months"),
        ({"rule": "monthly"}, "rule"),
    ],
)
def test_the_policy_api_refuses_bad_input(client, bearer, office_user, body, field):
    response = client.put(API, headers=bearer(office_user), json=body)
    assert response.status_code == 422, response.text
    assert field in response.get_json()["errors"]
    assert policies() == []


def test_the_policy_api_is_the_offices(client, bearer, volunteer, merchant_staff):
    for user in (volunteer, merchant_staff):
        headers = bearer(user)
        assert client.get(API, headers=headers).status_code == 403
        assert client.put(API, headers=headers, json={"rule": "never"}).status_code == 403
        assert client.get("/api/v1/points/expiry-figures", headers=headers).status_code == 403
    assert policies() == []


def test_the_balance_api_says_what_expires_soon(client, bearer, volunteer, office_user):
    expiry.set_policy(office_user, rule=ExpiryRule.months, months=12, now=at(date(2024, 1, 1)))
    for day, amount in ((date(2025, 4, 25), 30), (date(2025, 5, 9), 8), (date(2025, 6, 1), 5)):
        services.adjust(
            office_user, volunteer.id, amount=amount, reason="服务", key=str(day), now=at(day)
        )

    body = client.get("/api/v1/me/points", headers=bearer(volunteer)).get_json()

    assert body == {"balance": 43, "expiring_soon": {"amount": 38, "first_day": "2026-04-25"}}
