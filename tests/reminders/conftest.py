"""An app that sends mail to the loopback SMTP server (tests/smtp.py, a fixture for every
test)."""

from __future__ import annotations

import pytest


@pytest.fixture
def mail_app(make_app, smtp_server):
    """An app whose mail goes to the loopback SMTP server."""
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT=5,
        MAIL_DEFAULT_SENDER="提醒 <noreply@volunteer.example>",
        SITE_URL="https://volunteer.example",
    )
    with app.app_context():
        yield app
