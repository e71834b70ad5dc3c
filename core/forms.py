"""Form helpers shared by every package's views."""

from __future__ import annotations

from flask_wtf import FlaskForm

from core.errors import DomainError


def apply_errors(form: FlaskForm, error: DomainError) -> None:
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
