"""API schemas for campaigns, activities, shifts, sign-ups, check-ins and attendance."""

from __future__ import annotations

import marshmallow as ma

from core.inputs import MULTILINE, Schema
from events.models import (
    ActivityStatus,
    AttendanceStatus,
    CheckInMethod,
    CorrectionStatus,
    Season,
    ShiftStatus,
    SignUpStatus,
)
from volunteer.models import ServiceCategory
from volunteer.schemas import PersonSchema, TeamBriefSchema


class LocalTime(ma.fields.Time):
    """A wall-clock time of the city's zone: an offset would be ignored, so it is refused."""

    default_error_messages = {"offset": "Give the local time without a UTC offset."}

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            raise self.make_error("offset")
        return result


# Campaigns ---------------------------------------------------------------------------


class CampaignQuerySchema(Schema):
    year = ma.fields.Integer()


class BonusDayInputSchema(Schema):
    day = ma.fields.Date(required=True)
    multiplier = ma.fields.Integer(load_default=2)
    label = ma.fields.String(load_default="", validate=ma.validate.Length(max=80))


class BonusDaySchema(Schema):
    day = ma.fields.Date()
    multiplier = ma.fields.Integer()
    label = ma.fields.String()


class CampaignUpdateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    description = ma.fields.String(
        metadata=MULTILINE, load_default="", validate=ma.validate.Length(max=5000)
    )
    points_per_hour = ma.fields.Integer(required=True)
    max_points_per_shift = ma.fields.Integer(required=True)
    bonus_days = ma.fields.List(ma.fields.Nested(BonusDayInputSchema), load_default=list)


class CampaignCreateSchema(CampaignUpdateSchema):
    season = ma.fields.Enum(Season, by_value=True, required=True)
    year = ma.fields.Integer(required=True)
    points_per_hour = ma.fields.Integer(load_default=10)
    max_points_per_shift = ma.fields.Integer(load_default=80)


class StandardYearSchema(Schema):
    year = ma.fields.Integer(required=True)


class CampaignSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    season = ma.fields.Enum(Season, by_value=True)
    season_label = ma.fields.String(attribute="season.label")
    year = ma.fields.Integer()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    description = ma.fields.String()
    points_per_hour = ma.fields.Integer()
    max_points_per_shift = ma.fields.Integer()
    bonus_days = ma.fields.List(ma.fields.Nested(BonusDaySchema))
    created_at = ma.fields.AwareDateTime()


# Activities ----------------------------------------------------------------------------


class ActivityUpdateSchema(Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    category = ma.fields.Enum(ServiceCategory, by_value=True, required=True)
    address = ma.fields.String(required=True, validate=ma.validate.Length(max=200))
    latitude = ma.fields.Float(load_default=None, allow_none=True)
    longitude = ma.fields.Float(load_default=None, allow_none=True)
    checkin_radius_m = ma.fields.Integer(load_default=None, allow_none=True)
    description = ma.fields.String(
        metadata=MULTILINE, load_default="", validate=ma.validate.Length(max=5000)
    )


class ActivityCreateSchema(ActivityUpdateSchema):
    campaign_id = ma.fields.Integer(required=True)


class ActivityCancellationSchema(Schema):
    reason = ma.fields.String(
        metadata=MULTILINE, required=True, validate=ma.validate.Length(max=2000)
    )


class ActivitySchema(Schema):
    id = ma.fields.Integer()
    team = ma.fields.Nested(TeamBriefSchema)
    campaign_id = ma.fields.Integer()
    district_id = ma.fields.Integer()
    title = ma.fields.String()
    category = ma.fields.Enum(ServiceCategory, by_value=True)
    category_label = ma.fields.String(attribute="category.label")
    address = ma.fields.String()
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    checkin_radius_m = ma.fields.Integer(allow_none=True)
    description = ma.fields.String()
    status = ma.fields.Enum(ActivityStatus, by_value=True)
    cancel_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    published_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)


# Shifts --------------------------------------------------------------------------------


