"""A database connection lost in the middle of a request answers 503 with Retry-After (JSON on
the API, a page on the site), never 500, and the next request works."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import create_engine, text

from core.extensions import db

probe_pages = Blueprint("unavailable_probe_pages", __name__)
probe_api = Blueprint("unavailable_probe_api", __name__, url_prefix="/api/v1/probe")


def kill_this_requests_connection() -> None:
    """What a PostgreSQL restart or failover does to a connection in use, done between two
    statements of one request."""
    if db.engine.dialect.name == "postgresql":
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        url = db.engine.url.render_as_string(hide_password=False)
        killer = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with killer.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            killer.dispose()
    else:
        # SQLite has no server to lose; a closed driver connection is the same to SQLAlchemy.
        db.session.execute(text("SELECT 1"))
        db.session.connection().connection.dbapi_connection.close()


def two_statements():
    kill_this_requests_connection()
    db.session.execute(text("SELECT 1"))
    return "survived"


probe_pages.add_url_rule("/probe/connection-lost", view_func=two_statements)
probe_api.add_url_rule("/connection-lost", view_func=lambda: jsonify(two_statements()))


@pytest.fixture
def app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(probe_pages)
    app.register_blueprint(probe_api)
    with app.app_context():
        yield app


def test_a_lost_connection_answers_503_json_on_the_api_and_the_next_request_works(client):
    response = client.get("/api/v1/probe/connection-lost")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.is_json
    assert response.json["code"] == "unavailable"
    assert set(response.json) == {"code", "message", "errors"}
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/campaigns").status_code == 200


def test_a_lost_connection_answers_a_503_page_and_the_next_request_works(client):
    response = client.get("/probe/connection-lost")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.mimetype == "text/html"
    assert "暂时不可用" in response.text
    assert client.get("/").status_code == 200
