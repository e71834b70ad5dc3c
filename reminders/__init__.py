"""Scheduled reminders and notifications: the in-app inbox and email, delivered once."""
