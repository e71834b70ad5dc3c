"""The deployment's files (docs/deploy.md): gunicorn.conf.py as gunicorn reads it, a server
started with it on .env.example's production settings that logs nothing but JSON lines and
one access line per request, and a .env.example that names every setting the app reads."""

from __future__ import annotations

import ast
import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from gunicorn.config import Config

from core.config import from_environment
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
ENV_LINE = re.compile(r"""^([A-Z][A-Z0-9_]*)=("[^"$`\\]*"|'[^']*'|[^\s"'#]*)$""")


@pytest.fixture
def gunicorn_settings(monkeypatch) -> dict:
    """gunicorn.conf.py's settings as gunicorn loads them (it rewrites sys.path: a copy)."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {name: value for name, value in namespace.items() if not name.startswith("_")}


def test_gunicorn_conf_holds_only_settings_gunicorn_knows_and_accepts(gunicorn_settings):
    config = Config()
    # A misspelt name would be ignored by gunicorn without a word.
    unknown = set(gunicorn_settings) - set(config.settings) - {"os", "sys", "logging_config"}
    assert not unknown
    for name, value in gunicorn_settings.items():
        if name in config.settings:
            config.set(name, value)

    cores = len(os.sched_getaffinity(0))
    assert config.bind == ["127.0.0.1:8000"]
    assert config.workers == 2 * cores + 1
    assert config.worker_class_str == "sync"
    assert config.timeout == 120
    assert config.graceful_timeout == 30
    assert (config.max_requests, config.max_requests_jitter) == (1000, 100)
    assert config.preload_app is False
    assert config.accesslog is None
    assert config.errorlog == "-"
    assert config.logconfig_dict["formatters"]["default"]["()"].__name__ == "JsonFormatter"
    assert config.logconfig_dict["loggers"]["gunicorn.access"]["level"] == "WARNING"
    assert config.control_socket_disable is True
    assert config.chdir == str(ROOT.resolve())


def test_the_timeouts_around_gunicorn_leave_it_the_last_word(gunicorn_settings):
    """nginx waits longer than gunicorn lets a request run, and systemd longer than gunicorn
    lets a stopping worker finish."""
    nginx = (ROOT / "deploy/nginx/volunteer-points.conf").read_text()
    unit = (ROOT / "deploy/systemd/volunteer-points@.service").read_text()
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx)[1])
    stop_timeout = int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)[1])

    assert read_timeout > gunicorn_settings["timeout"]
    assert stop_timeout > gunicorn_settings["graceful_timeout"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx


def settings_read_by(path: Path) -> set[str]:
    """Every environment variable a module reads: os.environ.get("X") and os.getenv("X"),
    and calls of its own helpers that pass their first argument to one (_bool("X"))."""
    tree = ast.parse(path.read_text())

    def reads_environment(call: ast.Call) -> bool:
        return ast.unparse(call.func) in {"os.environ.get", "os.getenv"}

    helpers = {
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef) and function.args.args
        for call in ast.walk(function)
        if isinstance(call, ast.Call)
        and reads_environment(call)
        and call.args
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == function.args.args[0].arg
    }
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
        if not (isinstance(node, ast.Call) and node.args):
            continue
        if reads_environment(node) or ast.unparse(node.func) in helpers:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return names


def env_example() -> dict[str, str]:
    """.env.example's NAME=value lines, each checked to read the same to systemd's
    EnvironmentFile= and to the shell (vp-flask sources it): no trailing comment, a value with
    spaces in quotes, nothing to expand."""
    values = {}
    for number, line in enumerate((ROOT / ".env.example").read_text().splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        found = ENV_LINE.match(line)
        assert found, f".env.example:{number}: {line!r}"
        values[found[1]] = found[2].strip("\"'")
    return values


def test_env_example_names_every_setting_the_app_reads():
    read = settings_read_by(ROOT / "core/config.py")
    assert {"DATABASE_URL", "SECRET_KEY", "PROXY_FIX", "MAIL_USE_TLS"} <= read

    assert sorted(read - set(env_example())) == []


def test_env_example_is_a_production_configuration(monkeypatch, tmp_path):
    values = env_example()
    assert values["APP_ENV"] == "production"
    assert values["LOG_FORMAT"] == "json"
    assert values["PROXY_FIX"] == "true"
    assert values["SESSION_COOKIE_SECURE"] == "true"
    assert values["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    # Left empty, so that a copy nobody filled in refuses to start.
    assert values["SECRET_KEY"] == ""

    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config = from_environment(tmp_path)

    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PROXY_FIX"] is True
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["LOGIN_ATTEMPTS_PER_PHONE"] == "5 per 15 minutes"


def wait_for_port(port: int, server: subprocess.Popen, seconds: float) -> None:
    """Until gunicorn listens (a request then waits for a worker): a request to find out
    would write an access line of its own."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}: {server.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not listen on {port} within {seconds} s")


def test_gunicorn_with_the_conf_serves_and_logs_json_lines_only(_migrated, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The production settings of .env.example, with the test's database and no Redis.
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **env_example(),
        "DATABASE_URL": _migrated,
        "SECRET_KEY": "deploy-test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Production needs an SMS provider; nothing here asks for a code.
        "SMS_PROVIDER": "aliyun",
        "ALIYUN_SMS_ACCESS_KEY_ID": "LTAI-test-id",
        "ALIYUN_SMS_ACCESS_KEY_SECRET": "test-secret",
        "ALIYUN_SMS_SIGN_NAME": "文明实践积分",
        "ALIYUN_SMS_TEMPLATE_SIGN_IN": "SMS_100000001",
        "ALIYUN_SMS_TEMPLATE_REGISTER": "SMS_100000002",
        "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD": "SMS_100000003",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "app:create_app()"],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, server, seconds=30)
        healthz = requests.get(
            f"{url}/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"}, timeout=30
        )
        readyz = requests.get(f"{url}/readyz", timeout=10)
        missing = requests.get(f"{url}/no-such-page", timeout=10)
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=40)

    assert healthz.status_code == 200
    assert healthz.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    assert readyz.status_code == 200, readyz.text
    assert readyz.json()["checks"]["database"] == "ok"
    assert missing.status_code == 404
    assert server.returncode == 0, stderr
    assert stdout == ""

    lines = [json.loads(line) for line in stderr.splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    # gunicorn's own lines come through the same formatter, from its start to its stop.
    messages = [line["message"] for line in lines if line["logger"] == "gunicorn.error"]
    assert any(message.startswith("Listening at") for message in messages)
    assert any(message.startswith("Shutting down") for message in messages)
    # One access line per request, the app's (gunicorn's access log is off).
    access = [line for line in lines if line["logger"] in {"access", "gunicorn.access"}]
    assert [(line["method"], line["path"], line["status"]) for line in access] == [
        ("GET", "/healthz", 200),
        ("GET", "/readyz", 200),
        ("GET", "/no-such-page", 404),
    ]
    assert all(line["logger"] == "access" and line["request_id"] for line in access)
    assert access[0]["request_id"] == "nginx-0123456789abcdef"
    assert access[1]["request_id"] == readyz.headers["X-Request-ID"]
