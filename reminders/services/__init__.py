"""Reminder rules, one module per concept; the package offers every public name callers use."""

from reminders.services.delivery import (
    EmailSummary,
    Mailer,
    claim_due_email,
    email_summary,
    send_email,
)
from reminders.services.failures import FailedEmail, list_failed_email, resend_failed_email
from reminders.services.finders import MAX_LISTED, Due, find_due
from reminders.services.inboxes import (
    LEADER_KINDS,
    MAX_PAGE,
    OFFICE_KINDS,
    REVIEWER_KINDS,
    VOLUNTEER_KINDS,
    inbox,
    kinds_for,
    mark_all_read,
    mark_read,
    own_notification,
    preferences,
    set_preferences,
    unread_count,
)
from reminders.services.retention import purge_read_notifications
from reminders.services.shift_messages import (
    Recipient,
    SentMessage,
    TooManyMessages,
    audience_of,
    audience_sizes,
    send_shift_message,
    sent_message,
    shift_messages,
)
from reminders.services.storing import INSERT_CHUNK, create_due_notifications, store

__all__ = [
    "INSERT_CHUNK",
    "LEADER_KINDS",
    "MAX_LISTED",
    "MAX_PAGE",
    "OFFICE_KINDS",
    "REVIEWER_KINDS",
    "VOLUNTEER_KINDS",
    "Due",
    "EmailSummary",
    "FailedEmail",
    "Mailer",
    "Recipient",
    "SentMessage",
    "TooManyMessages",
    "audience_of",
    "audience_sizes",
    "claim_due_email",
    "create_due_notifications",
    "email_summary",
    "find_due",
    "inbox",
    "kinds_for",
    "list_failed_email",
    "mark_all_read",
    "mark_read",
    "own_notification",
    "preferences",
    "purge_read_notifications",
    "resend_failed_email",
    "send_email",
    "send_shift_message",
    "sent_message",
    "set_preferences",
    "shift_messages",
    "store",
    "unread_count",
]
