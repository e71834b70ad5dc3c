"""Services are plain Python: what they act on comes in as arguments (the user, `now`, the
settings), never from the app, the request or the clock."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_MODULES = sorted(
    path
    for pattern in (
        "*/services.py",
        "*/services/*.py",
        "core/*/services.py",
        "core/auth/admin.py",
        "core/auth/recovery.py",
        "core/auth/sms_services.py",
        "core/auth/assignments.py",
        "core/regions.py",
        "core/workdays.py",
    )
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
)
# Names a service may not import: the app and the request (flask), and the clock.
FORBIDDEN = {
    "flask": {"current_app", "request", "g", "session"},
    "flask_babel": {"get_locale"},
    "core.clock": {"utcnow"},
    "core.settings": {"current_settings"},
    "core.i18n": {"current_locale"},
}


def _imports(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def test_there_are_service_modules_to_check():
    assert len(SERVICE_MODULES) > 20


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_service_takes_app_request_and_clock_as_arguments(path):
    found = {
        f"{module}.{name}"
        for module, name in _imports(path)
        if name in FORBIDDEN.get(module, set())
    }
    assert not found, f"{path.relative_to(ROOT)} reads {sorted(found)}; take it as an argument"
