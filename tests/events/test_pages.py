"""The event pages: browsing and signing up, the volunteer's own shifts, check-in by QR code,
the leader's planning and attendance pages, and the office's campaigns."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import gettext
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from events import services
from events.models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    Campaign,
    CheckIn,
    CheckInMethod,
    Shift,
    SignUp,
    SignUpStatus,
)
from tests.builders import make_activity, make_campaign, make_shift, make_team, make_user
from tests.conftest import sign_in


def client_for(app, user):
    db.session.commit()
    return sign_in(app.test_client(), user)


def location(response):
    assert response.status_code == 302, response.status_code
    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "localhost"), response.headers["Location"]
    return parts


def sign_up_of(user, shift_id) -> SignUp | None:
    db.session.expire_all()
    return services.find_sign_up(user, shift_id)


def check_in_of(user, shift_id) -> CheckIn | None:
    db.session.expire_all()
    return services.find_check_in(user.id, shift_id)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sign_up_early(user, shift):
    """A sign-up made an hour before the shift starts (so it works for shifts under way)."""
    return services.sign_up(user, shift.id, now=shift.starts_at - timedelta(hours=1))


def checked_in_by_the_leader(person, shift) -> None:
    """Signed up early, then checked in at the start by the shift's leader."""
    sign_up_early(person, shift)
    services.check_in_by_leader(
        shift.activity.team.founder,
        shift.id,
        phone=person.phone,
        now=shift.starts_at,
        leader_days=7,
    )


def served_shift(starts_in_hours: int = -5):
    """A four-hour shift (by default it ended an hour ago), with one volunteer who checked in
    and out."""
    shift = make_shift(starts_in_hours=starts_in_hours, hours=4)
    person = make_user(display_name="志愿者小王")
    start = shift.starts_at
    sign_up_early(person, shift)
    token, _ = services.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=start + timedelta(minutes=5),
        secret=current_settings().check_in_secret,
    )
    services.check_in(
        person, token, now=start + timedelta(minutes=5), secret=current_settings().check_in_secret
    )
    services.check_out(person, shift.id, now=start + timedelta(hours=3))
    return shift, person


# Browsing


def test_anonymous_visitors_see_published_shifts_and_not_drafts(client, app):
    published = make_shift()
    draft = make_shift(publish=False)

    response = client.get("/activities")

    assert response.status_code == 200
    assert f'data-testid="shift-{published.id}"' in response.text
    assert f'data-testid="shift-{draft.id}"' not in response.text


@pytest.mark.parametrize(
    "query",
    [
        "season=xx",
        "day=notadate",
        "district_id=abc",
        "season=xx&day=notadate&district_id=abc&category=nope&campaign_id=zz",
    ],
)
def test_bad_filters_are_ignored_rather_than_failing(client, app, query):
    shift = make_shift()

    response = client.get(f"/activities?{query}")

    assert response.status_code == 200
    assert f'data-testid="shift-{shift.id}"' in response.text


# Signing up, the waiting list, cancelling


def test_a_volunteer_signs_up_through_the_page(volunteer_client, volunteer, app):
    shift = make_shift()

    response = volunteer_client.post(f"/shifts/{shift.id}/sign-up")

    assert location(response).path == f"/activities/{shift.activity_id}"
    held = sign_up_of(volunteer, shift.id)
    assert held is not None and held.status is SignUpStatus.confirmed
    assert db.session.get(Shift, shift.id).seats_taken == 1


