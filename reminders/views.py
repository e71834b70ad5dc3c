"""Notification pages: the inbox (open one, mark read, mark all read), the choice per kind, the
office's list of email that could not be delivered (send it again), and a shift's messages to
its volunteers (write one; each recipient's copy, read or not, emailed or not). The unread count
for the navigation comes from here too."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.pages import Said, carry_out, submit
from core.settings import current_settings
from events import services as events
from reminders import services
from reminders.forms import (
    CHOICE_LABELS,
    ActionForm,
    ResendForm,
    ShiftMessageForm,
    chosen,
    preferences_form,
)
from reminders.message_models import ShiftAudience, ShiftMessageTemplate
from reminders.messages import KIND_LABELS, render

bp = Blueprint("reminders", __name__)


@bp.app_context_processor
def _unread():
    if current_user and current_user.is_authenticated:
        return {"unread_notifications": services.unread_count(current_user)}
    return {"unread_notifications": 0}


@bp.get("/notifications")
@login_required(owner="self", why="every account has an inbox")
def inbox():
    page = services.inbox(
        current_user,
        page=request.args.get("page", 1, type=int),
        unread_only=request.args.get("unread") == "1",
    )
    items = [(row, render(row)) for row in page.items]
    return render_template(
        "reminders/inbox.html", page=page, items=items, form=ActionForm(formdata=None)
    )


@bp.post("/notifications/<int:notification_id>/open")
@login_required(owner="self", why="every account has an inbox")
def open_notification(notification_id: int):
    services.own_notification(current_user, notification_id)
    return carry_out(
        lambda: services.mark_read(current_user, notification_id, now=utcnow()),
        form=ActionForm(),
        then=lambda row: render(row).url,
        refused_to=url_for(".inbox"),
    )


@bp.post("/notifications/read-all")
@login_required(owner="self", why="every account has an inbox")
def read_all():
    return carry_out(
        lambda: services.mark_all_read(current_user, now=utcnow()),
        form=ActionForm(),
        done=lambda count: _("%(num)d marked as read.", num=count),
        then=url_for(".inbox"),
    )


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required(owner="self", why="every account chooses how it is told")
def settings():
    kinds = services.kinds_for(current_user)
    current = services.preferences(current_user)
    form = preferences_form(
        kinds, current, formdata=request.form if request.method == "POST" else None
    )
    saved = submit(
        form,
        lambda: services.set_preferences(current_user, chosen(form, kinds), now=utcnow()),
        done=_("Your notification settings are saved."),
        then=url_for(".settings"),
    )
    return saved or render_template(
        "reminders/settings.html",
        form=form,
        kinds=kinds,
        choice_labels=CHOICE_LABELS,
        has_email=bool(current_user.email),
        mail_enabled=current_settings().mail.enabled,
    )


@bp.get("/office/email")
@role_required(Role.office, why="the office looks after the delivery of reminder email")
def failed_email():
    page = services.list_failed_email(current_user, page=request.args.get("page", 1, type=int))
    return render_template(
        "reminders/failed_email.html",
        page=page,
        kind_labels=KIND_LABELS,
        form=ResendForm(formdata=None),
    )


def _queued(count: int) -> Said:
    if count:
        return ngettext(
            "%(num)d email is queued to be sent again.",
            "%(num)d emails are queued to be sent again.",
            count,
        )
    return _("No email was queued: none of them can be sent again now."), "info"


@bp.post("/office/email/resend")
@role_required(Role.office, why="the office looks after the delivery of reminder email")
def resend_email():
    form = ResendForm()
    return carry_out(
        lambda: services.resend_failed_email(
            current_user,
            notification_ids=(
                None if form.notification_id.data is None else [form.notification_id.data]
            ),
            now=utcnow(),
        ),
        form=form,
        done=_queued,
        then=url_for(".failed_email"),
    )


@bp.route("/shifts/<int:shift_id>/messages", methods=["GET", "POST"])
@role_required(Who.leader, Role.office, owner="team")
def shift_messages(shift_id: int):
    shift = events.managed_shift(current_user, shift_id)
    form = ShiftMessageForm()
    sent = submit(
        form,
        lambda: services.send_shift_message(
            current_user,
            shift.id,
            audience=ShiftAudience(form.audience.data),
            template=ShiftMessageTemplate(form.template.data),
            body=form.body.data or "",
            now=utcnow(),
            settings=current_settings().reminders,
        ),
        done=lambda message: ngettext(
            "Sent to %(num)d volunteer.", "Sent to %(num)d volunteers.", message.told_count
        ),
        then=url_for(".shift_messages", shift_id=shift.id),
    )
    if sent:
        return sent
    form.audience_with_sizes(services.audience_sizes(shift))
    page = render_template(
        "reminders/shift_messages.html",
        shift=shift,
        form=form,
        sent=services.shift_messages(current_user, shift.id),
    )
    return page, form.status
