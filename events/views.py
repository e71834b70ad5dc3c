"""Event pages: browsing and signing up for shifts, check-in by QR code, the volunteer's own
shifts, the leader's planning and attendance pages, and the office's campaigns."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import Who, public, role_required
from core.auth.models import Role
from core.clock import to_local, utcnow
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.errors import DomainError, NotFound
from core.extensions import db
from core.forms import refusal_messages
from core.pages import Said, back_to, carry_out, submit
from core.qr import qr_svg
from core.rows import Window
from core.settings import current_settings
from events import services
from events.forms import (
    ActionForm,
    ActivityForm,
    CampaignForm,
    CancelActivityForm,
    CancelShiftForm,
    CheckInForm,
    ConfirmForm,
    CorrectionRequestForm,
    CorrectTimesForm,
    CreateYearForm,
    DecideCorrectionForm,
    NewActivityForm,
    NewCampaignForm,
    PhoneCheckInForm,
    SeriesForm,
    ShiftEditForm,
    ShiftFilterForm,
    ShiftForm,
    SignUpForm,
    as_utc,
)
from events.models import SignUpStatus
from volunteer import services as volunteers

bp = Blueprint("events", __name__)


def _hhmm(moment) -> str:
    return format_datetime(moment, "HH:mm")


def _activity_url(shift, **args) -> str:
    return url_for(".activity", activity_id=shift.activity_id, _anchor=f"shift-{shift.id}", **args)


# Browsing and signing up ------------------------------------------------------------------

# The browsing page lists this many shifts, soonest first, and says so when more match.
BROWSE_SHOWN = 100


@bp.get("/activities")
@public(why="published shifts are there for everyone to find")
def browse():
    form = ShiftFilterForm(request.args)
    found = services.browse_shifts(form.filters(), now=utcnow(), window=Window(size=BROWSE_SHOWN))
    sign_ups = services.sign_ups_by_shift(current_user, [s.id for s in found.items])
    return render_template(
        "events/browse.html", form=form, shifts=found.items, total=found.total, sign_ups=sign_ups
    )


@bp.get("/activities/<int:activity_id>")
@public(why="a published activity is public; a draft only its managers see")
def activity(activity_id: int):
    activity = services.visible_activity(current_user, activity_id)
    sign_ups = services.sign_ups_by_shift(current_user, [s.id for s in activity.shifts])
    now, cutoff_hours = utcnow(), current_settings().sign_up_cancel_cutoff_hours
    return render_template(
        "events/activity.html",
        activity=activity,
        sign_ups=sign_ups,
        offers={
            s.id: services.shift_offer(
                current_user, s, sign_ups.get(s.id), now=now, cutoff_hours=cutoff_hours
            )
            for s in activity.shifts
        },
        cutoff_hours=cutoff_hours,
        positions={i: services.waiting_position(s) for i, s in sign_ups.items()},
        can_manage=services.can_manage(current_user, activity),
        full=request.args.get("full", type=int),
        form=SignUpForm(formdata=None),
        now=now,
    )


@bp.post("/shifts/<int:shift_id>/sign-up")
@role_required(Role.volunteer)
def sign_up(shift_id: int):
    form = SignUpForm()
    return carry_out(
        lambda: services.sign_up(
            current_user, shift_id, now=utcnow(), join_waiting_list=form.join_waiting_list.data
        ),
        done=_signed_up,
        then=lambda sign_up: back_to(_activity_url(sign_up.shift)),
        refused_to=lambda error: _sign_up_refused_url(shift_id, error),
    )


def _signed_up(sign_up) -> Said:
    if sign_up.status is SignUpStatus.waiting:
        position = services.waiting_position(sign_up)
        return _("You are on the waiting list (number %(n)d).", n=position), "info"
    return _("You are signed up. See you there!")


def _sign_up_refused_url(shift_id: int, error) -> str:
    # A full shift brings the volunteer back to it with the waiting list offered.
    shift = services.get_shift(shift_id)
    if isinstance(error, services.ShiftFull):
        return _activity_url(shift, full=shift_id)
    return back_to(_activity_url(shift))


@bp.post("/shifts/<int:shift_id>/cancel")
@role_required(Role.volunteer)
def cancel_sign_up(shift_id: int):
    return carry_out(
        lambda: services.cancel_sign_up(
            current_user,
            shift_id,
            now=utcnow(),
            cutoff_hours=current_settings().sign_up_cancel_cutoff_hours,
        ),
        done=(_("Your sign-up has been cancelled."), "info"),
        then=lambda sign_up: back_to(_activity_url(sign_up.shift)),
        refused_to=lambda _error: back_to(_activity_url(services.get_shift(shift_id))),
    )


# The volunteer's own shifts ---------------------------------------------------------------


@bp.get("/me/shifts")
@role_required(Role.volunteer, owner="self")
def my_shifts():
    now, cutoff_hours = utcnow(), current_settings().sign_up_cancel_cutoff_hours
    upcoming = services.list_upcoming_sign_ups(current_user, now=now)
    history = services.list_service_history(current_user)
    return render_template(
        "events/my_shifts.html",
        upcoming=upcoming,
        offers={
            s.id: services.shift_offer(current_user, s.shift, s, now=now, cutoff_hours=cutoff_hours)
            for s in upcoming
        },
        cutoff_hours=cutoff_hours,
        positions={s.id: services.waiting_position(s) for s in upcoming},
        check_ins={c.shift_id: c for c in history},
        history=history,
        years=services.totals_by_year(services.service_totals(current_user)),
        led_teams=[volunteers.get_team(i) for i in volunteers.led_team_ids(current_user)],
        form=ActionForm(formdata=None),
        now=now,
    )


@bp.get("/shifts/<int:shift_id>/calendar.ics")
@role_required(Role.volunteer, owner="self")
def shift_calendar(shift_id: int):
    body = services.shift_calendar(current_user, shift_id, now=utcnow())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="shift-{shift_id}.ics"'},
    )


def _local_naive(moment):
    return to_local(moment).replace(tzinfo=None, second=0, microsecond=0) if moment else None


@bp.route("/shifts/<int:shift_id>/correction", methods=["GET", "POST"])
@role_required(Role.volunteer, owner="self")
def request_correction(shift_id: int):
    shift = services.get_shift(shift_id)
    check_in = services.find_check_in(current_user.id, shift.id)
    if check_in is None and services.find_sign_up(current_user, shift.id) is None:
        raise NotFound(_("You were not signed up for this shift."))
    form = CorrectionRequestForm(
        data={
            "checked_in_at": _local_naive(check_in.checked_in_at if check_in else shift.starts_at),
            "checked_out_at": _local_naive((check_in and check_in.checked_out_at) or shift.ends_at),
        }
    )
    sent = submit(
        form,
        lambda: services.request_correction(
            current_user,
            shift.id,
            checked_in_at=as_utc(form.checked_in_at.data),
            checked_out_at=as_utc(form.checked_out_at.data),
            message=form.message.data,
            now=utcnow(),
        ),
        done=_("Your request has been sent to the team's leaders."),
        then=url_for(".my_shifts"),
    )
    return sent or render_template(
        "events/correction.html", form=form, shift=shift, check_in=check_in
    )


# Check-in by QR code ----------------------------------------------------------------------


def _scanned_shift(token: str):
    try:
        return services.read_check_in_code(
            token, now=utcnow(), secret=current_settings().check_in_secret
        )
    except services.CheckInCodeInvalid:
        return None


def _check_in_page(token, *, shift=None, check_in=None, made=False, errors=(), status=200):
    # A geofenced check-in asks for the location consent first (the service refuses without).
    needs_location_consent = (
        shift is not None
        and check_in is None
        and shift.activity.has_geofence
        and not consents.has_current_consent(current_user, ConsentKind.location)
    )
    page = render_template(
        "events/check_in.html",
        token=token,
        shift=shift,
        check_in=check_in,
        made=made,
        errors=errors,
        needs_location_consent=needs_location_consent,
        form=CheckInForm(formdata=None),
        action_form=ActionForm(formdata=None),
    )
    return page, status


@bp.get("/check-in/<token>")
@role_required(Role.volunteer)
def check_in_page(token: str):
    try:
        shift = services.read_check_in_code(
            token, now=utcnow(), secret=current_settings().check_in_secret
        )
    except services.CheckInCodeInvalid as error:
        return _check_in_page(token, errors=refusal_messages(error), status=400)
    check_in = services.find_check_in(current_user.id, shift.id)
    return _check_in_page(token, shift=shift, check_in=check_in)


@bp.post("/check-in/<token>")
@role_required(Role.volunteer)
def check_in(token: str):
    form = CheckInForm()
    if not form.validate():
        errors = [m for f in form for m in f.errors]
        return _check_in_page(token, shift=_scanned_shift(token), errors=errors, status=422)
    try:
        check_in, made = services.check_in(
            current_user,
            token,
            now=utcnow(),
            secret=current_settings().check_in_secret,
            latitude=form.latitude.data,
            longitude=form.longitude.data,
        )
    except DomainError as error:
        db.session.rollback()
        # A stale code answers 400 as on the page that showed it.
        status = 400 if isinstance(error, services.CheckInCodeInvalid) else error.status
        shift = _scanned_shift(token)
        return _check_in_page(token, shift=shift, errors=refusal_messages(error), status=status)
    page = _check_in_page(token, shift=check_in.shift, check_in=check_in, made=made)
    db.session.commit()
    return page


@bp.post("/shifts/<int:shift_id>/check-out")
@role_required(Role.volunteer)
def check_out(shift_id: int):
    return carry_out(
        lambda: services.check_out(current_user, shift_id, now=utcnow()),
        done=lambda check_in: _(
            "Checked out at %(time)s. Thank you!", time=_hhmm(check_in.checked_out_at)
        ),
        then=back_to(url_for(".my_shifts")),
    )


# Leaders: activities ----------------------------------------------------------------------


@bp.get("/teams/<int:team_id>/activities")
@role_required(Who.leader, Role.office, owner="team")
def team_activities(team_id: int):
    team = volunteers.require_team_manager(current_user, team_id)
    activities = services.list_team_activities(current_user, team_id)
    return render_template("events/team_activities.html", team=team, activities=activities)


@bp.route("/teams/<int:team_id>/activities/new", methods=["GET", "POST"])
@role_required(Who.leader, Role.office, owner="team")
def new_activity(team_id: int):
    team = volunteers.require_team_manager(current_user, team_id)
    now = utcnow()
    form = NewActivityForm(services.list_campaigns_open_for_planning(services.local_day(now)))
    drafted = submit(
        form,
        lambda: services.create_activity(
            current_user,
            team_id=team.id,
            campaign_id=form.campaign_id.data,
            now=now,
            **form.values(),
        ),
        done=_("The activity has been drafted. Add its shifts, then publish it."),
        then=lambda activity: url_for(".manage_activity", activity_id=activity.id),
    )
    return drafted or render_template(
        "events/activity_form.html", form=form, team=team, activity=None
    )


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required(Who.leader, Role.office, owner="team")
def edit_activity(activity_id: int):
    activity = services.managed_activity(current_user, activity_id)
    form = ActivityForm.of(activity)
    saved = submit(
        form,
        lambda: services.update_activity(current_user, activity.id, now=utcnow(), **form.values()),
        done=_("The activity has been saved."),
        then=url_for(".manage_activity", activity_id=activity.id),
    )
    return saved or render_template(
        "events/activity_form.html", form=form, team=activity.team, activity=activity
    )


def _manage_page(activity, *, shift_form=None, series_form=None, status=200):
    page = render_template(
        "events/manage.html",
        activity=activity,
        shift_form=shift_form or ShiftForm(formdata=None),
        series_form=series_form or SeriesForm(formdata=None, prefix="series"),
        cancel_form=CancelActivityForm(formdata=None),
        form=ActionForm(formdata=None),
        now=utcnow(),
    )
    return page, status


@bp.get("/activities/<int:activity_id>/manage")
@role_required(Who.leader, Role.office, owner="team")
def manage_activity(activity_id: int):
    return _manage_page(services.managed_activity(current_user, activity_id))


def _activity_step(activity_id: int, step, done_message: str, **kwargs):
    """Publish, complete or cancel, then back to the manage page."""
    services.managed_activity(current_user, activity_id)
    return carry_out(
        lambda: step(current_user, activity_id, now=utcnow(), **kwargs),
        done=done_message,
        then=url_for(".manage_activity", activity_id=activity_id),
    )


@bp.post("/activities/<int:activity_id>/publish")
@role_required(Who.leader, Role.office, owner="team")
def publish_activity(activity_id: int):
    return _activity_step(
        activity_id, services.publish_activity, _("Published: volunteers can sign up now.")
    )


@bp.post("/activities/<int:activity_id>/complete")
@role_required(Who.leader, Role.office, owner="team")
def complete_activity(activity_id: int):
    return _activity_step(
        activity_id, services.complete_activity, _("The activity is marked completed.")
    )


@bp.post("/activities/<int:activity_id>/cancel")
@role_required(Who.leader, Role.office, owner="team")
def cancel_activity(activity_id: int):
    form = CancelActivityForm()
    form.validate()
    return _activity_step(
        activity_id,
        services.cancel_activity,
        _("The activity has been cancelled and its volunteers are told."),
        reason=form.reason.data or "",
    )


@bp.post("/activities/<int:activity_id>/shifts")
@role_required(Who.leader, Role.office, owner="team")
def add_shift(activity_id: int):
    activity = services.managed_activity(current_user, activity_id)
    form = ShiftForm()

    def add():
        starts_at, ends_at = form.window()
        return services.add_shift(
            current_user,
            activity.id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=form.capacity.data,
            allows_walk_ins=form.allows_walk_ins.data,
            now=utcnow(),
        )

    added = submit(
        form,
        add,
        done=_("The shift has been added."),
        then=url_for(".manage_activity", activity_id=activity_id),
    )
    return added or _manage_page(activity, shift_form=form, status=422)


@bp.post("/activities/<int:activity_id>/series")
@role_required(Who.leader, Role.office, owner="team")
def add_series(activity_id: int):
    activity = services.managed_activity(current_user, activity_id)
    form = SeriesForm(prefix="series")
    added = submit(
        form,
        lambda: services.add_shift_series(current_user, activity.id, form.spec(), now=utcnow()),
        done=_series_made,
        then=url_for(".manage_activity", activity_id=activity_id),
    )
    return added or _manage_page(activity, series_form=form, status=422)


def _series_made(result) -> Said:
    _series, made = result
    if made:
        return ngettext("%(num)d shift made.", "%(num)d shifts made.", made)
    return _("This series exists already; nothing new was made."), "info"


@bp.post("/shifts/<int:shift_id>/edit")
@role_required(Who.leader, Role.office, owner="team")
def edit_shift(shift_id: int):
    shift = services.managed_shift(current_user, shift_id)
    form = ShiftEditForm()
    return carry_out(
        lambda: services.update_shift(
            current_user,
            shift.id,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            capacity=form.capacity.data,
            allows_walk_ins=form.allows_walk_ins.data,
            rest_of_series=form.rest_of_series.data,
            now=utcnow(),
        ),
        form=form,
        done=lambda changed: ngettext(
            "%(num)d shift changed.", "%(num)d shifts changed.", len(changed)
        ),
        then=url_for(".manage_activity", activity_id=shift.activity_id),
    )


@bp.post("/shifts/<int:shift_id>/cancel-shift")
@role_required(Who.leader, Role.office, owner="team")
def cancel_shift(shift_id: int):
    shift = services.managed_shift(current_user, shift_id)
    form = CancelShiftForm()
    # The reason is optional: a malformed one is left out rather than refused.
    form.validate()
    return carry_out(
        lambda: services.cancel_shift(
            current_user,
            shift.id,
            rest_of_series=form.rest_of_series.data,
            reason=form.reason.data or "",
            now=utcnow(),
        ),
        done=lambda cancelled: ngettext(
            "%(num)d shift cancelled.", "%(num)d shifts cancelled.", len(cancelled)
        ),
        then=url_for(".manage_activity", activity_id=shift.activity_id),
    )


# Leaders: on site -------------------------------------------------------------------------


def _code(shift) -> dict:
    token, seconds_left = services.check_in_code(
        current_user, shift.id, now=utcnow(), secret=current_settings().check_in_secret
    )
    url = url_for(".check_in_page", token=token, _external=True)
    return {"shift": shift, "qr": qr_svg(url), "check_in_url": url, "seconds_left": seconds_left}


@bp.get("/shifts/<int:shift_id>/code")
@role_required(Who.leader, Role.office, owner="team")
def shift_code(shift_id: int):
    shift = services.managed_shift(current_user, shift_id)
    return render_template("events/code.html", phone_form=PhoneCheckInForm(), **_code(shift))


@bp.get("/shifts/<int:shift_id>/code/fragment")
@role_required(Who.leader, Role.office, owner="team")
def shift_code_fragment(shift_id: int):
    shift = services.managed_shift(current_user, shift_id)
    return render_template("events/_code_block.html", **_code(shift))


@bp.post("/shifts/<int:shift_id>/check-in-by-phone")
@role_required(Who.leader, Role.office, owner="team")
def check_in_by_phone(shift_id: int):
    services.managed_shift(current_user, shift_id)
    form = PhoneCheckInForm()
    return carry_out(
        lambda: services.check_in_by_leader(
            current_user,
            shift_id,
            phone=form.phone.data,
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        ),
        form=form,
        done=lambda check_in: _(
            "%(name)s is checked in (%(time)s).",
            name=check_in.user.display_name,
            time=_hhmm(check_in.checked_in_at),
        ),
        then=url_for(".shift_code", shift_id=shift_id),
    )


# Leaders: attendance ----------------------------------------------------------------------


@bp.get("/shifts/<int:shift_id>/attendance")
@role_required(Who.leader, Role.office, owner="team")
def attendance(shift_id: int):
    now = utcnow()
    shift = services.managed_shift(current_user, shift_id)
    page = render_template(
        "events/attendance.html",
        shift=shift,
        lines=services.attendance_sheet(
            current_user, shift.id, now=now, leader_days=current_settings().leader_correction_days
        ),
        actions=services.sheet_actions(shift, now=now),
        corrections=services.list_correction_requests(current_user, shift.id),
        form=ActionForm(formdata=None),
        now=now,
    )
    # The sheet checks out, flagged, whoever forgot to at the end of the shift.
    db.session.commit()
    return page


@bp.get("/memberships/<int:membership_id>/no-shows")
@role_required(Who.leader, Role.office, owner="team")
def member_no_shows(membership_id: int):
    found = services.member_no_shows(current_user, membership_id, now=utcnow())
    return render_template("events/member_no_shows.html", found=found)


def _attendance_url(shift_id: int) -> str:
    return url_for(".attendance", shift_id=shift_id)


@bp.post("/shifts/<int:shift_id>/confirm")
@role_required(Who.leader, Role.office, owner="team")
def confirm_attendance(shift_id: int):
    form = ConfirmForm()
    return carry_out(
        lambda: services.confirm_attendance(
            current_user,
            shift_id,
            check_in_ids=[form.check_in_id.data] if form.check_in_id.data else None,
            now=utcnow(),
        ),
        form=form,
        done=lambda rows: _confirmed(rows, services.count_needs_review(shift_id)),
        then=_attendance_url(shift_id),
    )


def _confirmed(rows, needs_review: int) -> Said:
    done = ngettext("%(num)d confirmed.", "%(num)d confirmed.", len(rows)) if rows else ""
    if needs_review:
        left = ngettext(
            "%(num)d flagged line is not confirmed: check its times and confirm it on its own.",
            "%(num)d flagged lines are not confirmed: check their times and confirm them one "
            "by one.",
            needs_review,
        )
        return f"{done} {left}".strip(), "warning"
    if rows:
        return done
    return _("Nothing left to confirm."), "info"


@bp.post("/sign-ups/<int:sign_up_id>/no-show")
@role_required(Who.leader, Role.office, owner="team")
def mark_no_show(sign_up_id: int):
    return carry_out(
        lambda: services.mark_no_show(current_user, sign_up_id, now=utcnow()),
        done=lambda sign_up: (
            _("%(name)s is marked as a no-show.", name=sign_up.user.display_name),
            "info",
        ),
        then=lambda sign_up: _attendance_url(sign_up.shift_id),
        refused_to=back_to(url_for(".my_shifts")),
    )


@bp.post("/check-ins/<int:check_in_id>/check-out")
@role_required(Who.leader, Role.office, owner="team")
def leader_check_out(check_in_id: int):
    return carry_out(
        lambda: services.check_out_by_leader(current_user, check_in_id, now=utcnow()),
        done=lambda check_in: _(
            "%(name)s is checked out (%(time)s).",
            name=check_in.user.display_name,
            time=_hhmm(check_in.checked_out_at),
        ),
        then=lambda check_in: _attendance_url(check_in.shift_id),
        refused_to=back_to(url_for(".my_shifts")),
    )


@bp.post("/check-ins/<int:check_in_id>/correct")
@role_required(Who.leader, Role.office, owner="team")
def correct_times(check_in_id: int):
    services.managed_check_in(current_user, check_in_id)
    form = CorrectTimesForm()
    return carry_out(
        lambda: services.correct_times(
            current_user,
            check_in_id,
            checked_in_at=as_utc(form.checked_in_at.data),
            checked_out_at=as_utc(form.checked_out_at.data),
            reason=form.reason.data or "",
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        ),
        form=form,
        done=_("The times have been corrected."),
        then=lambda check_in: _attendance_url(check_in.shift_id),
        refused_to=back_to(url_for(".my_shifts")),
    )


@bp.post("/corrections/<int:request_id>/decide")
@role_required(Who.leader, Role.office, owner="team")
def decide_correction(request_id: int):
    services.managed_correction(current_user, request_id)
    form = DecideCorrectionForm()
    return carry_out(
        lambda: services.decide_correction(
            current_user,
            request_id,
            accept=form.accept,
            reply=form.reply.data,
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        ),
        form=form,
        done=lambda _decided: (
            _("Accepted: the times are applied.") if form.accept else _("Refused.")
        ),
        then=lambda decided: _attendance_url(decided.shift_id),
        refused_to=back_to(url_for(".my_shifts")),
    )


# Office: campaigns ------------------------------------------------------------------------


@bp.get("/office/campaigns")
@role_required(Role.office)
def campaigns():
    year = request.args.get("year", type=int)
    today = services.local_day(utcnow())
    return render_template(
        "events/campaigns.html",
        campaigns=services.list_campaigns(year=year),
        year=year,
        year_form=CreateYearForm(formdata=None, data={"year": today.year}),
    )


@bp.route("/office/campaigns/new", methods=["GET", "POST"])
@role_required(Role.office)
def new_campaign():
    form = NewCampaignForm()
    created = submit(
        form,
        lambda: services.create_campaign(current_user, **form.values()),
        done=_("The campaign has been created."),
        then=lambda campaign: url_for(".campaigns", year=campaign.year),
    )
    return created or render_template("events/campaign_form.html", form=form, campaign=None)


@bp.route("/office/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required(Role.office)
def edit_campaign(campaign_id: int):
    campaign = services.get_campaign(campaign_id)
    form = CampaignForm.of(campaign)
    saved = submit(
        form,
        lambda: services.update_campaign(current_user, campaign.id, **form.values()),
        done=_("The campaign has been saved."),
        then=lambda saved: url_for(".campaigns", year=saved.year),
    )
    return saved or render_template("events/campaign_form.html", form=form, campaign=campaign)


@bp.post("/office/campaigns/create-year")
@role_required(Role.office)
def create_year():
    form = CreateYearForm()
    return carry_out(
        lambda: services.create_standard_year(current_user, form.year.data),
        form=form,
        done=lambda created: _year_created(created, form.year.data),
        then=url_for(".campaigns", year=form.year.data),
        refused_to=url_for(".campaigns"),
    )


def _year_created(created, year: int) -> Said:
    if created:
        return ngettext("%(num)d campaign created.", "%(num)d campaigns created.", len(created))
    return _("All four campaigns of %(year)d exist already.", year=year), "info"