def test_a_full_shift_offers_the_waiting_list_then_cancelling_promotes(
    volunteer_client, volunteer, app
):
    shift = make_shift(capacity=1)
    first = make_user(display_name="先报名的")
    services.sign_up(first, shift.id, now=utcnow())
    first_client = client_for(app, first)

    refused = volunteer_client.post(f"/shifts/{shift.id}/sign-up")

    offer = location(refused)
    assert offer.path == f"/activities/{shift.activity_id}"
    assert parse_qs(offer.query)["full"] == [str(shift.id)]
    assert sign_up_of(volunteer, shift.id) is None
    page = volunteer_client.get(f"{offer.path}?{offer.query}")
    assert page.status_code == 200
    assert 'name="join_waiting_list" value="y"' in page.text

    joined = volunteer_client.post(f"/shifts/{shift.id}/sign-up", data={"join_waiting_list": "y"})

    assert joined.status_code == 302
    assert sign_up_of(volunteer, shift.id).status is SignUpStatus.waiting

    cancelled = first_client.post(f"/shifts/{shift.id}/cancel")

    assert cancelled.status_code == 302
    assert sign_up_of(first, shift.id).status is SignUpStatus.cancelled
    promoted = sign_up_of(volunteer, shift.id)
    assert promoted.status is SignUpStatus.confirmed
    assert promoted.promoted_at is not None
    assert db.session.get(Shift, shift.id).seats_taken == 1


def test_the_page_offers_cancelling_only_until_the_cut_off(volunteer_client, volunteer, app):
    early = make_shift(starts_in_hours=48)
    soon = make_shift(starts_in_hours=1)  # the cut-off is two hours before the start
    for shift in (early, soon):
        sign_up_early(volunteer, shift)
    db.session.commit()

    early_page = volunteer_client.get(f"/activities/{early.activity_id}")
    soon_page = volunteer_client.get(f"/activities/{soon.activity_id}")

    assert f'action="/shifts/{early.id}/cancel"' in early_page.text
    assert 'data-testid="tell-the-leader"' not in early_page.text
    assert f'action="/shifts/{soon.id}/cancel"' not in soon_page.text
    assert 'data-testid="tell-the-leader"' in soon_page.text
    refused = volunteer_client.post(f"/shifts/{soon.id}/cancel")
    assert refused.status_code == 302
    assert sign_up_of(volunteer, soon.id).status is SignUpStatus.confirmed


def test_a_volunteer_who_cancelled_is_offered_the_sign_up_again(volunteer_client, volunteer, app):
    shift = make_shift(starts_in_hours=48)
    services.sign_up(volunteer, shift.id, now=utcnow())
    services.cancel_sign_up(volunteer, shift.id, now=utcnow(), cutoff_hours=2)
    db.session.commit()

    page = volunteer_client.get(f"/activities/{shift.activity_id}")

    assert f'action="/shifts/{shift.id}/sign-up"' in page.text
    volunteer_client.post(f"/shifts/{shift.id}/sign-up")
    assert sign_up_of(volunteer, shift.id).status is SignUpStatus.confirmed


def test_a_leader_is_offered_no_changes_to_a_settled_record(app):
    shift, person = served_shift(starts_in_hours=-24 * 10)
    row = check_in_of(person, shift.id)
    leader_client = client_for(app, shift.activity.team.founder)
    office_client = client_for(app, make_user(role=Role.office))

    leader_sheet = leader_client.get(f"/shifts/{shift.id}/attendance")
    office_sheet = office_client.get(f"/shifts/{shift.id}/attendance")

    assert f'id="correct-{row.id}"' not in leader_sheet.text
    assert f'id="correct-{row.id}"' in office_sheet.text
    assert f'action="/check-ins/{row.id}/correct"' in office_sheet.text


# The volunteer's own shifts


def test_my_shifts_lists_the_upcoming_shift(volunteer_client, volunteer, app):
    shift = make_shift()
    services.sign_up(volunteer, shift.id, now=utcnow())

    response = volunteer_client.get("/me/shifts")

    assert response.status_code == 200
    assert f'data-testid="upcoming-{shift.id}"' in response.text


def test_my_shifts_offers_cancelling_only_until_the_cut_off(volunteer_client, volunteer, app):
    early = make_shift(starts_in_hours=48)
    soon = make_shift(starts_in_hours=1)
    for shift in (early, soon):
        sign_up_early(volunteer, shift)
    db.session.commit()

    page = volunteer_client.get("/me/shifts").text

    assert f'action="/shifts/{early.id}/cancel"' in page
    assert f'action="/shifts/{soon.id}/cancel"' not in page
    assert 'data-testid="tell-the-leader"' in page


