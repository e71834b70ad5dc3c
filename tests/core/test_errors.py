"""Every error has one shape: JSON `{"code", "message", "errors"}` under /api/, a page elsewhere."""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint, jsonify

from core.auth.access import role_required
from core.auth.models import Role
from core.errors import Conflict, ValidationFailed

ERROR_KEYS = {"code", "message", "errors"}
SECRET_DETAIL = "kaboom-detail-that-must-not-leak"

# Test-only routes: the app has no office-only endpoint yet, and no view that crashes.
probe_pages = Blueprint("error_probe_pages", __name__)
probe_api = Blueprint("error_probe_api", __name__, url_prefix="/api/v1/probe")


@probe_pages.get("/probe/boom")
def page_boom():
    raise RuntimeError(SECRET_DETAIL)


@probe_pages.get("/probe/conflict")
def page_conflict():
    raise Conflict("冲突了")


@probe_api.get("/office")
@role_required(Role.office)
def api_office_only():
    return jsonify(ok=True)


@probe_api.get("/boom")
def api_boom():
    raise RuntimeError(SECRET_DETAIL)


@probe_api.get("/conflict")
def api_conflict():
    raise Conflict("冲突了", errors={"slot": ["已被占用"]}, code="slot_taken")


@probe_api.get("/invalid")
def api_invalid():
    raise ValidationFailed(errors={"name": ["必填"]})


@pytest.fixture
def app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(probe_pages)
    app.register_blueprint(probe_api)
    with app.app_context():
        yield app


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.is_json, response.text
    body = response.json
    assert set(body) == ERROR_KEYS
    assert isinstance(body["code"], str)
    assert body["code"]
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["errors"], dict)
    if code is not None:
        assert body["code"] == code
    return body


# JSON


def test_malformed_json_body_gives_400_in_the_error_shape(client):
    response = client.post("/api/v1/auth/tokens", data="{not json", content_type="application/json")

    assert_error_shape(response, 400)


def test_missing_token_gives_401_in_the_error_shape(client):
    response = client.get("/api/v1/me")

    assert_error_shape(response, 401, "not_authenticated")
    assert "WWW-Authenticate" in response.headers


def test_wrong_role_gives_403_in_the_error_shape(client, volunteer, bearer):
    response = client.get("/api/v1/probe/office", headers=bearer(volunteer))

    assert_error_shape(response, 403, "forbidden")


def test_unknown_api_path_gives_404_in_the_error_shape(client):
    assert_error_shape(client.get("/api/v1/nope"), 404, "not_found")


def test_wrong_method_gives_405_in_the_error_shape_with_allow(client, volunteer, bearer):
    response = client.delete("/api/v1/me", headers=bearer(volunteer))

    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_invalid_fields_give_422_in_the_error_shape_by_field(client):
    response = client.post("/api/v1/auth/tokens", json={"phone": "13900000000"})

    body = assert_error_shape(response, 422, "validation_failed")
    assert list(body["errors"]) == ["password"]
    assert all(isinstance(message, str) for message in body["errors"]["password"])


def test_unknown_field_is_refused_with_422(client):
    response = client.post(
        "/api/v1/auth/tokens",
        json={"phone": "13900000000", "password": "x-password-1", "admin": True},
    )

    body = assert_error_shape(response, 422, "validation_failed")
    assert "admin" in body["errors"]


def test_domain_error_keeps_its_code_message_and_field_errors(client):
    response = client.get("/api/v1/probe/conflict")

    body = assert_error_shape(response, 409, "slot_taken")
    assert body == {"code": "slot_taken", "message": "冲突了", "errors": {"slot": ["已被占用"]}}


def test_validation_failed_has_a_default_message(client):
    body = assert_error_shape(client.get("/api/v1/probe/invalid"), 422, "validation_failed")

    assert body["message"] == "部分内容需要修改。"
    assert body["errors"] == {"name": ["必填"]}


def test_unhandled_api_error_gives_500_json_without_a_traceback(client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/probe/boom")

    body = assert_error_shape(response, 500, "internal_error")
    assert SECRET_DETAIL not in response.text
    assert "Traceback" not in response.text
    assert body["errors"] == {}
    assert any(record.exc_info for record in caplog.records), "the crash was not logged"


# HTML


def test_unknown_page_gives_a_chinese_html_404(client):
    response = client.get("/nope")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "您访问的页面不存在。" in response.text
    assert '<html lang="zh-CN">' in response.text


def test_wrong_method_on_a_page_gives_an_html_405_with_allow(client):
    response = client.delete("/login")

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "不支持此请求方式。" in response.text
    assert "POST" in response.headers["Allow"]


def test_domain_error_on_a_page_gives_an_html_page_with_its_status(client):
    response = client.get("/probe/conflict")

    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "冲突了" in response.text


def test_unhandled_page_error_gives_a_500_page_without_a_traceback(client):
    response = client.get("/probe/boom")

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "系统出了点问题，请稍后再试。" in response.text
    assert SECRET_DETAIL not in response.text
    assert "Traceback" not in response.text
