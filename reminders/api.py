"""API: my notifications (read, mark read), my delivery choice per kind, the office's sending of
failed email again, and a shift's messages to its volunteers (send one, list them with each
recipient's copy)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from reminders import services
from reminders.messages import render
from reminders.schemas import (
    NotificationPreferenceSchema,
    NotificationPreferencesUpdateSchema,
    NotificationQuerySchema,
    NotificationReadAllSchema,
    NotificationResendResultSchema,
    NotificationResendSchema,
    NotificationSchema,
    ShiftMessageCreateSchema,
    ShiftMessageSchema,
    UnreadCountSchema,
)

blp = Blueprint(
    "reminders_api",
    __name__,
    url_prefix="/api/v1",
    description="Notifications (the inbox), delivery choices, and messages to a shift's volunteers",
)
BEARER = [{"bearerAuth": []}]


def _shown(row) -> dict:
    text = render(row)
    return {
        "id": row.id,
        "kind": row.kind,
        "title": text.title,
        "lines": text.lines,
        "url": text.url,
        "created_at": row.created_at,
        "read_at": row.read_at,
        "email_status": row.email_status,
    }


def _listed(choices) -> list[dict]:
    return [{"kind": kind, "choice": choice} for kind, choice in choices.items()]


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @login_required(owner="self", why="every account has an inbox")
    @blp.doc(security=BEARER)
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """My notifications, newest first"""
        page = services.inbox(
            current_user,
            page=pagination_parameters.page,
            per_page=pagination_parameters.page_size,
            unread_only=args["unread"],
        )
        pagination_parameters.item_count = page.total
        return [_shown(row) for row in page.items]


@blp.route("/me/notifications/unread")
class MyUnreadCount(MethodView):
    @login_required(owner="self", why="every account has an inbox")
    @blp.doc(security=BEARER)
    @blp.response(200, UnreadCountSchema)
    def get(self):
        """How many of my notifications are unread (for a badge)"""
        return {"unread": services.unread_count(current_user)}


@blp.route("/me/notifications/<int:notification_id>/read")
class MyNotificationRead(MethodView):
    @login_required(owner="self", why="every account has an inbox")
    @blp.doc(security=BEARER)
    @blp.response(200, NotificationSchema)
    def post(self, notification_id: int):
        """Mark one of my notifications read (again: no change)"""
        row = services.mark_read(current_user, notification_id, now=utcnow())
        db.session.commit()
        return _shown(row)


@blp.route("/me/notifications/read-all")
class MyNotificationsReadAll(MethodView):
    @login_required(owner="self", why="every account has an inbox")
    @blp.doc(security=BEARER)
    @blp.response(200, NotificationReadAllSchema)
    def post(self):
        """Mark all my notifications read"""
        marked = services.mark_all_read(current_user, now=utcnow())
        db.session.commit()
        return {"marked": marked}


@blp.route("/me/notification-preferences")
class MyNotificationPreferences(MethodView):
    @login_required(owner="self", why="every account chooses how it is told")
    @blp.doc(security=BEARER)
    @blp.response(200, NotificationPreferenceSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My choice (inbox and email, inbox, off) for each kind I can receive"""
        return _listed(services.preferences(current_user))

    @login_required(owner="self", why="every account chooses how it is told")
    @blp.doc(security=BEARER)
    @blp.arguments(NotificationPreferencesUpdateSchema)
    @blp.response(200, NotificationPreferenceSchema(many=True))
    def put(self, data):
        """Change my choice for the kinds named; the others stay as they are"""
        choices = {line["kind"]: line["choice"] for line in data["preferences"]}
        saved = services.set_preferences(current_user, choices, now=utcnow())
        db.session.commit()
        return _listed(saved)


@blp.route("/office/email/resend")
class OfficeEmailResend(MethodView):
    @role_required(Role.office, why="the office looks after the delivery of reminder email")
    @blp.doc(security=BEARER)
    @blp.arguments(NotificationResendSchema)
    @blp.response(200, NotificationResendResultSchema)
    def post(self, data):
        """Send failed email again (office): the notifications named, or every failed one"""
        queued = services.resend_failed_email(
            current_user, notification_ids=data["notification_ids"], now=utcnow()
        )
        db.session.commit()
        return {"queued": queued}


def _message(sent: services.SentMessage) -> dict:
    message = sent.message
    return {
        "id": message.id,
        "shift_id": message.shift_id,
        "audience": message.audience,
        "template": message.template,
        "body": message.body,
        "author_name": sent.author_name,
        "created_at": message.created_at,
        "audience_size": message.audience_size,
        "told_count": message.told_count,
        "recipients": sent.recipients,
    }


@blp.route("/shifts/<int:shift_id>/messages")
class ShiftMessages(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, ShiftMessageSchema(many=True))
    @blp.paginate(Page)
    def get(self, shift_id: int):
        """The messages sent to the shift's volunteers, newest first, with each recipient's
        copy: read or not, and its email (leader of the team, or office)"""
        return [_message(sent) for sent in services.shift_messages(current_user, shift_id)]

    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ShiftMessageCreateSchema)
    @blp.response(201, ShiftMessageSchema)
    def post(self, data, shift_id: int):
        """Send a message to a group of the shift's volunteers, to their inbox and by email as
        each chose (leader of the team, or office; a few an hour, else 429)"""
        message = services.send_shift_message(
            current_user,
            shift_id,
            audience=data["audience"],
            template=data["template"],
            body=data["body"],
            now=utcnow(),
            settings=current_settings().reminders,
        )
        db.session.commit()
        return _message(services.sent_message(message))