def test_my_shifts_totals_the_year_as_well_as_each_season(app):
    first, person = served_shift()
    second = make_shift(first.activity, starts_in_hours=-30, hours=2)
    checked_in_by_the_leader(person, second)
    services.check_out(person, second.id, now=second.ends_at)
    after = second.ends_at + timedelta(hours=1)
    for shift in (first, second):
        services.confirm_attendance(
            first.activity.team.founder, shift.id, now=max(after, shift.ends_at)
        )
    year = first.activity.campaign.year
    person_client = client_for(app, person)

    page = person_client.get("/me/shifts").text

    line = page[page.index(f'data-testid="year-{year}"') :].split("</li>")[0]
    assert "2 个班次" in line
    assert "4.9 小时" in line  # 2 h 55 min and 2 h


def test_the_calendar_file_is_for_the_signed_up_volunteer_only(volunteer_client, volunteer, app):
    shift = make_shift()
    services.sign_up(volunteer, shift.id, now=utcnow())
    other_client = client_for(app, make_user(display_name="没报名的"))

    response = volunteer_client.get(f"/shifts/{shift.id}/calendar.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.data.startswith(b"BEGIN:VCALENDAR")
    assert b"BEGIN:VEVENT" in response.data
    assert other_client.get(f"/shifts/{shift.id}/calendar.ics").status_code == 404


# Check-in by QR code


def test_the_leader_code_page_shows_a_qr_code(app):
    shift = make_shift(starts_in_hours=0)
    leader_client = client_for(app, shift.activity.team.founder)

    response = leader_client.get(f"/shifts/{shift.id}/code")

    assert response.status_code == 200
    assert "<svg" in response.text
    assert 'data-testid="seconds-left"' in response.text


def test_a_signed_up_volunteer_checks_in_with_the_code(volunteer_client, volunteer, app):
    shift = make_shift(starts_in_hours=0)
    sign_up_early(volunteer, shift)
    token, _ = services.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )

    page = volunteer_client.get(f"/check-in/{token}")

    assert page.status_code == 200
    assert 'id="check-in-form"' in page.text
    assert check_in_of(volunteer, shift.id) is None

    done = volunteer_client.post(f"/check-in/{token}")

    assert done.status_code == 200
    assert 'data-testid="checked-in"' in done.text
    row = check_in_of(volunteer, shift.id)
    assert row is not None
    assert row.method is CheckInMethod.qr
    assert not row.is_walk_in
    assert row.checked_out_at is None

    again = volunteer_client.post(f"/check-in/{token}")

    assert again.status_code == 200
    assert count(CheckIn) == 1


@pytest.mark.parametrize("forged", ["not-a-token", "other-secret"])
def test_a_forged_code_gives_the_400_page_and_no_check_in(volunteer_client, volunteer, app, forged):
    shift = make_shift(starts_in_hours=0)
    sign_up_early(volunteer, shift)
    if forged == "other-secret":
        window = int(utcnow().timestamp()) // services.QR_ROTATION_SECONDS
        serializer = URLSafeSerializer("not-the-secret", salt="shift-check-in")
        token = serializer.dumps({"s": shift.id, "w": window})
    else:
        token = forged

    page = volunteer_client.get(f"/check-in/{token}")

    assert page.status_code == 400
    assert 'data-testid="check-in-errors"' in page.text
    assert 'id="check-in-form"' not in page.text
    posted = volunteer_client.post(f"/check-in/{token}")
    assert posted.status_code == 400
    assert 'data-testid="check-in-errors"' in posted.text
    assert check_in_of(volunteer, shift.id) is None


def test_an_anonymous_scan_is_sent_to_sign_in_and_back(client, app):
    shift = make_shift(starts_in_hours=0)
    token, _ = services.check_in_code(
        shift.activity.team.founder,
        shift.id,
        now=utcnow(),
        secret=current_settings().check_in_secret,
    )

    response = client.get(f"/check-in/{token}")

    target = location(response)
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [f"/check-in/{token}"]


