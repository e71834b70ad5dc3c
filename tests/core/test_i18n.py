"""Chinese by default, English on request, and every string translated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_pages_render_in_chinese_by_default(client):
    page = client.get("/").text
    assert 'lang="zh-CN"' in page
    assert "善行四季" in page
    assert "登录" in page


def test_the_language_switch_gives_english_and_back(client):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login").text
    assert 'lang="en"' in page
    assert "Sign in" in page
    assert "登录" not in page
    client.post("/language", data={"locale": "zh_CN"})
    assert "登录" in client.get("/login").text


def test_the_language_switch_refuses_an_unknown_locale_and_foreign_redirects(client):
    assert client.post("/language", data={"locale": "xx"}).status_code == 422
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_signed_in_users_choice_is_kept_on_the_account(volunteer_client, volunteer):
    from core.extensions import db

    volunteer_client.post("/language", data={"locale": "en"})
    db.session.expire_all()
    assert volunteer.locale == "en"


def test_form_validation_messages_are_chinese(client):
    page = client.post("/login", data={"phone": "", "password": ""}).text
    assert "This field is required" not in page
    assert "该字段是必填字段" in page or "必填" in page


def test_api_follows_accept_language(client):
    zh = client.get("/api/v1/me")
    en = client.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert zh.json["message"] == "请登录。"
    assert en.json["message"] == "Please sign in."


def test_every_message_is_translated_to_chinese():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "--ignore-dirs=.venv .venv-bench bench node_modules static tests",
            "-o",
            str(template),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    with template.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with CATALOGUE.open("rb") as fh:
        present = {m.id for m in read_po(fh) if m.id}
    missing = wanted - present
    assert not missing, f"run `make extract-messages` and translate: {sorted(missing, key=str)}"
