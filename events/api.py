"""API: campaigns, activities, shifts, sign-ups, check-in and attendance."""

from __future__ import annotations

from flask import Response, current_app, url_for
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import Who, public, role_required
from core.auth.models import Role
from core.clock import to_local, utcnow
from core.extensions import db
from core.rows import commit_keeping_loaded
from core.settings import current_settings
from events import services
from events.schemas import (
    ActivityCancellationSchema,
    ActivityCreateSchema,
    ActivityDetailSchema,
    ActivitySchema,
    ActivityUpdateSchema,
    AttendanceConfirmationSchema,
    AttendanceLineSchema,
    CampaignCreateSchema,
    CampaignQuerySchema,
    CampaignSchema,
    CampaignUpdateSchema,
    CheckInChangeSchema,
    CheckInCodeSchema,
    CheckInRequestSchema,
    CheckInSchema,
    CheckInTimesSchema,
    CorrectionDecisionSchema,
    CorrectionRequestCreateSchema,
    CorrectionRequestSchema,
    LeaderCheckInSchema,
    MySignUpSchema,
    ServiceHistoryEntrySchema,
    ServiceTotalSchema,
    ShiftBrowseQuerySchema,
    ShiftCancellationSchema,
    ShiftCreateSchema,
    ShiftListItemSchema,
    ShiftSchema,
    ShiftSeriesCreateSchema,
    ShiftSeriesResultSchema,
    ShiftUpdateSchema,
    SignUpRequestSchema,
    SignUpResultSchema,
    SignUpSchema,
    StandardYearSchema,
)

blp = Blueprint(
    "events_api",
    __name__,
    url_prefix="/api/v1",
    description="Campaigns, activities, shifts, sign-ups and check-in",
)
BEARER = [{"bearerAuth": []}]
CHECK_IN_PAGE = "events.check_in_page"


def _bonus_days(data: dict) -> dict:
    return {**data, "bonus_days": [services.BonusDaySpec(**b) for b in data["bonus_days"]]}


def _place(data: dict) -> tuple[dict, services.Place]:
    fields = ("address", "latitude", "longitude", "checkin_radius_m")
    place = services.Place(**{name: data[name] for name in fields})
    return {k: v for k, v in data.items() if k not in fields}, place


def _sign_up_result(sign_up) -> dict:
    fields = ("id", "shift_id", "status", "created_at", "promoted_at", "cancelled_at")
    result = {name: getattr(sign_up, name) for name in fields}
    return {**result, "waiting_position": services.waiting_position(sign_up)}


# Campaigns -----------------------------------------------------------------------------


@blp.route("/campaigns")
class Campaigns(MethodView):
    @public(why="campaigns and their points rules are public")
    @blp.arguments(CampaignQuerySchema, location="query")
    @blp.response(200, CampaignSchema(many=True))
    @blp.paginate(Page)
    def get(self, args):
        """Campaigns, newest first, optionally of one year"""
        return services.list_campaigns(year=args.get("year"))

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(CampaignCreateSchema)
    @blp.response(201, CampaignSchema)
    def post(self, data):
        """Create a seasonal campaign with its points rule (office)"""
        campaign = services.create_campaign(current_user, **_bonus_days(data))
        db.session.commit()
        return campaign


@blp.route("/campaigns/<int:campaign_id>")
class OneCampaign(MethodView):
    @public(why="campaigns and their points rules are public")
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id: int):
        """One campaign"""
        return services.get_campaign(campaign_id)

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(CampaignUpdateSchema)
    @blp.response(200, CampaignSchema)
    def put(self, data, campaign_id: int):
        """Change a campaign (office); points confirmed already stay as they were"""
        campaign = services.update_campaign(current_user, campaign_id, **_bonus_days(data))
        db.session.commit()
        return campaign