# Attendance


def test_the_leader_confirms_attendance_after_the_shift(app):
    shift, person = served_shift()
    leader_client = client_for(app, shift.activity.team.founder)

    sheet = leader_client.get(f"/shifts/{shift.id}/attendance")

    assert sheet.status_code == 200
    assert f'data-testid="line-{person.id}"' in sheet.text
    assert check_in_of(person, shift.id).status is AttendanceStatus.pending

    response = leader_client.post(f"/shifts/{shift.id}/confirm")

    assert location(response).path == f"/shifts/{shift.id}/attendance"
    confirmed = check_in_of(person, shift.id)
    assert confirmed.status is AttendanceStatus.confirmed
    assert confirmed.served_minutes == 175  # in 5 minutes after the start, out 3 hours after
    assert confirmed.points_due == 20  # two full hours at 10 points
    assert confirmed.confirmed_by_id == shift.activity.team.founder.id


def test_confirm_all_says_what_it_left_for_review(app):
    shift, _ = served_shift()
    forgetful = make_user(display_name="忘了签退的")
    checked_in_by_the_leader(forgetful, shift)
    leader_client = client_for(app, shift.activity.team.founder)

    response = leader_client.post(f"/shifts/{shift.id}/confirm", follow_redirects=True)

    assert "已确认 1 条考勤记录" in response.text
    assert "1 条标记的记录未确认" in response.text
    assert check_in_of(forgetful, shift.id).status is AttendanceStatus.pending


def test_the_sheet_shows_each_volunteers_no_shows_of_the_last_90_days(app):
    shift = make_shift(starts_in_hours=48)
    person = make_user(display_name="常缺席的")
    for days_ago in (10, 100):
        missed = make_shift(shift.activity, starts_in_hours=-24 * 10)
        sign_up_early(person, missed)
        services.mark_no_show(
            missed.activity.team.founder, sign_up_of(person, missed.id).id, now=missed.ends_at
        )
        # Moved back in time after the fact: the campaign does not reach 100 days back.
        missed.starts_at -= timedelta(days=days_ago - 10)
        missed.ends_at -= timedelta(days=days_ago - 10)
    services.sign_up(person, shift.id, now=utcnow())
    leader_client = client_for(app, shift.activity.team.founder)

    sheet = leader_client.get(f"/shifts/{shift.id}/attendance").text

    badge = sheet[sheet.index(f'data-testid="no-shows-{person.id}"') :].split("</span>")[0]
    assert "90 天内缺席 1 次" in badge


def test_another_teams_leader_can_neither_see_nor_confirm_the_attendance(app):
    shift, person = served_shift()
    stranger_client = client_for(app, make_team().founder)

    assert stranger_client.get(f"/activities/{shift.activity_id}/manage").status_code == 403
    assert stranger_client.get(f"/shifts/{shift.id}/attendance").status_code == 403
    assert stranger_client.get(f"/shifts/{shift.id}/code").status_code == 403

    # The confirm view turns the refusal into a flash and sends the user back to the sheet
    # (which answers them 403); what matters is that nothing is confirmed.
    response = stranger_client.post(f"/shifts/{shift.id}/confirm")

    assert location(response).path == f"/shifts/{shift.id}/attendance"
    with stranger_client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert ("danger", gettext("Only a leader of this team may do this.")) in flashes
    unchanged = check_in_of(person, shift.id)
    assert unchanged.status is AttendanceStatus.pending
    assert unchanged.served_minutes is None
    assert unchanged.confirmed_at is None
    assert unchanged.confirmed_by_id is None


# Leaders plan activities


