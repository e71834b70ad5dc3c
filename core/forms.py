"""Form helpers shared by every package's views."""

from __future__ import annotations

from flask import flash

from core.errors import DomainError
from core.inputs import Form


def optional_int(value):
    """Coerce a select's value to an int, or None for the blank choice (a malformed value
    raises, so WTForms marks the field invalid)."""
    return int(value) if value not in (None, "", "None") else None


def apply_errors(form: Form, error: DomainError) -> None:
    """Show a service's refusal on the form: field errors beside their fields, the rest on top."""
    placed = False
    for name, messages in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, *messages]
            placed = True
        else:
            form.form_errors.extend(messages)
    if not placed and not form.form_errors:
        form.form_errors.append(str(error.message))


def refusal_messages(error: DomainError) -> list[str]:
    """What to tell the user: the field messages if the service named fields, else its message."""
    return [str(m) for found in error.errors.values() for m in found] or [str(error.message)]


def flash_form_errors(form: Form) -> None:
    """Flash the errors of a small action form (buttons, a reason field) that is not shown
    again."""
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}" if field.label.text else message, "danger")
