"""The words of each notification kind: its label for the settings, and its title, text and
link, rendered from the stored params in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import force_locale, format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from honours.application_models import ApplicationResult, ApplicationStatus
from honours.card_models import CheckOutcome
from honours.conduct_models import CaseStage
from honours.nomination_models import Stage
from reminders.message_models import ShiftMessageTemplate
from reminders.models import Notification, NotificationKind

KIND_LABELS = {
    NotificationKind.shift_tomorrow: _l("A shift of mine starts within a day"),
    NotificationKind.shift_soon: _l("A shift of mine starts within two hours"),
    NotificationKind.waiting_list_promoted: _l("I got a place from the waiting list"),
    NotificationKind.activity_cancelled: _l("An activity I signed up for is cancelled"),
    NotificationKind.activity_changed: _l("An activity I signed up for has changed"),
    NotificationKind.points_earned: _l("I earned points"),
    NotificationKind.points_expiring: _l("Points of mine expire within 30 days"),
    NotificationKind.shift_message: _l("A message from the leaders of a shift of mine"),
    NotificationKind.free_places_tomorrow: _l("My team's shifts tomorrow still have free places"),
    NotificationKind.attendance_unconfirmed: _l("Attendance of my team's shift is not confirmed"),
    NotificationKind.join_request_waiting: _l("A request to join my team is waiting"),
    NotificationKind.weekly_digest: _l("Weekly digest of my teams' shifts"),
    NotificationKind.campaign_unplanned_teams: _l(
        "Teams with nothing planned for an upcoming campaign"
    ),
    NotificationKind.nomination_overdue: _l("A nomination waits past its review time limit"),
    NotificationKind.card_alert: _l("A lost, replaced or revoked courtesy card was presented"),
    NotificationKind.breach_case_overdue: _l("A breach case waits past its step's time limit"),
    NotificationKind.breach_statement_ended: _l(
        "A person's statement period on a breach case has ended"
    ),
    NotificationKind.application_step: _l("My application for a benefit moved on"),
}


@dataclass(frozen=True)
class Rendered:
    """A notification in words: title, text (lines) and where it leads."""

    title: str
    lines: list[str]
    url: str


def _when(value: str) -> str:
    return format_datetime(datetime.fromisoformat(value), "medium")


def _day(value: str) -> str:
    return format_date(date.fromisoformat(value), "full")


def _shift_line(shift: dict[str, Any]) -> str:
    return _(
        "%(when)s · %(title)s · %(taken)s of %(capacity)s places taken",
        when=_when(shift["starts_at"]),
        title=shift["title"],
        taken=shift["seats_taken"],
        capacity=shift["capacity"],
    )


def _shift_message(p: dict[str, Any]) -> tuple[str, list[str]]:
    template = ShiftMessageTemplate(p["template"])
    when = _when(p["starts_at"])
    if template is ShiftMessageTemplate.time_changed:
        title = _("Time changed: %(title)s", title=p["title"])
        lines = [_("The shift at %(when)s has a new time: %(time)s", when=when, time=p["body"])]
    elif template is ShiftMessageTemplate.meeting_point:
        title = _("New meeting point: %(title)s", title=p["title"])
        lines = [
            _("For the shift at %(when)s, meet at: %(place)s", when=when, place=p["body"]),
        ]
    elif template is ShiftMessageTemplate.weather_cancelled:
        title = _("Cancelled for the weather: %(title)s", title=p["title"])
        lines = [_("The shift at %(when)s does not take place because of the weather.", when=when)]
        lines.append(p["body"])
    elif template is ShiftMessageTemplate.thanks:
        title = _("Thank you: %(title)s", title=p["title"])
        lines = [_("Thank you for serving on the shift at %(when)s.", when=when), p["body"]]
    else:
        title = _("A message about %(title)s", title=p["title"])
        lines = [_("Shift: %(when)s", when=when), p["body"]]
    lines.append(_("Place: %(address)s", address=p["address"]))
    if p.get("team"):
        lines.append(_("From the leaders of %(team)s", team=p["team"]))
    else:
        lines.append(_("From the civilization office"))
    return title, lines


def _texts(kind: NotificationKind, p: dict[str, Any]) -> tuple[str, list[str]]:
    if kind is NotificationKind.shift_tomorrow:
        return _("Reminder: %(title)s", title=p["title"]), [
            _("Your shift starts at %(when)s.", when=_when(p["starts_at"])),
            _("Place: %(address)s", address=p["address"]),
            _("If you cannot come, cancel in time so that someone else can take the place."),
        ]
    if kind is NotificationKind.shift_soon:
        return _("Starting soon: %(title)s", title=p["title"]), [
            _("Your shift starts at %(when)s.", when=_when(p["starts_at"])),
            _("Place: %(address)s", address=p["address"]),
        ]
    if kind is NotificationKind.waiting_list_promoted:
        return _("You have a place: %(title)s", title=p["title"]), [
            _(
                "A place became free and is now yours: the shift at %(when)s.",
                when=_when(p["starts_at"]),
            ),
        ]
    if kind in (NotificationKind.activity_cancelled, NotificationKind.activity_changed):
        if kind is NotificationKind.activity_cancelled:
            title = _("Cancelled: %(title)s", title=p["title"])
            lines = [_("The activity or one of its shifts you signed up for is cancelled.")]
        else:
            title = _("Changed: %(title)s", title=p["title"])
            lines = [_("The activity or one of its shifts you signed up for has changed.")]
        if p.get("starts_at"):
            lines.append(_("Shift: %(when)s", when=_when(p["starts_at"])))
        if p.get("message"):
            lines.append(p["message"])
        return title, lines
    if kind is NotificationKind.points_earned:
        return ngettext("You earned %(num)d point", "You earned %(num)d points", p["amount"]), [
            p.get("memo") or "",
            _("Your balance is on the points page."),
        ]
    if kind is NotificationKind.shift_message:
        return _shift_message(p)
    if kind is NotificationKind.points_expiring:
        title = ngettext(
            "%(num)d point expires by %(day)s",
            "%(num)d points expire by %(day)s",
            p["amount"],
            day=_day(p["expires_on"]),
        )
        return title, [
            _("The first of them expire on %(day)s.", day=_day(p.get("first_on", p["expires_on"]))),
            _("The oldest points are spent first: use them at a caring merchant before then."),
            _("Your balance is on the points page."),
        ]
    if kind is NotificationKind.free_places_tomorrow:
        return _("Free places tomorrow, %(day)s", day=_day(p["day"])), [
            _("These shifts of your teams still have free places:"),
            *(_shift_line(s) for s in p["shifts"]),
        ]
    if kind is NotificationKind.attendance_unconfirmed:
        return _("Please confirm attendance: %(title)s", title=p["title"]), [
            ngettext(
                "The shift at %(when)s ended; %(num)d check-in is not confirmed yet.",
                "The shift at %(when)s ended; %(num)d check-ins are not confirmed yet.",
                p["pending"],
                when=_when(p["starts_at"]),
            ),
            _("Volunteers get their hours and points once you confirm."),
        ]
    if kind is NotificationKind.join_request_waiting:
        return _("%(name)s is waiting to join %(team)s", name=p["name"], team=p["team"]), [
            _("They asked on %(when)s. Please accept or refuse.", when=_when(p["requested_at"])),
        ]
    if kind is NotificationKind.weekly_digest:
        lines = [_("Your teams' shifts in the week from %(day)s:", day=_day(p["week_starts"]))]
        lines += [_shift_line(s) for s in p["shifts"]] or [_("No shifts are planned.")]
        if p.get("more"):
            lines.append(_("…and %(num)d more.", num=p["more"]))
        return _("Your week ahead"), lines
    if kind is NotificationKind.campaign_unplanned_teams:
        lines = [
            ngettext(
                "%(num)d team has no activity planned yet:",
                "%(num)d teams have no activity planned yet:",
                p["count"],
            ),
            "、".join(p["teams"]) if p["teams"] else _("Every team has planned something."),
        ]
        if p["count"] > len(p["teams"]):
            lines.append(_("…and %(num)d more.", num=p["count"] - len(p["teams"])))
        return _(
            "%(campaign)s starts on %(day)s", campaign=p["campaign"], day=_day(p["starts_on"])
        ), lines
    if kind is NotificationKind.nomination_overdue:
        lines = [
            _(
                "It has waited at “%(stage)s” past its time limit, %(when)s.",
                stage=Stage(p["stage"]).label,
                when=_when(p["due_at"]),
            ),
            _("Round: %(round)s", round=p["round"]),
        ]
        if p.get("above"):
            lines.append(_("Its reviewers were reminded; please see that it is reviewed."))
        else:
            lines.append(_("Please forward, return or reject it."))
        return _("Overdue: the nomination of %(name)s", name=p["name"]), lines
    if kind is NotificationKind.card_alert:
        return _("Courtesy card of %(name)s presented", name=p["name"]), [
            _(
                "The card (%(state)s) was presented at %(partner)s on %(when)s.",
                state=CheckOutcome(p["outcome"]).label,
                partner=p["partner"],
                when=_when(p["checked_at"]),
            ),
            _("The partner's staff were told only that it is not valid."),
        ]
    if kind is NotificationKind.application_step:
        lines = [_("It is now: %(status)s.", status=ApplicationStatus(p["status"]).label)]
        if p.get("result"):
            lines.append(_("Outcome: %(result)s.", result=ApplicationResult(p["result"]).label))
        lines.append(_("The opinions given are on the application's page."))
        return _("Your application: %(benefit)s", benefit=p["benefit"]), lines
    if kind is NotificationKind.breach_case_overdue:
        return _("Overdue: the breach case about %(name)s", name=p["name"]), [
            _(
                "It has waited at “%(stage)s” past its time limit, %(when)s.",
                stage=CaseStage(p["stage"]).label,
                when=_when(p["due_at"]),
            ),
            _("Please take the next step."),
        ]
    if kind is NotificationKind.breach_statement_ended:
        return _("Statement period ended: the breach case about %(name)s", name=p["name"]), [
            _("The person's time to answer ended %(when)s.", when=_when(p["due_at"])),
            _("The city may now decide on the proposed revocation."),
        ]
    raise ValueError(kind)


def _endpoint(kind: NotificationKind, p: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if kind in (NotificationKind.shift_tomorrow, NotificationKind.shift_soon):
        return "events.activity", {"activity_id": p["activity_id"]}
    if kind in (
        NotificationKind.waiting_list_promoted,
        NotificationKind.activity_cancelled,
        NotificationKind.activity_changed,
    ):
        return "events.my_shifts", {}
    if kind is NotificationKind.shift_message:
        return "events.activity", {"activity_id": p["activity_id"]}
    if kind in (NotificationKind.points_earned, NotificationKind.points_expiring):
        return "points.my_points", {}
    if kind is NotificationKind.attendance_unconfirmed:
        return "events.attendance", {"shift_id": p["shift_id"]}
    if kind is NotificationKind.join_request_waiting:
        return "volunteer.team", {"team_id": p["team_id"]}
    if kind is NotificationKind.campaign_unplanned_teams:
        return "events.campaigns", {}
    if kind is NotificationKind.nomination_overdue:
        return "nominations.detail", {"nomination_id": p["nomination_id"]}
    if kind is NotificationKind.card_alert:
        return "honours.person", {"person_id": p["person_id"]}
    if kind in (NotificationKind.breach_case_overdue, NotificationKind.breach_statement_ended):
        return "conduct.case_page", {"case_id": p["case_id"]}
    if kind is NotificationKind.application_step:
        return "applications.mine_detail", {"application_id": p["application_id"]}
    if kind is NotificationKind.free_places_tomorrow:
        return "events.manage_activity", {"activity_id": p["shifts"][0]["activity_id"]}
    return "volunteer.teams", {}


def render(notification: Notification) -> Rendered:
    """The notification in the current request's language, with a link inside the site."""
    title, lines = _texts(notification.kind, notification.params)
    endpoint, values = _endpoint(notification.kind, notification.params)
    return Rendered(title, [line for line in lines if line], url_for(endpoint, **values))


def render_for_email(notification: Notification, locale: str) -> Rendered:
    """The notification in `locale`, with an absolute link built from SITE_URL (a job has no
    request to take the host from)."""
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    endpoint, values = _endpoint(notification.kind, notification.params)
    url = adapter.build(endpoint, values, force_external=True)
    settings = adapter.build("reminders.settings", {}, force_external=True)
    with force_locale(locale):
        title, lines = _texts(notification.kind, notification.params)
        footer = _("Choose which reminders you get and how: %(url)s", url=settings)
    return Rendered(title, [line for line in lines if line] + ["", url, "", footer], url)
