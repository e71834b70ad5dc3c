"""The application factory and its configuration."""

from __future__ import annotations

import importlib

from flask import Flask
from sqlalchemy import text

from app import create_app
from core.extensions import db
from tests.conftest import app_config


def test_importing_app_builds_no_application():
    module = importlib.import_module("app")
    assert not [name for name, value in vars(module).items() if isinstance(value, Flask)]
    assert callable(module.create_app)


def test_testing_config_applies(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_defaults_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert app.config["TIMEZONE"] == "Asia/Urumqi"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def test_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("app.ROOT", tmp_path)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "instance" / "secret_key").read_text().strip() == first


def test_factory_creates_no_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app(app_config(url))
    with app.app_context():
        app.test_client().get("/")
        names = db.session.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        db.engine.dispose()
    assert names == []


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'p.sqlite3'}"))
    with app.app_context():
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        db.session.rollback()
        db.engine.dispose()


def test_health_check_reaches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
