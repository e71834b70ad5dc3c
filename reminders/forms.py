"""Forms of the notification pages: marking read, the choice per kind, and sending failed email
again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from core.inputs import Form
from reminders.messages import KIND_LABELS
from reminders.models import DeliveryChoice, NotificationKind

CHOICE_LABELS = {
    DeliveryChoice.inbox_and_email: _l("Inbox and email"),
    DeliveryChoice.inbox: _l("Inbox only"),
    DeliveryChoice.off: _l("Do not notify"),
}


class ActionForm(Form):
    """A button that posts (mark read, mark all read): only the CSRF token."""


class ResendForm(Form):
    """Send failed email again: the notification named, or every failed one when none is."""

    notification_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


def preferences_form(
    kinds: tuple[NotificationKind, ...],
    current: dict[NotificationKind, DeliveryChoice],
    formdata=None,
) -> Form:
    """A form with one choice per kind the user can receive, filled with the current choices."""

    class PreferencesForm(Form):
        pass

    for kind in kinds:
        setattr(
            PreferencesForm, kind.value, RadioField(KIND_LABELS[kind], default=current[kind].value)
        )
    form = PreferencesForm(formdata=formdata)
    for kind in kinds:
        form[kind.value].choices = [(c.value, label) for c, label in CHOICE_LABELS.items()]
    return form


def chosen(form: Form, kinds: tuple[NotificationKind, ...]):
    """The choices a validated preferences form holds."""
    return {kind: DeliveryChoice(form[kind.value].data) for kind in kinds}
