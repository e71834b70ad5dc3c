"""API schemas for notifications and delivery choices (names start with Notification so that
they do not clash with other packages' schemas in the OpenAPI document), and for messages to a
shift's volunteers (names start with ShiftMessage)."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from reminders.message_models import MAX_BODY, ShiftAudience, ShiftMessageTemplate
from reminders.models import DeliveryChoice, EmailStatus, NotificationKind


class NotificationQuerySchema(Schema):
    unread = ma.fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(NotificationKind)
    title = ma.fields.String()
    lines = ma.fields.List(ma.fields.String())
    url = ma.fields.String(metadata={"description": "The page it is about"})
    created_at = ma.fields.AwareDateTime()
    read_at = ma.fields.AwareDateTime(allow_none=True)
    email_status = ma.fields.Enum(EmailStatus)


class UnreadCountSchema(Schema):
    unread = ma.fields.Integer(metadata={"description": "All unread notifications of the user"})


class NotificationReadAllSchema(Schema):
    marked = ma.fields.Integer()


class NotificationPreferenceSchema(Schema):
    kind = ma.fields.Enum(NotificationKind, required=True)
    choice = ma.fields.Enum(DeliveryChoice, required=True)


class NotificationPreferencesUpdateSchema(Schema):
    preferences = ma.fields.List(
        ma.fields.Nested(NotificationPreferenceSchema),
        required=True,
        validate=ma.validate.Length(max=len(NotificationKind)),
    )


class NotificationResendSchema(Schema):
    notification_ids = ma.fields.List(
        # Strict: a fraction is no id (the loose field would read 0.5 as 0).
        ma.fields.Integer(strict=True),
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=1000),
        metadata={"description": "Left out: every notification whose email failed"},
    )


class NotificationResendResultSchema(Schema):
    queued = ma.fields.Integer(
        metadata={"description": "How many failed emails are queued to be sent again"}
    )


class ShiftMessageCreateSchema(Schema):
    audience = ma.fields.Enum(
        ShiftAudience,
        required=True,
        metadata={
            "description": "signed_up: holding a place; checked_in: checked in (walk-ins too); "
            "not_checked_in: holding a place, not checked in; waiting: on the waiting list"
        },
    )
    template = ma.fields.Enum(ShiftMessageTemplate, required=True)
    body = ma.fields.String(
        load_default="",
        metadata={
            **MULTILINE,
            "description": "The new time (time_changed), the new meeting point "
            "(meeting_point) or the message (free), required for those; optional words for "
            "the others",
        },
        validate=ma.validate.Length(max=MAX_BODY),
    )


class ShiftMessageRecipientSchema(Schema):
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    read_at = ma.fields.AwareDateTime(allow_none=True)
    email_status = ma.fields.Enum(EmailStatus)


class ShiftMessageSchema(Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    audience = ma.fields.Enum(ShiftAudience)
    template = ma.fields.Enum(ShiftMessageTemplate)
    body = ma.fields.String()
    author_name = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    audience_size = ma.fields.Integer(
        metadata={"description": "How many volunteers the group held when it was sent"}
    )
    told_count = ma.fields.Integer(
        metadata={
            "description": "How many got it in their inbox (the others turned these messages "
            "off, or their account is disabled)"
        }
    )
    recipients = ma.fields.List(ma.fields.Nested(ShiftMessageRecipientSchema))
