"""The office's working-day calendar page (节假日安排): a year's days off and make-up working
days, added and removed as the State Council's notice sets them. The rules are
core.workdays'."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import workdays
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.inputs import Form
from core.pages import carry_out, submit
from core.workdays import DAY_KIND_LABELS, FIRST_YEAR, LAST_YEAR, DayKind
from office.forms import HolidayForm

bp = Blueprint("holidays", __name__)


def _year() -> int:
    """The year asked for, or this year when none (or one out of range) is."""
    year = request.args.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return local_day(utcnow()).year
    return year


def _page(form: HolidayForm, year: int, status: int = 200):
    years = sorted({year, local_day(utcnow()).year, *workdays.years_held()}, reverse=True)
    return render_template(
        "office/holidays.html",
        year=year,
        years=years,
        holidays=workdays.list_holidays(year),
        kind_labels=DAY_KIND_LABELS,
        form=form,
        button=Form(),
    ), status


@bp.get("/office/holidays")
@role_required(Role.office)
def holidays():
    return _page(HolidayForm(), _year())


@bp.post("/office/holidays")
@role_required(Role.office)
def add_holiday():
    form = HolidayForm()
    done = submit(
        form,
        lambda: workdays.add_holiday(
            current_user, day=form.day.data, kind=DayKind(form.kind.data), name=form.name.data
        ),
        then=lambda holiday: url_for(".holidays", year=holiday.day.year),
        done=lambda holiday: _("%(day)s is in the calendar.", day=holiday.day.isoformat()),
    )
    if done is not None:
        return done
    year = form.day.data.year if form.day.data and not form.day.errors else _year()
    return _page(form, year, form.status)


@bp.post("/office/holidays/<int:holiday_id>/remove")
@role_required(Role.office)
def remove_holiday(holiday_id: int):
    return carry_out(
        lambda: workdays.remove_holiday(current_user, holiday_id),
        done=lambda holiday: _("%(day)s is an ordinary day again.", day=holiday.day.isoformat()),
        then=lambda holiday: url_for(".holidays", year=holiday.day.year),
        refused_to=url_for(".holidays"),
    )
