"""China's working-day calendar: arithmetic across the Spring Festival and a make-up Saturday
(fixed dates of the 2026 notice), deadlines in Asia/Shanghai, and the office's calendar on its
page and in the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core import workdays
from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from core.workdays import DayKind, WorkCalendar, add_working_days, working_days_between

SHANGHAI = ZoneInfo("Asia/Shanghai")


def calendar_2026() -> WorkCalendar:
    """The 2026 notice's Spring Festival, built by hand: 15–23 Feb off, Sat 14 and 28 Feb
    worked."""
    return WorkCalendar(
        days_off=frozenset(date(2026, 2, day) for day in range(15, 24)),
        make_up_workdays=frozenset({date(2026, 2, 14), date(2026, 2, 28)}),
    )


def test_the_spring_festival_stops_the_count_and_the_make_up_saturday_counts():
    calendar = calendar_2026()
    friday = date(2026, 2, 13)

    # Sat 14 Feb is worked; then nine days off; Tue 24 Feb is the next working day.
    assert add_working_days(friday, 1, calendar) == date(2026, 2, 14)
    assert add_working_days(friday, 2, calendar) == date(2026, 2, 24)
    # 24, 25, 26, 27 Feb, and Saturday 28 Feb worked.
    assert add_working_days(friday, 6, calendar) == date(2026, 2, 28)
    assert add_working_days(friday, 7, calendar) == date(2026, 3, 2)
    assert add_working_days(friday, 0, calendar) == friday

    assert working_days_between(friday, date(2026, 2, 24), calendar) == 2
    assert working_days_between(friday, date(2026, 3, 2), calendar) == 7
    assert working_days_between(date(2026, 2, 16), date(2026, 2, 22), calendar) == 0
    assert working_days_between(date(2026, 3, 2), friday, calendar) == 0


def test_an_ordinary_week_counts_weekdays_only():
    calendar = WorkCalendar()
    friday = date(2026, 3, 6)
    assert add_working_days(friday, 1, calendar) == date(2026, 3, 9)
    assert add_working_days(friday, 5, calendar) == date(2026, 3, 13)
    assert calendar.is_working_day(date(2026, 3, 7)) is False


def test_a_count_out_of_bounds_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1, WorkCalendar())
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), workdays.MAX_WORKING_DAYS + 1, WorkCalendar())


def test_a_deadline_ends_at_local_midnight_after_the_last_working_day():
    calendar = calendar_2026()
    # Friday 13 Feb 2026, 23:30 in Shanghai is still Friday there (15:30 UTC).
    received = datetime(2026, 2, 13, 15, 30, tzinfo=UTC)
    deadline = workdays.working_day_deadline(received, 5, calendar, SHANGHAI)
    # 14 (Sat, worked), 24, 25, 26, 27 Feb: until the end of Friday 27 Feb, Shanghai time.
    assert deadline == datetime(2026, 2, 28, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    assert deadline == datetime(2026, 2, 27, 16, 0, tzinfo=UTC)

    # 16:30 UTC is already Saturday 14 Feb in Shanghai: the count starts a day later.
    later = workdays.working_day_deadline(
        datetime(2026, 2, 13, 16, 30, tzinfo=UTC), 5, calendar, SHANGHAI
    )
    assert later == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_the_seeded_2026_calendar_is_the_state_councils(app):
    added = workdays.ensure_holidays()
    assert workdays.ensure_holidays() == 0
    calendar = workdays.load_calendar()

    assert added == len(calendar.days_off) + len(calendar.make_up_workdays)
    assert calendar.make_up_workdays == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    assert date(2026, 2, 23) in calendar.days_off and date(2026, 2, 24) not in calendar.days_off
    assert date(2026, 10, 7) in calendar.days_off
    # The same answers as the hand-built calendar across the Spring Festival.
    assert add_working_days(date(2026, 2, 13), 7, calendar) == date(2026, 3, 2)
    # National Day: Sun 20 Sep worked; 1–7 Oct off; Sat 10 Oct worked.
    assert add_working_days(date(2026, 9, 30), 1, calendar) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 9), 1, calendar) == date(2026, 10, 10)


def test_the_office_adds_and_removes_a_date(app, office_user):
    holiday = workdays.add_holiday(
        office_user, day=date(2027, 1, 1), kind=DayKind.day_off, name=" 元旦 "
    )
    assert holiday.name == "元旦"
    assert [h.day for h in workdays.list_holidays(2027)] == [date(2027, 1, 1)]
    assert workdays.years_held() == [2027]

    workdays.remove_holiday(office_user, holiday.id)
    assert workdays.list_holidays() == []


@pytest.mark.parametrize(
    ("day", "kind", "name", "field"),
    [
        (date(2027, 2, 3), DayKind.make_up_workday, "春节", "day"),  # a Wednesday
        (date(2027, 1, 1), DayKind.day_off, "", "name"),
        (date(2027, 1, 1), DayKind.day_off, "节" * 65, "name"),
        (date(1999, 1, 1), DayKind.day_off, "元旦", "day"),
    ],
)
def test_a_bad_date_is_refused_and_nothing_is_added(app, office_user, day, kind, name, field):
    with pytest.raises(ValidationFailed) as refused:
        workdays.add_holiday(office_user, day=day, kind=kind, name=name)
    assert field in refused.value.errors
    assert workdays.list_holidays() == []


def test_a_date_is_in_the_calendar_once(app, office_user):
    workdays.add_holiday(office_user, day=date(2027, 1, 1), kind=DayKind.day_off, name="元旦")
    with pytest.raises(ValidationFailed) as refused:
        workdays.add_holiday(office_user, day=date(2027, 1, 1), kind=DayKind.day_off, name="元旦")
    assert refused.value.errors["day"] == ["该日期已在节假日安排中，请先删除。"]


def test_only_the_office_keeps_the_calendar(app, volunteer):
    with pytest.raises(Forbidden):
        workdays.add_holiday(volunteer, day=date(2027, 1, 1), kind=DayKind.day_off, name="元旦")


def test_the_office_page_lists_adds_and_removes(app, office_client):
    workdays.ensure_holidays()
    db.session.commit()

    page = office_client.get("/office/holidays?year=2026")
    assert page.status_code == 200
    assert "2026-02-14" in page.text and "调休上班" in page.text

    added = office_client.post(
        "/office/holidays",
        data={"day": "2027-02-06", "kind": "make_up_workday", "name": "春节"},
    )
    assert added.status_code == 302 and added.headers["Location"].endswith("year=2027")
    # Saturday 6 Feb 2027 now counts: the first working day after Friday 5 Feb.
    assert add_working_days(date(2027, 2, 5), 1, workdays.load_calendar()) == date(2027, 2, 6)

    wrong = office_client.post(
        "/office/holidays", data={"day": "2027-02-08", "kind": "make_up_workday", "name": "春节"}
    )
    assert wrong.status_code == 422
    assert "周六或周日" in wrong.text
    assert not workdays.load_calendar().is_working_day(date(2027, 2, 7))

    (saturday,) = workdays.list_holidays(2027)
    removed = office_client.post(f"/office/holidays/{saturday.id}/remove")
    assert removed.status_code == 302
    assert workdays.list_holidays(2027) == []


def test_the_api_keeps_the_calendar(app, office_user, volunteer, bearer):
    client = app.test_client()
    office = bearer(office_user)

    created = client.post(
        "/api/v1/office/holidays",
        json={"day": "2027-10-01", "kind": "day_off", "name": "国庆节"},
        headers=office,
    )
    assert created.status_code == 201, created.json
    assert created.json["kind"] == "day_off"

    listed = client.get("/api/v1/office/holidays?year=2027", headers=office)
    assert [h["day"] for h in listed.json] == ["2027-10-01"]

    twice = client.post(
        "/api/v1/office/holidays",
        json={"day": "2027-10-01", "kind": "day_off", "name": "国庆节"},
        headers=office,
    )
    assert twice.status_code == 422 and "day" in twice.json["errors"]

    refused = client.get("/api/v1/office/holidays", headers=bearer(volunteer))
    assert refused.status_code == 403

    gone = client.delete(f"/api/v1/office/holidays/{created.json['id']}", headers=office)
    assert gone.status_code == 204
    again = client.delete(f"/api/v1/office/holidays/{created.json['id']}", headers=office)
    assert again.status_code == 404