@blp.route("/campaigns/standard-year")
class StandardYear(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(StandardYearSchema)
    @blp.response(201, CampaignSchema(many=True))
    def post(self, data):
        """Create the four standard campaigns of a year (office); returns those made now"""
        created = services.create_standard_year(current_user, data["year"])
        db.session.commit()
        return created


# Activities ----------------------------------------------------------------------------


@blp.route("/shifts")
class BrowseShifts(MethodView):
    @public(why="published shifts are there for everyone to find")
    @blp.arguments(ShiftBrowseQuerySchema, location="query")
    @blp.response(200, ShiftListItemSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Upcoming shifts of published activities, soonest first"""
        found = services.browse_shifts(
            services.ShiftFilter(**args), now=utcnow(), window=window_of(pagination_parameters)
        )
        return answer_page(pagination_parameters, found)


@blp.route("/teams/<int:team_id>/activities")
class TeamActivities(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, data, team_id: int):
        """Draft an activity of my team (leader)"""
        fields, place = _place(data)
        activity = services.create_activity(
            current_user, team_id=team_id, place=place, now=utcnow(), **fields
        )
        db.session.commit()
        return activity


@blp.route("/activities/<int:activity_id>")
class OneActivity(MethodView):
    @public(why="a published activity is public; a draft only its managers see")
    @blp.response(200, ActivityDetailSchema)
    def get(self, activity_id: int):
        """An activity with its shifts (drafts only for its leaders and the office)"""
        return services.visible_activity(current_user, activity_id)

    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ActivityUpdateSchema)
    @blp.response(200, ActivitySchema)
    def put(self, data, activity_id: int):
        """Change an open activity (leader); signed-up volunteers are told of a new place"""
        fields, place = _place(data)
        activity = services.update_activity(
            current_user, activity_id, place=place, now=utcnow(), **fields
        )
        db.session.commit()
        return activity


@blp.route("/activities/<int:activity_id>/publish")
class PublishActivity(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, ActivitySchema)
    def post(self, activity_id: int):
        """Open a draft for sign-up (leader)"""
        activity = services.publish_activity(current_user, activity_id, now=utcnow())
        db.session.commit()
        return activity


@blp.route("/activities/<int:activity_id>/completion")
class CompleteActivity(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, ActivitySchema)
    def post(self, activity_id: int):
        """Mark an activity completed once its shifts are over (leader)"""
        activity = services.complete_activity(current_user, activity_id, now=utcnow())
        db.session.commit()
        return activity


@blp.route("/activities/<int:activity_id>/cancellation")
class CancelActivity(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ActivityCancellationSchema)
    @blp.response(200, ActivitySchema)
    def post(self, data, activity_id: int):
        """Cancel an activity with a reason; its volunteers are told (leader)"""
        activity = services.cancel_activity(
            current_user, activity_id, reason=data["reason"], now=utcnow()
        )
        db.session.commit()
        return activity


# Shifts --------------------------------------------------------------------------------


@blp.route("/activities/<int:activity_id>/shifts")
class ActivityShifts(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ShiftCreateSchema)
    @blp.response(201, ShiftSchema)
    def post(self, data, activity_id: int):
        """Add a shift (leader)"""
        shift = services.add_shift(current_user, activity_id, **data, now=utcnow())
        db.session.commit()
        return shift


@blp.route("/activities/<int:activity_id>/shift-series")
class ActivityShiftSeries(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ShiftSeriesCreateSchema)
    @blp.response(201, ShiftSeriesResultSchema)
    @blp.alt_response(
        200, schema=ShiftSeriesResultSchema, success=True, description="Submitted before"
    )
    def post(self, data, activity_id: int):
        """Add shifts on chosen weekdays between two days (leader); sending it again makes none"""
        spec = services.SeriesSpec(**{**data, "weekdays": frozenset(data["weekdays"])})
        series, created = services.add_shift_series(current_user, activity_id, spec, now=utcnow())
        db.session.commit()
        return {"series_id": series.id, "created": created}, 201 if created else 200


@blp.route("/shifts/<int:shift_id>")
class OneShift(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ShiftUpdateSchema)
    @blp.response(200, ShiftSchema(many=True))
    def patch(self, data, shift_id: int):
        """Change a shift's local times, capacity or walk-ins, or those of the rest of its
        series (leader); fields left out stay as they are. Returns the shifts changed."""
        shift = services.get_shift(shift_id)
        changes = {
            "start_time": to_local(shift.starts_at).time(),
            "end_time": to_local(shift.ends_at).time(),
            "capacity": shift.capacity,
            "allows_walk_ins": shift.allows_walk_ins,
            **data,
        }
        shifts = services.update_shift(current_user, shift_id, **changes, now=utcnow())
        db.session.commit()
        return shifts


@blp.route("/shifts/<int:shift_id>/cancellation")
class CancelShift(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(ShiftCancellationSchema)
    @blp.response(200, ShiftSchema(many=True))
    def post(self, data, shift_id: int):
        """Cancel a shift, or it and the rest of its series (leader); volunteers are told"""
        shifts = services.cancel_shift(current_user, shift_id, **data, now=utcnow())
        db.session.commit()
        return shifts


# Sign-ups ------------------------------------------------------------------------------


@blp.route("/shifts/<int:shift_id>/sign-up")
class ShiftSignUp(MethodView):
    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.arguments(SignUpRequestSchema)
    @blp.response(201, SignUpResultSchema)
    def post(self, data, shift_id: int):
        """Sign up for a shift; when it is full, 409 `shift_full` unless `join_waiting_list`"""
        sign_up = services.sign_up(current_user, shift_id, now=utcnow(), **data)
        commit_keeping_loaded()
        return _sign_up_result(sign_up)

    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.response(200, SignUpSchema)
    def delete(self, shift_id: int):
        """Cancel my sign-up; a freed seat goes to the first on the waiting list"""
        sign_up = services.cancel_sign_up(
            current_user,
            shift_id,
            now=utcnow(),
            cutoff_hours=current_settings().sign_up_cancel_cutoff_hours,
        )
        db.session.commit()
        return sign_up


@blp.route("/me/shifts")
class MyShifts(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, MySignUpSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My sign-ups of shifts not yet over, soonest first"""
        return services.list_upcoming_sign_ups(current_user, now=utcnow())


@blp.route("/me/service-history")
class MyServiceHistory(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, ServiceHistoryEntrySchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My check-ins, newest first"""
        return services.list_service_history(current_user)


@blp.route("/me/service-totals")
class MyServiceTotals(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, ServiceTotalSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My confirmed shifts and hours by year and season"""
        return services.service_totals(current_user)


@blp.route("/shifts/<int:shift_id>/calendar.ics")
class ShiftCalendar(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(
        200,
        {"type": "string"},
        content_type="text/calendar",
        description="An iCalendar file",
    )
    def get(self, shift_id: int):
        """A shift I signed up for, to add to my phone's calendar"""
        body = services.shift_calendar(current_user, shift_id, now=utcnow())
        disposition = f'attachment; filename="shift-{shift_id}.ics"'
        return Response(
            body, mimetype="text/calendar", headers={"Content-Disposition": disposition}
        )


# Check-in ------------------------------------------------------------------------------


@blp.route("/shifts/<int:shift_id>/check-in-code")
class ShiftCheckInCode(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, CheckInCodeSchema)
    def get(self, shift_id: int):
        """The rotating check-in code to show on site (leader)"""
        token, expires_in = services.check_in_code(
            current_user, shift_id, now=utcnow(), secret=current_settings().check_in_secret
        )
        result = {"token": token, "expires_in": expires_in}
        # The HTML check-in page belongs to the events pages; without it, clients build the QR
        # code from the token alone.
        if CHECK_IN_PAGE in current_app.view_functions:
            result["url"] = url_for(CHECK_IN_PAGE, token=token, _external=True)
        return result


@blp.route("/check-ins")
class CheckIns(MethodView):
    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.arguments(CheckInRequestSchema)
    @blp.response(201, CheckInSchema)
    @blp.alt_response(200, schema=CheckInSchema, success=True, description="Checked in before")
    def post(self, data):
        """Check in with the scanned code (and my location where the activity asks for it)"""
        row, created = services.check_in(
            current_user, now=utcnow(), secret=current_settings().check_in_secret, **data
        )
        commit_keeping_loaded()
        return row, 201 if created else 200


@blp.route("/shifts/<int:shift_id>/check-out")
class ShiftCheckOut(MethodView):
    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.response(200, CheckInSchema)
    def post(self, shift_id: int):
        """Check out of a shift; checking out again keeps the first time"""
        row = services.check_out(current_user, shift_id, now=utcnow())
        db.session.commit()
        return row


@blp.route("/shifts/<int:shift_id>/check-ins")
class ShiftCheckIns(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(LeaderCheckInSchema)
    @blp.response(200, CheckInSchema)
    def post(self, data, shift_id: int):
        """Check a volunteer in by mobile number (leader); returns an existing check-in"""
        row = services.check_in_by_leader(
            current_user,
            shift_id,
            phone=data["phone"],
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        )
        db.session.commit()
        return row


@blp.route("/check-ins/<int:check_in_id>")
class OneCheckIn(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(CheckInTimesSchema)
    @blp.response(200, CheckInSchema)
    def patch(self, data, check_in_id: int):
        """Correct a check-in's times with a reason (leader)"""
        row = services.correct_times(
            current_user,
            check_in_id,
            **data,
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        )
        db.session.commit()
        return row


@blp.route("/check-ins/<int:check_in_id>/check-out")
class CheckInCheckOut(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, CheckInSchema)
    def post(self, check_in_id: int):
        """Check a volunteer out now (leader)"""
        row = services.check_out_by_leader(current_user, check_in_id, now=utcnow())
        db.session.commit()
        return row


@blp.route("/check-ins/<int:check_in_id>/history")
class CheckInHistory(MethodView):
    @role_required(Role.volunteer, Role.office, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, CheckInChangeSchema(many=True))
    @blp.paginate(Page)
    def get(self, check_in_id: int):
        """Who changed a check-in, what and why (the volunteer, the leaders, the office)"""
        return services.check_in_history(current_user, check_in_id)


# Attendance ----------------------------------------------------------------------------


@blp.route("/shifts/<int:shift_id>/attendance")
class ShiftAttendance(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, AttendanceLineSchema(many=True))
    @blp.paginate(Page)
    def get(self, shift_id: int):
        """Everyone signed up or checked in (leader)"""
        lines = services.attendance_sheet(
            current_user,
            shift_id,
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        )
        # The sheet checks out, flagged, those who forgot to once the shift has ended.
        db.session.commit()
        return lines


@blp.route("/shifts/<int:shift_id>/attendance-confirmation")
class ShiftAttendanceConfirmation(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(AttendanceConfirmationSchema)
    @blp.response(200, CheckInSchema(many=True))
    def post(self, data, shift_id: int):
        """Confirm attendance after the shift (leader); returns the check-ins confirmed now"""
        rows = services.confirm_attendance(current_user, shift_id, **data, now=utcnow())
        db.session.commit()
        return rows


@blp.route("/sign-ups/<int:sign_up_id>/no-show")
class SignUpNoShow(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, SignUpSchema)
    def post(self, sign_up_id: int):
        """Mark a confirmed volunteer who never came (leader)"""
        sign_up = services.mark_no_show(current_user, sign_up_id, now=utcnow())
        db.session.commit()
        return sign_up


@blp.route("/shifts/<int:shift_id>/correction-requests")
class ShiftCorrectionRequests(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(CorrectionRequestCreateSchema)
    @blp.response(201, CorrectionRequestSchema)
    def post(self, data, shift_id: int):
        """Ask the leader to fix my record of a shift"""
        request_row = services.request_correction(current_user, shift_id, **data, now=utcnow())
        db.session.commit()
        return request_row

    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, CorrectionRequestSchema(many=True))
    @blp.paginate(Page)
    def get(self, shift_id: int):
        """Pending correction requests of a shift (leader)"""
        return services.list_correction_requests(current_user, shift_id)


@blp.route("/correction-requests/<int:request_id>/decision")
class CorrectionDecision(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(CorrectionDecisionSchema)
    @blp.response(200, CorrectionRequestSchema)
    def post(self, data, request_id: int):
        """Accept (times applied) or refuse with a reply (leader)"""
        request_row = services.decide_correction(
            current_user,
            request_id,
            **data,
            now=utcnow(),
            leader_days=current_settings().leader_correction_days,
        )
        db.session.commit()
        return request_row
