"""Volunteers with confirmed service, to certify. Builders add and flush, and never commit."""

from __future__ import annotations

from datetime import timedelta

from core.auth.models import User
from core.clock import utcnow
from core.settings import current_settings
from events import services as events
from tests.builders import make_activity, make_campaign, make_shift, make_team


def serve(volunteer: User, *, hours: int = 2, activity=None, ago_hours: int = 30):
    """The volunteer serves a whole shift of `hours` that ended `ago_hours` ago (minus its
    length), and the leader confirms it; returns the activity, for more shifts in it."""
    activity = activity or make_activity(make_team(), make_campaign())
    shift = make_shift(activity, starts_in_hours=-ago_hours, hours=hours)
    leader = activity.team.founder
    events.sign_up(volunteer, shift.id, now=shift.starts_at - timedelta(hours=1))
    row = events.check_in_by_leader(
        leader, shift.id, phone=volunteer.phone, now=shift.starts_at, leader_days=7
    )
    events.check_out_by_leader(leader, row.id, now=shift.ends_at)
    confirmed_at = min(utcnow(), shift.ends_at + timedelta(hours=1))
    events.confirm_attendance(leader, shift.id, now=confirmed_at)
    return activity


def certificate_settings():
    return current_settings().certificates
