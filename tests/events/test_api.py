"""The events API (and the team endpoints it stands on), driven over HTTP with bearer tokens."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from core.clock import utcnow
from core.districts import District, ensure_districts
from core.extensions import db
from events import services
from events.models import ActivityNotice, Shift
from tests.builders import make_activity, make_campaign, make_shift, make_team, make_user
from tests.events.builders import make_shift_at, make_volunteers

ERROR_KEYS = {"code", "message", "errors"}
CITY = ZoneInfo("Asia/Shanghai")
API = "/api/v1"


def refused(response, status: int, code: str | None = None) -> dict:
    """Assert an error response of the one shape and return its body."""
    assert response.status_code == status, response.text
    assert response.is_json
    assert set(response.json) == ERROR_KEYS
    if code is not None:
        assert response.json["code"] == code
    return response.json


def iso(moment: datetime) -> str:
    return moment.isoformat()


def sign_up(client, headers, shift_id: int, **body):
    return client.post(f"{API}/shifts/{shift_id}/sign-up", json=body, headers=headers)


def code_for(client, leader_headers, shift_id: int) -> str:
    response = client.get(f"{API}/shifts/{shift_id}/check-in-code", headers=leader_headers)
    assert response.status_code == 200, response.text
    return response.json["token"]


# Campaigns


def test_office_creates_campaigns_and_the_standard_year_only_once(
    client, office_user, volunteer, bearer
):
    office = bearer(office_user)
    body = {
        "name": "2031年春季·学雷锋志愿服务月",
        "season": "spring",
        "year": 2031,
        "starts_on": "2031-03-01",
        "ends_on": "2031-04-30",
        "points_per_hour": 12,
        "max_points_per_shift": 60,
        "bonus_days": [{"day": "2031-03-05", "multiplier": 3, "label": "学雷锋纪念日"}],
    }

    created = client.post(f"{API}/campaigns", json=body, headers=office)

    assert created.status_code == 201, created.text
    campaign = created.json
    assert campaign["season"] == "spring"
    assert campaign["bonus_days"] == [
        {"day": "2031-03-05", "multiplier": 3, "label": "学雷锋纪念日"}
    ]

    update = {k: body[k] for k in ("name", "starts_on", "ends_on", "max_points_per_shift")}
    changed = client.put(
        f"{API}/campaigns/{campaign['id']}",
        json={**update, "points_per_hour": 15, "bonus_days": []},
        headers=office,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json["points_per_hour"], changed.json["bonus_days"]) == (15, [])

    first = client.post(f"{API}/campaigns/standard-year", json={"year": 2032}, headers=office)
    again = client.post(f"{API}/campaigns/standard-year", json={"year": 2032}, headers=office)

    assert first.status_code == 201, first.text
    assert {c["season"] for c in first.json} == {
        "spring",
        "tourist_season",
        "autumn_harvest",
        "winter",
    }
    assert again.status_code == 201
    assert again.json == []
    listed = client.get(f"{API}/campaigns", query_string={"year": 2032})
    assert len(listed.json) == 4

    refused(client.post(f"{API}/campaigns", json=body, headers=bearer(volunteer)), 403, "forbidden")
    refused(client.post(f"{API}/campaigns", json=body), 401, "not_authenticated")


def test_campaign_with_a_bonus_day_outside_is_refused_with_the_field(client, office_user, bearer):
    body = {
        "name": "冬季走访",
        "season": "winter",
        "year": 2031,
        "starts_on": "2031-12-01",
        "ends_on": "2032-02-28",
        "bonus_days": [{"day": "2031-03-05"}],
    }

    response = client.post(f"{API}/campaigns", json=body, headers=bearer(office_user))

    assert "bonus_days" in refused(response, 422, "validation_failed")["errors"]


# Activities and shifts


def test_leader_plans_an_activity_with_a_shift_and_a_series_submitted_twice(client, bearer):
    team = make_team()
    campaign = make_campaign()
    leader = bearer(team.founder)
    today = services.local_day(utcnow())

    activity = client.post(
        f"{API}/teams/{team.id}/activities",
        json={
            "campaign_id": campaign.id,
            "title": "海滨环境清洁",
            "category": "cleaning",
            "address": "海港区人民广场",
            "description": "带手套",
        },
        headers=leader,
    )
    assert activity.status_code == 201, activity.text
    assert activity.json["status"] == "draft"
    activity_id = activity.json["id"]
    assert client.get(f"{API}/activities/{activity_id}").status_code == 404

    starts_at = services.local_moment(today + timedelta(days=2), time(9))
    shift = client.post(
        f"{API}/activities/{activity_id}/shifts",
        json={"starts_at": iso(starts_at), "ends_at": iso(starts_at + timedelta(hours=3))},
        headers=leader,
    )
    assert "capacity" in refused(shift, 422, "validation_failed")["errors"]
    shift = client.post(
        f"{API}/activities/{activity_id}/shifts",
        json={
            "starts_at": iso(starts_at),
            "ends_at": iso(starts_at + timedelta(hours=3)),
            "capacity": 4,
        },
        headers=leader,
    )
    assert shift.status_code == 201, shift.text
    assert (shift.json["capacity"], shift.json["seats_left"]) == (4, 4)

    series = {
        "first_day": (today + timedelta(days=3)).isoformat(),
        "last_day": (today + timedelta(days=16)).isoformat(),
        "weekdays": [5, 6],
        "start_time": "09:00",
        "end_time": "12:00",
        "capacity": 3,
    }
    made = client.post(f"{API}/activities/{activity_id}/shift-series", json=series, headers=leader)
    again = client.post(f"{API}/activities/{activity_id}/shift-series", json=series, headers=leader)

    assert made.status_code == 201, made.text
    assert made.json["created"] == 4  # two weekends in any 14 days
    assert again.status_code == 200, again.text
    assert again.json == {"series_id": made.json["series_id"], "created": 0}
    count = db.session.scalar(
        select(func.count()).select_from(Shift).where(Shift.activity_id == activity_id)
    )
    assert count == 5

    published = client.post(f"{API}/activities/{activity_id}/publish", headers=leader)
    assert published.status_code == 200, published.text
    assert published.json["status"] == "published"

    detail = client.get(f"{API}/activities/{activity_id}")
    assert detail.status_code == 200
    assert len(detail.json["shifts"]) == 5
    browsed = client.get(f"{API}/shifts", query_string={"category": "cleaning"}).json
    assert len(browsed) == 5
    assert browsed[0]["id"] == shift.json["id"]
    assert browsed[0]["seats_left"] == 4
    assert browsed[0]["activity"]["team"]["name"] == team.name
    assert "phone" not in str(browsed)


def test_leader_changes_and_cancels_the_rest_of_a_series(client, bearer, volunteer):
    activity = make_activity()
    leader = bearer(activity.team.founder)
    today = services.local_day(utcnow())
    series = {
        "first_day": (today + timedelta(days=1)).isoformat(),
        "last_day": (today + timedelta(days=4)).isoformat(),
        "weekdays": list(range(7)),
        "start_time": "08:00",
        "end_time": "10:00",
        "capacity": 2,
    }
    client.post(f"{API}/activities/{activity.id}/shift-series", json=series, headers=leader)
    client.post(f"{API}/activities/{activity.id}/publish", headers=leader)
    shift_ids = [s["id"] for s in client.get(f"{API}/activities/{activity.id}").json["shifts"]]
    assert sign_up(client, bearer(volunteer), shift_ids[1]).status_code == 201

    changed = client.patch(
        f"{API}/shifts/{shift_ids[0]}",
        json={"capacity": 6, "end_time": "11:00", "rest_of_series": True},
        headers=leader,
    )

    assert changed.status_code == 200, changed.text
    assert [s["capacity"] for s in changed.json] == [6, 6, 6, 6]
    local_end = datetime.fromisoformat(changed.json[0]["ends_at"]).astimezone(CITY)
    assert local_end.time() == time(11)
    assert db.session.scalar(select(func.count()).select_from(ActivityNotice)) == 1

    cancelled = client.post(
        f"{API}/shifts/{shift_ids[1]}/cancellation",
        json={"reason": "天气原因", "rest_of_series": True},
        headers=leader,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert [s["status"] for s in cancelled.json] == ["cancelled"] * 3
    assert client.get(f"{API}/me/shifts", headers=bearer(volunteer)).json == []


def test_naive_datetime_or_an_offset_on_a_local_time_is_refused(client, bearer):
    activity = make_activity()
    leader = bearer(activity.team.founder)
    naive = (datetime.now() + timedelta(days=1)).replace(microsecond=0)

    shift = client.post(
        f"{API}/activities/{activity.id}/shifts",
        json={
            "starts_at": naive.isoformat(),
            "ends_at": (naive + timedelta(hours=2)).isoformat(),
            "capacity": 3,
        },
        headers=leader,
    )
    today = services.local_day(utcnow())
    series = client.post(
        f"{API}/activities/{activity.id}/shift-series",
        json={
            "first_day": today.isoformat(),
            "last_day": (today + timedelta(days=7)).isoformat(),
            "weekdays": [0],
            "start_time": "09:00+08:00",
            "end_time": "10:00",
            "capacity": 3,
        },
        headers=leader,
    )

    errors = refused(shift, 422, "validation_failed")["errors"]
    assert {"starts_at", "ends_at"} <= set(errors)
    assert "start_time" in refused(series, 422, "validation_failed")["errors"]
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 0


def test_a_leader_of_another_team_may_not_touch_the_activity(client, bearer):
    shift = make_shift()
    activity = shift.activity
    other = bearer(make_team().founder)
    starts_at = utcnow() + timedelta(days=2)
    place = {"title": "改名", "category": "cleaning", "address": "别处"}

    attempts = [
        client.put(f"{API}/activities/{activity.id}", json=place, headers=other),
        client.post(
            f"{API}/activities/{activity.id}/shifts",
            json={
                "starts_at": iso(starts_at),
                "ends_at": iso(starts_at + timedelta(hours=1)),
                "capacity": 2,
            },
            headers=other,
        ),
        client.post(
            f"{API}/activities/{activity.id}/cancellation", json={"reason": "x"}, headers=other
        ),
        client.get(f"{API}/shifts/{shift.id}/check-in-code", headers=other),
        client.get(f"{API}/shifts/{shift.id}/attendance", headers=other),
        client.post(
            f"{API}/teams/{activity.team_id}/activities",
            json={**place, "campaign_id": activity.campaign_id},
            headers=other,
        ),
    ]

    for response in attempts:
        refused(response, 403, "forbidden")
    db.session.expire_all()
    assert activity.title == "海滨环境清洁"


# Sign-ups and the waiting list


def test_sign_ups_fill_the_shift_then_the_waiting_list_moves_up(client, bearer):
    shift = make_shift(capacity=2)
    first, second, third, fourth = (bearer(v) for v in make_volunteers(4))

    assert sign_up(client, first, shift.id).json["status"] == "confirmed"
    taken = sign_up(client, second, shift.id)
    assert taken.status_code == 201
    assert taken.json["waiting_position"] is None

    refused(sign_up(client, third, shift.id), 409, "shift_full")
    waiting = sign_up(client, third, shift.id, join_waiting_list=True)
    behind = sign_up(client, fourth, shift.id, join_waiting_list=True)

    assert waiting.status_code == 201
    assert (waiting.json["status"], waiting.json["waiting_position"]) == ("waiting", 1)
    assert behind.json["waiting_position"] == 2

    cancelled = client.delete(f"{API}/shifts/{shift.id}/sign-up", headers=first)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json["status"] == "cancelled"
    mine = client.get(f"{API}/me/shifts", headers=third).json
    assert [(s["shift"]["id"], s["status"]) for s in mine] == [(shift.id, "confirmed")]
    assert client.get(f"{API}/me/shifts", headers=fourth).json[0]["status"] == "waiting"
    assert client.get(f"{API}/shifts").json[0]["seats_left"] == 0


def test_an_overlapping_shift_is_refused(client, bearer, volunteer):
    held = make_shift(starts_in_hours=24, hours=4)
    clashing = make_shift(starts_in_hours=26, hours=4)
    headers = bearer(volunteer)

    assert sign_up(client, headers, held.id).status_code == 201
    body = refused(sign_up(client, headers, clashing.id), 409, "overlapping_shift")

    assert "海滨环境清洁" in body["message"]


def test_sign_up_to_a_cancelled_activity_is_refused(client, bearer, volunteer):
    shift = make_shift()
    leader = bearer(shift.activity.team.founder)

    cancelled = client.post(
        f"{API}/activities/{shift.activity_id}/cancellation",
        json={"reason": "台风预警"},
        headers=leader,
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json["status"] == "cancelled"
    refused(sign_up(client, bearer(volunteer), shift.id), 409, "cancelled")
    refused(
        client.post(f"{API}/activities/{shift.activity_id}/cancellation", json={}, headers=leader),
        422,
        "validation_failed",
    )


def test_a_signed_up_volunteer_gets_the_shift_as_a_calendar_file(client, bearer, volunteer):
    shift = make_shift()
    headers = bearer(volunteer)
    refused(client.get(f"{API}/shifts/{shift.id}/calendar.ics", headers=headers), 404)
    sign_up(client, headers, shift.id)

    response = client.get(f"{API}/shifts/{shift.id}/calendar.ics", headers=headers)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"BEGIN:VCALENDAR" in response.data


# Check-in


def test_check_in_with_a_fresh_code_then_again_returns_the_same_check_in(client, bearer, volunteer):
    shift = make_shift(starts_in_hours=0.25)
    headers = bearer(volunteer)
    sign_up(client, headers, shift.id)

    code = client.get(
        f"{API}/shifts/{shift.id}/check-in-code", headers=bearer(shift.activity.team.founder)
    )
    assert code.status_code == 200
    assert 0 < code.json["expires_in"] <= 60
    if "url" in code.json:  # the HTML check-in page, where the events pages are registered
        assert code.json["url"].startswith("http")
        assert code.json["token"] in code.json["url"]
    first = client.post(f"{API}/check-ins", json={"token": code.json["token"]}, headers=headers)
    again = client.post(f"{API}/check-ins", json={"token": code.json["token"]}, headers=headers)

    assert first.status_code == 201, first.text
    assert (first.json["method"], first.json["is_walk_in"]) == ("qr", False)
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    refused(client.get(f"{API}/shifts/{shift.id}/check-in-code", headers=headers), 403)


def test_a_forged_or_expired_code_is_refused(client, bearer, volunteer):
    shift = make_shift(starts_in_hours=0.25)
    headers = bearer(volunteer)
    sign_up(client, headers, shift.id)
    token = code_for(client, bearer(shift.activity.team.founder), shift.id)
    window = int(utcnow().timestamp()) // 60
    forged = URLSafeSerializer("not-our-key", salt="shift-check-in").dumps(
        {"s": shift.id, "w": window}
    )

    for bad in (forged, token[:-2] + "xx", "nonsense"):
        response = client.post(f"{API}/check-ins", json={"token": bad}, headers=headers)
        refused(response, 422, "check_in_code_invalid")
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        late = client.post(f"{API}/check-ins", json={"token": token}, headers=headers)

    refused(late, 422, "check_in_code_invalid")
    assert client.get(f"{API}/me/service-history", headers=headers).json == []


def test_check_in_outside_the_window_is_refused(client, bearer, volunteer):
    shift = make_shift(starts_in_hours=24)
    headers = bearer(volunteer)
    sign_up(client, headers, shift.id)
    token = code_for(client, bearer(shift.activity.team.founder), shift.id)

    response = client.post(f"{API}/check-ins", json={"token": token}, headers=headers)

    assert "time" in refused(response, 422, "validation_failed")["errors"]


def test_check_in_far_from_the_place_is_refused_and_near_it_accepted(client, bearer, volunteer):
    place = services.Place("秦皇岛老龙头景区", 39.9690, 119.7960, 100)
    shift = make_shift(make_activity(place=place), starts_in_hours=0.25)
    headers = bearer(volunteer)
    sign_up(client, headers, shift.id)
    token = code_for(client, bearer(shift.activity.team.founder), shift.id)

    def check_in(**where):
        return client.post(f"{API}/check-ins", json={"token": token, **where}, headers=headers)

    # The location consent comes first, given through the API.
    refused(check_in(latitude=39.9692, longitude=119.7961), 403, "location_consent_required")
    consented = client.post(f"{API}/me/consents/location", headers=headers)
    assert consented.status_code == 200, consented.text
    missing = refused(check_in(), 422, "validation_failed")
    far = refused(check_in(latitude=39.9780, longitude=119.7960), 422, "validation_failed")
    near = check_in(latitude=39.9692, longitude=119.7961)

    assert "location" in missing["errors"]
    message = far["errors"]["location"][0]
    assert "1001" in message and "100" in message
    assert near.status_code == 201, near.text
    assert near.json["checked_in_at"] is not None
    # What is kept of the position: inside the area, 24 m from the place; no coordinates.
    assert (near.json["inside_fence"], near.json["distance_m"]) == (True, 24)
    assert "latitude" not in near.json


# Attendance


def test_confirmed_attendance_is_clamped_to_the_shift_and_earns_points_by_the_rule(client, bearer):
    start_of_test = datetime(2030, 3, 4, 10, 0, tzinfo=CITY)
    with time_machine.travel(start_of_test, tick=False) as traveller:
        bonus = services.BonusDaySpec(date(2030, 3, 5), 2, "学雷锋纪念日")
        campaign = make_campaign(
            starts_on=date(2030, 3, 1),
            ends_on=date(2030, 4, 30),
            points_per_hour=10,
            cap=30,
            bonus_days=[bonus],
        )
        activity = make_activity(campaign=campaign)
        leader_user = activity.team.founder
        lei_feng_day = make_shift_at(
            activity,
            datetime(2030, 3, 5, 9, 0, tzinfo=CITY),
            datetime(2030, 3, 5, 13, 0, tzinfo=CITY),
        )
        ordinary_day = make_shift_at(
            activity,
            datetime(2030, 3, 6, 9, 0, tzinfo=CITY),
            datetime(2030, 3, 6, 12, 0, tzinfo=CITY),
        )
        volunteer = make_user(display_name="小王")
        headers = bearer(volunteer)
        for shift in (lei_feng_day, ordinary_day):
            assert sign_up(client, headers, shift.id).status_code == 201

        def serve(shift, arrive: datetime, leave: datetime) -> dict:
            traveller.move_to(arrive)  # tokens last a day: ask for fresh ones
            token = code_for(client, bearer(leader_user), shift.id)
            checked_in = client.post(
                f"{API}/check-ins", json={"token": token}, headers=bearer(volunteer)
            )
            assert checked_in.status_code == 201, checked_in.text
            traveller.move_to(leave)
            out = client.post(f"{API}/shifts/{shift.id}/check-out", headers=bearer(volunteer))
            assert out.status_code == 200, out.text
            return out.json

        # On the bonus day: early in, late out; 240 minutes, 40 points capped at 30, doubled.
        serve(
            lei_feng_day,
            datetime(2030, 3, 5, 8, 40, tzinfo=CITY),
            datetime(2030, 3, 5, 13, 20, tzinfo=CITY),
        )
        leader = bearer(leader_user)
        sheet = client.get(f"{API}/shifts/{lei_feng_day.id}/attendance", headers=leader).json
        assert [(ln["display_name"], ln["phone"], ln["state"]) for ln in sheet] == [
            ("小王", volunteer.phone, "checked_out")
        ]
        confirmed = client.post(
            f"{API}/shifts/{lei_feng_day.id}/attendance-confirmation", json={}, headers=leader
        )
        assert confirmed.status_code == 200, confirmed.text
        assert [(c["served_minutes"], c["points_due"]) for c in confirmed.json] == [(240, 60)]
        repeated = client.post(
            f"{API}/shifts/{lei_feng_day.id}/attendance-confirmation", json={}, headers=leader
        )
        assert repeated.json == []

        # An ordinary day: 09:00 (clamped) to 11:10 is 130 minutes, two full hours, 20 points.
        serve(
            ordinary_day,
            datetime(2030, 3, 6, 8, 45, tzinfo=CITY),
            datetime(2030, 3, 6, 11, 10, tzinfo=CITY),
        )
        leader = bearer(leader_user)
        early = client.post(
            f"{API}/shifts/{ordinary_day.id}/attendance-confirmation", json={}, headers=leader
        )
        refused(early, 409, "conflict")
        traveller.move_to(datetime(2030, 3, 6, 12, 1, tzinfo=CITY))
        leader = bearer(leader_user)
        confirmed = client.post(
            f"{API}/shifts/{ordinary_day.id}/attendance-confirmation", json={}, headers=leader
        )
        assert [(c["served_minutes"], c["points_due"]) for c in confirmed.json] == [(130, 20)]

        headers = bearer(volunteer)
        totals = client.get(f"{API}/me/service-totals", headers=headers).json
        history = client.get(f"{API}/me/service-history", headers=headers).json

    assert [(t["year"], t["shifts"], t["minutes"]) for t in totals] == [(2030, 2, 370)]
    assert [h["shift"]["id"] for h in history] == [ordinary_day.id, lei_feng_day.id]


def test_leader_records_a_walk_in_by_phone_and_corrects_the_times(client, bearer, volunteer):
    shift = make_shift(starts_in_hours=-1, hours=3)
    leader = bearer(shift.activity.team.founder)

    recorded = client.post(
        f"{API}/shifts/{shift.id}/check-ins", json={"phone": volunteer.phone}, headers=leader
    )
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json["method"], recorded.json["is_walk_in"]) == ("leader", True)
    check_in_id = recorded.json["id"]
    out = client.post(f"{API}/check-ins/{check_in_id}/check-out", headers=leader)
    assert out.json["checked_out_at"] is not None

    naive = client.patch(
        f"{API}/check-ins/{check_in_id}",
        json={
            "checked_in_at": shift.starts_at.replace(tzinfo=None).isoformat(),
            "checked_out_at": iso(shift.ends_at),
            "reason": "补录",
        },
        headers=leader,
    )
    refused(naive, 422, "validation_failed")
    corrected = client.patch(
        f"{API}/check-ins/{check_in_id}",
        json={
            "checked_in_at": iso(shift.starts_at),
            "checked_out_at": iso(shift.starts_at + timedelta(minutes=50)),
            "reason": "队长核实",
        },
        headers=leader,
    )
    assert corrected.status_code == 200, corrected.text

    history = client.get(f"{API}/check-ins/{check_in_id}/history", headers=bearer(volunteer))
    assert history.status_code == 200
    assert {h["field"] for h in history.json} == {"checked_in_at", "checked_out_at"}
    assert "队长核实" in {h["reason"] for h in history.json}
    assert all(set(h["actor"]) == {"id", "display_name"} for h in history.json)
    stranger = bearer(make_user(display_name="路人"))
    refused(client.get(f"{API}/check-ins/{check_in_id}/history", headers=stranger), 403)


def test_a_volunteer_asks_for_a_correction_and_the_leader_accepts(client, bearer):
    shift = make_shift(starts_in_hours=3, hours=2, capacity=3)
    forgetful, absent = make_volunteers(2)
    headers = bearer(forgetful)
    sign_up(client, headers, shift.id)
    absent_sign_up = sign_up(client, bearer(absent), shift.id).json["id"]

    with time_machine.travel(utcnow() + timedelta(hours=6)):
        body = {
            "checked_in_at": iso(shift.starts_at),
            "checked_out_at": iso(shift.ends_at),
            "message": "忘记扫码签到",
        }
        leader = bearer(shift.activity.team.founder)
        asked = client.post(
            f"{API}/shifts/{shift.id}/correction-requests", json=body, headers=headers
        )
        twice = client.post(
            f"{API}/shifts/{shift.id}/correction-requests", json=body, headers=headers
        )
        waiting = client.get(f"{API}/shifts/{shift.id}/correction-requests", headers=leader)
        decided = client.post(
            f"{API}/correction-requests/{asked.json['id']}/decision",
            json={"accept": True},
            headers=leader,
        )
        no_show = client.post(f"{API}/sign-ups/{absent_sign_up}/no-show", headers=leader)
        history = client.get(f"{API}/me/service-history", headers=headers)

    assert asked.status_code == 201, asked.text
    refused(twice, 409, "conflict")
    assert [r["user"]["display_name"] for r in waiting.json] == ["志愿者1"]
    assert "phone" not in waiting.json[0]["user"]
    assert decided.status_code == 200, decided.text
    assert decided.json["status"] == "accepted"
    assert no_show.json["status"] == "no_show"
    assert [(h["status"], h["served_minutes"]) for h in history.json] == [("confirmed", 120)]


# Teams


def test_a_team_is_founded_approved_and_joined_through_the_api(client, bearer, office_user):
    ensure_districts()
    district = db.session.scalar(select(District).where(District.code == "haigang"))
    founder, joiner = make_volunteers(2)
    founder_h, joiner_h, office_h = bearer(founder), bearer(joiner), bearer(office_user)

    applied = client.post(
        f"{API}/teams",
        json={"name": "海港区红马甲", "district_id": district.id, "categories": ["cleaning"]},
        headers=founder_h,
    )
    assert applied.status_code == 201, applied.text
    team_id = applied.json["id"]
    refused(client.get(f"{API}/office/team-applications", headers=joiner_h), 403, "forbidden")
    queue = client.get(f"{API}/office/team-applications", headers=office_h).json
    assert [(t["id"], t["founder"]["phone"]) for t in queue] == [(team_id, founder.phone)]
    decided = client.post(
        f"{API}/office/team-applications/{team_id}/decision",
        json={"approve": True},
        headers=office_h,
    )
    assert decided.json["status"] == "approved"
    found = client.get(f"{API}/teams", query_string={"q": "红马甲", "category": "cleaning"})
    assert [t["id"] for t in found.json] == [team_id]

    joined = client.post(f"{API}/teams/{team_id}/join", headers=joiner_h)
    assert joined.status_code == 201
    requests = client.get(f"{API}/teams/{team_id}/join-requests", headers=founder_h).json
    assert [r["user"]["phone"] for r in requests] == [joiner.phone]
    refused(client.get(f"{API}/teams/{team_id}/members", headers=joiner_h), 403)
    client.post(
        f"{API}/memberships/{joined.json['id']}/decision",
        json={"approve": True},
        headers=founder_h,
    )

    members = client.get(f"{API}/teams/{team_id}/members", headers=founder_h).json
    assert [(m["user"]["phone"], m["role"]) for m in members] == [
        (founder.phone, "leader"),
        (joiner.phone, "member"),
    ]
    mine = client.get(f"{API}/me/teams", headers=joiner_h).json
    assert [(m["team"]["id"], m["status"]) for m in mine] == [(team_id, "active")]
    history = client.get(f"{API}/memberships/{joined.json['id']}/history", headers=joiner_h).json
    assert [h["action"] for h in history] == ["requested", "approved"]
    assert "phone" not in str(history)
    refused(client.post(f"{API}/teams/{team_id}/leave", headers=founder_h), 409, "conflict")
    assert client.post(f"{API}/teams/{team_id}/leave", headers=joiner_h).json["status"] == "left"


# The API as a whole


def test_unknown_rows_and_missing_tokens_get_the_one_error_shape(client, bearer, volunteer):
    headers = bearer(volunteer)

    refused(client.get(f"{API}/activities/999999"), 404, "not_found")
    refused(sign_up(client, headers, 999999), 404, "not_found")
    refused(client.post(f"{API}/check-ins", json={}, headers=headers), 422, "validation_failed")
    refused(client.get(f"{API}/me/shifts"), 401, "not_authenticated")
    refused(
        client.post(f"{API}/shifts/1/sign-up", json={"bogus": 1}, headers=headers),
        422,
        "validation_failed",
    )


def test_the_openapi_document_builds(client):
    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    assert f"{API}/shifts/{{shift_id}}/sign-up" in response.json["paths"]


def test_office_sees_the_office_only_list_and_no_one_else(client, bearer, merchant_staff):
    refused(client.get(f"{API}/office/team-applications"), 401)
    refused(client.get(f"{API}/office/team-applications", headers=bearer(merchant_staff)), 403)
