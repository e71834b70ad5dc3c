"""API: the office's holiday calendar (放假 and 调休上班 dates) that working days are counted by."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user

from core import workdays
from core.api import Blueprint, Page
from core.auth.access import role_required
from core.auth.models import Role
from core.extensions import db
from core.inputs import Schema
from core.workdays import FIRST_YEAR, LAST_YEAR, NAME_MAX, DayKind

blp = Blueprint(
    "workdays_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "The working-day calendar the office keeps: weekends are off unless a date is a make-up "
        "working day (调休上班); a weekday is worked unless it is a day off (放假). Time limits "
        "counted in working days read it."
    ),
)
BEARER = [{"bearerAuth": []}]


class HolidaySchema(Schema):
    id = ma.fields.Integer()
    day = ma.fields.Date()
    kind = ma.fields.Enum(DayKind, by_value=True)
    name = ma.fields.String()


class HolidayCreateSchema(Schema):
    day = ma.fields.Date(required=True)
    kind = ma.fields.Enum(DayKind, by_value=True, required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=NAME_MAX))


class HolidayQuerySchema(Schema):
    year = ma.fields.Integer(validate=ma.validate.Range(min=FIRST_YEAR, max=LAST_YEAR))


@blp.route("/office/holidays")
class Holidays(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(HolidayQuerySchema, location="query")
    @blp.response(200, HolidaySchema(many=True))
    @blp.paginate(Page)
    def get(self, args):
        """The calendar's dates in order, of one year or all (office)"""
        return workdays.list_holidays(args.get("year"))

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(HolidayCreateSchema)
    @blp.response(201, HolidaySchema)
    def post(self, data):
        """Add a day off or a make-up working day (office); a make-up day is a Saturday or
        Sunday, and a date is in the calendar once"""
        holiday = workdays.add_holiday(current_user, **data)
        db.session.commit()
        return holiday


@blp.route("/office/holidays/<int:holiday_id>")
class OneHoliday(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, holiday_id: int):
        """Take a date out of the calendar (office): it is an ordinary day again"""
        workdays.remove_holiday(current_user, holiday_id)
        db.session.commit()
