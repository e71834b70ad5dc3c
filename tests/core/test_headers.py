"""Security headers on every kind of response, and templates that the CSP lets through."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.headers import CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_secured(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    allowed = response.headers["Permissions-Policy"]
    assert "camera=(self)" in allowed
    assert "geolocation=(self)" in allowed
    assert "microphone=()" in allowed


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_a_page_has_the_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_secured(response)


def test_an_api_answer_has_the_headers(client, office_user, bearer):
    response = client.get("/api/v1/me", headers=bearer(office_user))
    assert response.status_code == 200
    assert response.is_json
    assert_secured(response)


@pytest.mark.parametrize("path", ["/no-such-page", "/api/v1/no-such-thing"])
def test_a_not_found_answer_has_the_headers(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json == path.startswith("/api/")
    assert_secured(response)


def test_the_error_page_of_an_unexpected_error_has_the_headers(make_app):
    app = make_app()

    @app.get("/broken")
    def broken():
        raise RuntimeError("boom")

    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert_secured(response)


def test_a_static_file_has_the_headers(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert_secured(response)


def test_no_strict_transport_security_over_plain_http_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_strict_transport_security_when_cookies_are_secure(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.test_client().get("/static/css/app.css") as response:
        assert response.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY


def test_the_api_docs_page_takes_its_settings_from_a_data_block(client):
    html = client.get("/api/v1/docs").text
    assert "/static/js/swagger-init.js" in html
    block = re.search(
        r'<script type="application/json" id="swagger-ui-config">(.*?)</script>', html
    )
    assert json.loads(block.group(1)) == {
        "url": "/api/v1/openapi.json",
        "dom_id": "#swagger-ui-container",
        "validatorUrl": None,
        "filter": True,
        "deepLinking": True,
    }
    assert inline_code(html) == []


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# An attribute named style or on<event> (onclick, onload, ...), not data-style or hx-on.
STYLE_ATTRIBUTE = re.compile(r"(?<![\w-])style\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"(?<![\w-])on[a-z]+\s*=\s*[\"'{]", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    """What in a page or template the CSP would refuse: inline scripts (a JSON data block is
    data, not code), style elements and attributes, event handlers, javascript: URLs."""
    found = [
        tag.group(0)
        for tag in SCRIPT_TAG.finditer(text)
        if "src=" not in tag.group(1) and 'type="application/json"' not in tag.group(1)
    ]
    found += re.findall(r"<style\b", text, re.IGNORECASE)
    found += STYLE_ATTRIBUTE.findall(text)
    found += HANDLER_ATTRIBUTE.findall(text)
    found += re.findall(r"javascript:", text, re.IGNORECASE)
    return found


def test_the_finder_sees_what_the_policy_refuses():
    page = (
        '<script>alert(1)</script><style>p{}</style><p style="color: red">'
        '<button onclick="go()"><a href="javascript:go()">'
    )
    assert len(inline_code(page)) == 5
    allowed = (
        '<script src="/static/js/a.js"></script><script type="application/json" id="d">{}'
        '</script><div data-style="x" hx-on="y" class="online">'
    )
    assert inline_code(allowed) == []


def test_no_template_holds_inline_script_style_or_handlers():
    offending = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
