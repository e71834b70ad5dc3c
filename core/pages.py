"""The one way a page action runs: call one service, commit once, tell the user after the commit,
redirect; on a refusal roll back once and say why. Every POST view goes through `carry_out` (a
button or a small form) or `submit` (a form shown again with its errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from core.auth.access import is_safe_next
from core.errors import DomainError, end_unit_of_work
from core.extensions import db
from core.forms import apply_errors, flash_form_errors, refusal_messages
from core.inputs import Form

Result = TypeVar("Result")
# What to say once the action is done: a message (shown as a success), a (message, category)
# pair, or None for nothing.
Said = str | tuple[str, str] | None
Then = str | Callable[[Result], str]
# What to do once the action is committed, with what it returned (send an email, show a secret
# once): it reads plain values only (the commit expired the rows) and must not raise.
After = Callable[[Result], None]


def back_to(fallback: str) -> str:
    """The page the form was posted from (its `next` field) if it is a page of this site, else
    `fallback`."""
    target = request.form.get("next")
    return target if is_safe_next(target) else fallback


def _flash(said: Said) -> None:
    if said is not None:
        message, category = said if isinstance(said, tuple) else (said, "success")
        flash(message, category)


def _refuse(error: DomainError) -> None:
    end_unit_of_work(error)
    for message in refusal_messages(error):
        flash(message, "danger")


def _commit(result, then: Then, done: Said | Callable, after: After | None = None) -> Response:
    # What to say and where to go come from what the action returned, before the commit
    # expires it: nothing is read back afterwards.
    said = done(result) if callable(done) else done
    target = then(result) if callable(then) else then
    db.session.commit()
    _flash(said)
    if after is not None:
        after(result)
    return redirect(target)


def carry_out(
    action: Callable[[], Result],
    *,
    then: Then,
    done: Said | Callable[[Result], Said] = None,
    refused_to: str | Callable[[DomainError | None], str] | None = None,
    form: Form | None = None,
    after: After | None = None,
) -> Response:
    """Run `action` (a call of one service) as the request's unit of work, for a button or a
    small form (`form`: a reason, a choice), which is checked first.

    Done: commit, flash `done`, run `after`, redirect to `then` (each may be made from the
    result). Refused (the form's checks, or a DomainError): roll back once, flash why, redirect
    to `refused_to` (a URL, or one made from the error; `then` by default).
    """
    refused = None
    if form is not None and not form.validate():
        flash_form_errors(form)
    else:
        try:
            result = action()
        except DomainError as error:
            _refuse(error)
            refused = error
        else:
            return _commit(result, then, done, after)
    # `then` may need the result, which a refusal does not have: such a view names `refused_to`.
    return redirect(refused_to(refused) if callable(refused_to) else refused_to or then)


def submit(
    form: Form,
    action: Callable[[], Result],
    *,
    then: Then,
    done: Said | Callable[[Result], Said] = None,
    refused_to: str | None = None,
    after: After | None = None,
) -> Response | None:
    """For a form shown again until it is right: when it validates, run `action` as the
    request's unit of work (commit, flash `done`, run `after`, redirect to `then`). Returns
    None when the view should render the form again: not submitted, invalid, or refused by the
    service (the refusal rolled back and placed beside its fields). With `refused_to`, a
    refusal that names none of the form's fields (the thing is gone, or decided meanwhile) is
    flashed and redirects there instead."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except DomainError as error:
        if refused_to is not None and not set(error.errors) & set(form._fields):
            _refuse(error)
            return redirect(refused_to)
        end_unit_of_work(error)
        apply_errors(form, error)
        form.refused_with = error.status
        return None
    return _commit(result, then, done, after)