class ShiftSchema(Schema):
    id = ma.fields.Integer()
    activity_id = ma.fields.Integer()
    series_id = ma.fields.Integer(allow_none=True)
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()
    capacity = ma.fields.Integer()
    seats_taken = ma.fields.Integer()
    seats_left = ma.fields.Integer()
    allows_walk_ins = ma.fields.Boolean()
    status = ma.fields.Enum(ShiftStatus, by_value=True)


class ActivityDetailSchema(ActivitySchema):
    shifts = ma.fields.List(ma.fields.Nested(ShiftSchema))


class ShiftListItemSchema(ShiftSchema):
    """A shift as found when browsing, with its activity."""

    activity = ma.fields.Nested(ActivitySchema)
    season = ma.fields.Enum(Season, by_value=True, attribute="activity.campaign.season")


class ShiftBrowseQuerySchema(Schema):
    season = ma.fields.Enum(Season, by_value=True)
    campaign_id = ma.fields.Integer()
    district_id = ma.fields.Integer()
    day = ma.fields.Date()
    category = ma.fields.Enum(ServiceCategory, by_value=True)


class ShiftCreateSchema(Schema):
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    capacity = ma.fields.Integer(required=True)
    allows_walk_ins = ma.fields.Boolean(load_default=False)


class ShiftSeriesCreateSchema(Schema):
    first_day = ma.fields.Date(required=True)
    last_day = ma.fields.Date(required=True)
    weekdays = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        metadata={"description": "0 = Monday … 6 = Sunday"},
    )
    start_time = LocalTime(required=True, metadata={"description": "Local time, e.g. 09:00"})
    end_time = LocalTime(
        required=True, metadata={"description": "Local time; at or before the start: next day"}
    )
    capacity = ma.fields.Integer(required=True)
    allows_walk_ins = ma.fields.Boolean(load_default=False)


class ShiftSeriesResultSchema(Schema):
    series_id = ma.fields.Integer()
    created = ma.fields.Integer(metadata={"description": "Shifts made now (0: submitted before)"})


class ShiftUpdateSchema(Schema):
    """Fields left out stay as they are."""

    start_time = LocalTime()
    end_time = LocalTime()
    capacity = ma.fields.Integer()
    allows_walk_ins = ma.fields.Boolean()
    rest_of_series = ma.fields.Boolean(load_default=False)


class ShiftCancellationSchema(Schema):
    reason = ma.fields.String(
        metadata=MULTILINE, required=True, validate=ma.validate.Length(max=2000)
    )
    rest_of_series = ma.fields.Boolean(load_default=False)


# Sign-ups ------------------------------------------------------------------------------


class SignUpRequestSchema(Schema):
    join_waiting_list = ma.fields.Boolean(load_default=False)


class SignUpSchema(Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    status = ma.fields.Enum(SignUpStatus, by_value=True)
    created_at = ma.fields.AwareDateTime()
    promoted_at = ma.fields.AwareDateTime(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)


class SignUpResultSchema(SignUpSchema):
    waiting_position = ma.fields.Integer(
        allow_none=True, metadata={"description": "1 for the first on the waiting list"}
    )


class ShiftWithActivitySchema(ShiftSchema):
    activity = ma.fields.Nested(ActivitySchema)


class MySignUpSchema(SignUpSchema):
    shift = ma.fields.Nested(ShiftWithActivitySchema)


class ServiceTotalSchema(Schema):
    year = ma.fields.Integer()
    season = ma.fields.Enum(Season, by_value=True)
    season_label = ma.fields.String(attribute="season.label")
    shifts = ma.fields.Integer()
    minutes = ma.fields.Integer()
    hours = ma.fields.Float()
    points = ma.fields.Integer()


# Check-in and attendance ---------------------------------------------------------------


class CheckInCodeSchema(Schema):
    token = ma.fields.String()
    url = ma.fields.String(metadata={"description": "The check-in page to show as a QR code"})
    expires_in = ma.fields.Integer(metadata={"description": "Seconds until the next code"})


class CheckInRequestSchema(Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(max=500))
    latitude = ma.fields.Float(load_default=None, allow_none=True)
    longitude = ma.fields.Float(load_default=None, allow_none=True)


class LeaderCheckInSchema(Schema):
    phone = ma.fields.String(required=True, validate=ma.validate.Length(max=20))


class CheckInSchema(Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    is_walk_in = ma.fields.Boolean()
    method = ma.fields.Enum(CheckInMethod, by_value=True)
    checked_in_at = ma.fields.AwareDateTime()
    checked_out_at = ma.fields.AwareDateTime(allow_none=True)
    is_auto_checked_out = ma.fields.Boolean()
    inside_fence = ma.fields.Boolean(
        allow_none=True,
        metadata={
            "description": "Whether the phone was inside the activity's check-in area; null "
            "where no location check was made (no area, checked in by the leader)"
        },
    )
    distance_m = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "How far the phone was from the place, in metres; null likewise"},
    )
    status = ma.fields.Enum(AttendanceStatus, by_value=True)
    served_minutes = ma.fields.Integer(allow_none=True)
    points_due = ma.fields.Integer(allow_none=True)
    confirmed_at = ma.fields.AwareDateTime(allow_none=True)


