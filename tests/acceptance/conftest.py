"""Browser fixtures: the app served on loopback, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE_VIEWPORT = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    if shutil.which("chromium") is None:
        reason = "Chromium is not installed (apt-get install chromium)"
    elif os.environ.get("TEST_DATABASE_URL"):
        # What a browser sees does not depend on the database under the pages: the journeys run
        # on the SQLite pass, and the PostgreSQL pass keeps its minutes for what does.
        reason = "browser journeys run on the SQLite pass"
    else:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "acceptance" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url():
    # Each test serves its own app on a free port; the plugin's class-based fixture for this
    # trips a pytest deprecation warning (and warnings are errors here).
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never let Playwright download a browser, and keep Chromium off the network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    # Reduced motion turns off Bootstrap's collapse animation, so a click on a menu item never
    # lands while the menu is still sliding open.
    return {
        **browser_context_args,
        "viewport": PHONE_VIEWPORT,
        "is_mobile": True,
        "reduced_motion": "reduce",
    }


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port in a thread; yields its base URL.

    The database is a file (or PostgreSQL), so the server's connections see what the test
    committed.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
