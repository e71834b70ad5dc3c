"""role_required on pages and on the API: who gets in, who is sent to sign in, who is refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint, jsonify

from core.auth.access import login_required, role_required
from core.auth.models import Role
from tests.builders import DEFAULT_PASSWORD

# Test-only routes: no page or endpoint of the app is limited to one role yet.
probe_pages = Blueprint("access_probe_pages", __name__)
probe_api = Blueprint("access_probe_api", __name__, url_prefix="/api/v1/probe")


@probe_pages.get("/probe/office")
@role_required(Role.office)
def office_page():
    return "office-page-content"


@probe_pages.get("/probe/staff")
@role_required(Role.office, Role.merchant_staff)
def staff_page():
    return "staff-page-content"


@probe_pages.get("/probe/anyone")
@login_required
def anyone_page():
    return "anyone-page-content"


@probe_api.get("/office")
@role_required(Role.office)
def office_api():
    return jsonify(ok="office")


@probe_api.get("/anyone")
@login_required
def anyone_api():
    return jsonify(ok="anyone")


@pytest.fixture
def app(make_app):
    app = make_app()
    app.register_blueprint(probe_pages)
    app.register_blueprint(probe_api)
    with app.app_context():
        yield app


# Pages


def test_anonymous_visitor_of_a_role_page_is_sent_to_sign_in_with_next(client):
    response = client.get("/probe/office?tab=2")

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/probe/office?tab=2"]


def test_signing_in_from_the_redirect_leads_back_to_the_role_page(client, office_user):
    login_url = client.get("/probe/office").headers["Location"]

    response = client.post(
        login_url, data={"phone": office_user.phone, "password": DEFAULT_PASSWORD}
    )

    assert urlsplit(response.headers["Location"]).path == "/probe/office"
    assert client.get("/probe/office").text == "office-page-content"


def test_wrong_role_on_a_page_gets_a_403_page(volunteer_client):
    response = volunteer_client.get("/probe/office")

    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "您无权进行此操作。" in response.text
    assert "office-page-content" not in response.text


def test_merchant_staff_is_refused_an_office_page(merchant_client):
    assert merchant_client.get("/probe/office").status_code == 403


def test_right_role_on_a_page_gets_in(office_client):
    response = office_client.get("/probe/office")

    assert response.status_code == 200
    assert response.text == "office-page-content"


@pytest.mark.parametrize(
    ("who", "status"),
    [("office_client", 200), ("merchant_client", 200), ("volunteer_client", 403)],
)
def test_a_page_open_to_several_roles_admits_each_of_them(request, who, status):
    client = request.getfixturevalue(who)

    assert client.get("/probe/staff").status_code == status


@pytest.mark.parametrize("who", ["office_client", "merchant_client", "volunteer_client"])
def test_login_required_admits_every_role(request, who):
    assert request.getfixturevalue(who).get("/probe/anyone").status_code == 200


def test_disabled_user_is_signed_out_of_pages(app, volunteer_client, volunteer):
    volunteer.is_enabled = False

    response = volunteer_client.get("/probe/anyone")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


# API


def test_anonymous_api_call_gets_401_json(client):
    response = client.get("/api/v1/probe/office")

    assert response.status_code == 401
    assert response.is_json
    assert response.json["code"] == "not_authenticated"
    assert "WWW-Authenticate" in response.headers


def test_wrong_role_on_the_api_gets_403_json(client, volunteer, bearer):
    response = client.get("/api/v1/probe/office", headers=bearer(volunteer))

    assert response.status_code == 403
    assert response.is_json
    assert response.json["code"] == "forbidden"
    assert "ok" not in response.json


def test_merchant_staff_token_is_refused_an_office_endpoint(client, merchant_staff, bearer):
    response = client.get("/api/v1/probe/office", headers=bearer(merchant_staff))

    assert response.status_code == 403
    assert response.json["code"] == "forbidden"


def test_right_role_on_the_api_gets_in(client, office_user, bearer):
    response = client.get("/api/v1/probe/office", headers=bearer(office_user))

    assert response.status_code == 200
    assert response.json == {"ok": "office"}


def test_signed_in_browser_is_anonymous_on_the_api(office_client):
    assert office_client.get("/probe/office").status_code == 200

    response = office_client.get("/api/v1/probe/office")

    assert response.status_code == 401
    assert response.json["code"] == "not_authenticated"


def test_login_required_on_the_api_admits_any_token(client, merchant_staff, bearer):
    response = client.get("/api/v1/probe/anyone", headers=bearer(merchant_staff))

    assert response.status_code == 200
    assert response.json == {"ok": "anyone"}