class ServiceHistoryEntrySchema(CheckInSchema):
    """One of my check-ins, with its shift and activity."""

    shift = ma.fields.Nested(ShiftWithActivitySchema)


class CheckInTimesSchema(Schema):
    checked_in_at = ma.fields.AwareDateTime(required=True)
    checked_out_at = ma.fields.AwareDateTime(required=True)
    reason = ma.fields.String(
        metadata=MULTILINE, required=True, validate=ma.validate.Length(max=2000)
    )


class CheckInChangeSchema(Schema):
    id = ma.fields.Integer()
    field = ma.fields.String()
    old_value = ma.fields.String(allow_none=True)
    new_value = ma.fields.String(allow_none=True)
    reason = ma.fields.String()
    actor = ma.fields.Nested(PersonSchema)
    created_at = ma.fields.AwareDateTime()


class AttendanceSignUpSchema(Schema):
    id = ma.fields.Integer()
    status = ma.fields.Enum(SignUpStatus, by_value=True)
    created_at = ma.fields.AwareDateTime()


class AttendanceLineSchema(Schema):
    """One volunteer on the leader's sheet; the phone is for the team's leaders only."""

    user_id = ma.fields.Integer(attribute="user.id")
    display_name = ma.fields.String(attribute="user.display_name")
    phone = ma.fields.String(attribute="user.phone")
    state = ma.fields.String()
    recent_no_shows = ma.fields.Integer(
        metadata={"description": "The volunteer's no-shows on shifts of the last 90 days"}
    )
    may_confirm = ma.fields.Boolean()
    may_check_out = ma.fields.Boolean()
    may_correct = ma.fields.Boolean()
    may_mark_no_show = ma.fields.Boolean()
    sign_up = ma.fields.Nested(AttendanceSignUpSchema, allow_none=True)
    check_in = ma.fields.Nested(CheckInSchema, allow_none=True)


class AttendanceConfirmationSchema(Schema):
    check_in_ids = ma.fields.List(
        ma.fields.Integer(),
        load_default=None,
        allow_none=True,
        metadata={"description": "Left out: every check-in not flagged for review"},
    )


class CorrectionRequestCreateSchema(Schema):
    checked_in_at = ma.fields.AwareDateTime(required=True)
    checked_out_at = ma.fields.AwareDateTime(required=True)
    message = ma.fields.String(
        metadata=MULTILINE, required=True, validate=ma.validate.Length(max=2000)
    )


class CorrectionDecisionSchema(Schema):
    accept = ma.fields.Boolean(required=True)
    reply = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class CorrectionRequestSchema(Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    user = ma.fields.Nested(PersonSchema)
    checked_in_at = ma.fields.AwareDateTime()
    checked_out_at = ma.fields.AwareDateTime()
    message = ma.fields.String()
    status = ma.fields.Enum(CorrectionStatus, by_value=True)
    reply = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    decided_at = ma.fields.AwareDateTime(allow_none=True)