def test_a_leader_drafts_an_activity_adds_a_shift_and_publishes_it(app):
    team = make_team()
    campaign = make_campaign()
    leader_client = client_for(app, team.founder)
    assert leader_client.get(f"/teams/{team.id}/activities/new").status_code == 200

    created = leader_client.post(
        f"/teams/{team.id}/activities/new",
        data={
            "campaign_id": str(campaign.id),
            "title": "社区敬老院探访",
            "category": "cleaning",
            "address": "海港区文化路 12 号",
            "description": "陪老人聊天",
        },
    )

    activity = db.session.scalars(select(Activity).where(Activity.team_id == team.id)).one()
    assert location(created).path == f"/activities/{activity.id}/manage"
    assert activity.status is ActivityStatus.draft
    assert (activity.title, activity.campaign_id) == ("社区敬老院探访", campaign.id)

    listing = leader_client.get(f"/teams/{team.id}/activities")
    assert listing.status_code == 200
    assert f'data-testid="team-activity-{activity.id}"' in listing.text

    day = services.local_day(utcnow()) + timedelta(days=2)
    added = leader_client.post(
        f"/activities/{activity.id}/shifts",
        data={"day": day.isoformat(), "start_time": "09:00", "end_time": "11:30", "capacity": "8"},
    )

    assert location(added).path == f"/activities/{activity.id}/manage"
    shift = db.session.scalars(select(Shift).where(Shift.activity_id == activity.id)).one()
    assert shift.capacity == 8
    assert shift.ends_at - shift.starts_at == timedelta(hours=2, minutes=30)
    assert services.local_day(shift.starts_at) == day

    published = leader_client.post(f"/activities/{activity.id}/publish")

    assert location(published).path == f"/activities/{activity.id}/manage"
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status is ActivityStatus.published
    browse = leader_client.get("/activities")
    assert f'data-testid="shift-{shift.id}"' in browse.text


def test_the_team_activities_list_is_for_its_leaders_only(volunteer_client, app):
    shift = make_shift(publish=False)
    team = shift.activity.team
    leader_client = client_for(app, team.founder)

    listing = leader_client.get(f"/teams/{team.id}/activities")

    assert listing.status_code == 200
    assert f'data-testid="team-activity-{shift.activity_id}"' in listing.text
    assert volunteer_client.get(f"/teams/{team.id}/activities").status_code == 403
    assert volunteer_client.get(f"/teams/{team.id}/activities/new").status_code == 403


def test_another_teams_leader_cannot_plan_or_publish_the_activity(app):
    activity = make_activity()
    stranger_client = client_for(app, make_team().founder)
    day = services.local_day(utcnow()) + timedelta(days=2)

    added = stranger_client.post(
        f"/activities/{activity.id}/shifts",
        data={"day": day.isoformat(), "start_time": "09:00", "end_time": "11:00", "capacity": "5"},
    )
    published = stranger_client.post(f"/activities/{activity.id}/publish")

    assert (added.status_code, published.status_code) == (403, 403)
    assert count(Shift, Shift.activity_id == activity.id) == 0
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status is ActivityStatus.draft


# The office's campaigns


def test_the_office_creates_the_standard_year_once(office_client, app):
    assert office_client.get("/office/campaigns").status_code == 200

    first = office_client.post("/office/campaigns/create-year", data={"year": "2031"})

    target = location(first)
    assert (target.path, parse_qs(target.query)) == ("/office/campaigns", {"year": ["2031"]})
    assert count(Campaign, Campaign.year == 2031) == 4

    again = office_client.post("/office/campaigns/create-year", data={"year": "2031"})

    assert again.status_code == 302
    assert count(Campaign, Campaign.year == 2031) == 4
    page = office_client.get("/office/campaigns?year=2031")
    assert page.status_code == 200
    ids = db.session.scalars(select(Campaign.id).where(Campaign.year == 2031)).all()
    assert all(f'data-testid="campaign-{i}"' in page.text for i in ids)


def test_a_volunteer_may_not_open_the_office_campaigns(volunteer_client, app):
    assert volunteer_client.get("/office/campaigns").status_code == 403
    refused = volunteer_client.post("/office/campaigns/create-year", data={"year": "2031"})
    assert refused.status_code == 403
    assert count(Campaign) == 0
