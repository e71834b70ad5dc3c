"""Forms of the notification pages: marking read, the choice per kind, sending failed email
again, and a message to a shift's volunteers."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from core.inputs import Form
from reminders.message_models import (
    AUDIENCE_LABELS,
    MAX_BODY,
    TEMPLATE_LABELS,
    ShiftAudience,
    ShiftMessageTemplate,
)
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


class ShiftMessageForm(Form):
    """A message to a group of a shift's volunteers: whom, which template, the words."""

    audience = RadioField(
        _l("To"), default=ShiftAudience.signed_up.value, validators=[DataRequired()]
    )
    template = SelectField(
        _l("About"), default=ShiftMessageTemplate.meeting_point.value, validators=[DataRequired()]
    )
    # The service says which templates need words (and how many it keeps).
    body = TextAreaField(
        _l("Your words"),
        validators=[Length(max=MAX_BODY)],
        render_kw={"rows": 3, "maxlength": MAX_BODY},
        description=_l(
            "The new time, the new meeting point, or your message; for a weather cancellation "
            "or thanks, optional. At most 500 characters."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = [(a.value, label) for a, label in AUDIENCE_LABELS.items()]
        self.template.choices = [(t.value, label) for t, label in TEMPLATE_LABELS.items()]

    def audience_with_sizes(self, sizes: dict[ShiftAudience, int]) -> None:
        """Label each group with how many it holds now."""
        self.audience.choices = [
            (a.value, _("%(group)s (%(num)d)", group=label, num=sizes[a]))
            for a, label in AUDIENCE_LABELS.items()
        ]


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
