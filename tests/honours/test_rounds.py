"""Rounds of nominations (评选批次): the city prepares, changes while a draft, opens and closes
a round and sets its quotas per district; clerks read them; anything else is refused with a
clear answer and changes nothing. A level's time limit counts working days across the Spring
Festival of 2026 and its make-up Saturdays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.districts import list_districts
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.workdays import ensure_holidays, load_calendar
from honours.models import Round, RoundKind, RoundQuota, RoundStatus
from honours.services import rounds
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import (
    NOW,
    honour_type,
    make_clerk,
    make_office,
    make_places,
    make_round,
)

API = "/api/v1/honours/rounds"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def places(app):
    return make_places()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def body(**values):
    return {
        "name": "2027年第一季度“秦皇岛好人”季评",
        "kind": "quarterly",
        "honour_type_id": honour_type("good_person_city").id,
        "opens_on": "2027-01-04",
        "closes_on": "2027-03-15",
        **values,
    }


# Services -------------------------------------------------------------------------------------


def test_the_office_and_city_staff_prepare_rounds_with_the_default_time_limits(places):
    made = make_round()
    staff = make_clerk(AssignmentKind.city_staff, name="市文明办干事")
    by_staff = make_round(staff, name="2027年1月“秦皇岛好人”月评", level_days=3, notice_days=5)

    assert made.status is RoundStatus.draft
    assert (made.kind, made.level_days, made.notice_days) == (RoundKind.monthly, 5, 7)
    assert (by_staff.level_days, by_staff.notice_days) == (3, 5)
    assert by_staff.created_by_id == staff.id and by_staff.created_at == NOW


def test_only_the_city_runs_rounds(places):
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    volunteer = make_user()

    with pytest.raises(Forbidden):
        make_round(district)
    with pytest.raises(NotFound):
        make_round(volunteer)
    draft = make_round()
    with pytest.raises(Forbidden):
        rounds.open_round(district, draft.id, now=NOW)
    with pytest.raises(Forbidden):
        rounds.set_quotas(district, draft.id, {places["haigang"].district_id: 3}, now=NOW)

    assert count(Round) == 1 and draft.status is RoundStatus.draft and not draft.quotas
    # Every clerk reads them; an account that is no clerk does not know of them.
    assert rounds.get_round(district, draft.id, now=NOW) is draft
    with pytest.raises(NotFound):
        rounds.list_rounds(volunteer, Window(), now=NOW)


@pytest.mark.parametrize(
    "values, field",
    [
        ({"name": "  "}, "name"),
        ({"name": "评" * 121}, "name"),
        ({"kind": "weekly"}, "kind"),
        ({"honour_type_id": 0}, "honour_type_id"),
        ({"opens_on": date(2026, 12, 21)}, "closes_on"),
        ({"level_days": 0}, "level_days"),
        ({"level_days": 31}, "level_days"),
        ({"notice_days": 0}, "notice_days"),
        ({"notice_days": 31}, "notice_days"),
    ],
)
def test_a_round_with_a_wrong_field_is_refused_naming_it(places, values, field):
    with pytest.raises(ValidationFailed) as refused:
        make_round(**values)

    assert field in refused.value.errors
    assert count(Round) == 0


def test_a_draft_is_changed_opened_and_closed_and_then_no_more(places):
    office = make_office()
    draft = make_round(office)
    later = NOW + timedelta(hours=1)

    rounds.update_round(office, draft.id, {**_values(draft), "notice_days": 10}, now=later)
    rounds.open_round(office, draft.id, now=later)

    assert draft.notice_days == 10
    assert (draft.status, draft.opened_at, draft.opened_by_id) == (
        RoundStatus.open,
        later,
        office.id,
    )
    with pytest.raises(Conflict):
        rounds.update_round(office, draft.id, {**_values(draft), "notice_days": 3}, now=later)
    with pytest.raises(Conflict):
        rounds.open_round(office, draft.id, now=later)
    with pytest.raises(Conflict):
        rounds.set_quotas(office, draft.id, {}, now=later)

    closed_at = later + timedelta(days=20)
    rounds.close_round(office, draft.id, now=closed_at)

    assert (draft.status, draft.closed_at, draft.closed_by_id) == (
        RoundStatus.closed,
        closed_at,
        office.id,
    )
    with pytest.raises(Conflict):
        rounds.close_round(office, draft.id, now=closed_at)
    assert draft.notice_days == 10


def test_a_draft_cannot_be_closed(places):
    office = make_office()
    draft = make_round(office)

    with pytest.raises(Conflict):
        rounds.close_round(office, draft.id, now=NOW)

    assert draft.status is RoundStatus.draft and draft.closed_at is None


def _values(round_: Round) -> dict:
    return {field: getattr(round_, field) for field in rounds.FIELDS}


def test_quotas_are_set_per_district_and_replaced(places):
    office = make_office()
    draft = make_round(office)
    haigang, shanhaiguan = places["haigang"].district_id, places["shanhaiguan"].district_id

    rounds.set_quotas(office, draft.id, {haigang: 3, shanhaiguan: 0}, now=NOW)
    assert {q.district_id: q.quota for q in draft.quotas} == {haigang: 3, shanhaiguan: 0}

    rounds.set_quotas(office, draft.id, {haigang: 2}, now=NOW)
    assert {q.district_id: q.quota for q in draft.quotas} == {haigang: 2}
    assert count(RoundQuota) == 1


@pytest.mark.parametrize("quota", [-1, 1001])
def test_a_quota_out_of_range_or_an_unknown_district_is_refused(places, quota):
    office = make_office()
    draft = make_round(office)
    haigang = places["haigang"].district_id
    rounds.set_quotas(office, draft.id, {haigang: 4}, now=NOW)

    with pytest.raises(ValidationFailed) as refused:
        rounds.set_quotas(office, draft.id, {haigang: quota}, now=NOW)
    assert f"quota-{haigang}" in refused.value.errors
    with pytest.raises(ValidationFailed) as unknown:
        rounds.set_quotas(office, draft.id, {haigang: 1, 99999: 1}, now=NOW)
    assert "quota-99999" in unknown.value.errors

    assert {q.district_id: q.quota for q in draft.quotas} == {haigang: 4}


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def test_a_levels_deadline_counts_working_days_across_the_spring_festival(places):
    ensure_holidays()
    calendar = load_calendar()
    draft = make_round()

    # Thursday 12 February 2026: Friday 13th, the make-up Saturday 14th, then 15–23 off, then
    # Tuesday 24th, Wednesday 25th and Thursday 26th make five.
    assert rounds.level_deadline(draft, _local(2026, 2, 12, 10, 0), calendar, SHANGHAI) == _local(
        2026, 2, 27, 0, 0
    )
    # Thursday 26 February: Friday 27th, the make-up Saturday 28th, then 2, 3 and 4 March.
    assert rounds.level_deadline(draft, _local(2026, 2, 26, 23, 30), calendar, SHANGHAI) == _local(
        2026, 3, 5, 0, 0
    )
    draft.level_days = 1
    # A Friday evening's single working day is the next Monday.
    assert rounds.level_deadline(draft, _local(2026, 3, 6, 18, 0), calendar, SHANGHAI) == _local(
        2026, 3, 10, 0, 0
    )


# API ------------------------------------------------------------------------------------------


def test_the_office_runs_a_round_through_the_api(client, bearer, places):
    office = make_office()
    headers = bearer(office)
    haigang = places["haigang"].district_id

    made = client.post(API, json=body(), headers=headers)
    round_id = made.json["id"]
    changed = client.put(f"{API}/{round_id}", json=body(level_days=4), headers=headers)
    quotas = client.put(
        f"{API}/{round_id}/quotas",
        json={"quotas": [{"district_id": haigang, "quota": 2}]},
        headers=headers,
    )
    opened = client.post(f"{API}/{round_id}/open", headers=headers)
    late = client.put(f"{API}/{round_id}", json=body(level_days=9), headers=headers)
    closed = client.post(f"{API}/{round_id}/close", headers=headers)
    listed = client.get(API, headers=headers)

    assert made.status_code == 201, made.json
    assert (made.json["status"], made.json["notice_days"]) == ("draft", 7)
    assert changed.status_code == 200 and changed.json["level_days"] == 4
    assert quotas.json["quotas"] == [
        {"district": {"id": haigang, "name": places["haigang"].district.label}, "quota": 2}
    ]
    assert opened.status_code == 200 and opened.json["opened_at"]
    assert late.status_code == 409
    assert closed.json["status"] == "closed"
    assert [r["id"] for r in listed.json] == [round_id]
    assert "X-Pagination" in listed.headers
    assert db.session.get(Round, round_id).level_days == 4


def test_the_api_refuses_others_and_bad_input_and_changes_nothing(client, bearer, places):
    draft = make_round()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    volunteer = make_user()
    office = bearer(make_office())
    haigang = places["haigang"].district_id

    read = client.get(f"{API}/{draft.id}", headers=bearer(district))
    refused = client.post(f"{API}/{draft.id}/open", headers=bearer(district))
    unknown = client.get(API, headers=bearer(volunteer))
    twice = client.put(
        f"{API}/{draft.id}/quotas",
        json={"quotas": [{"district_id": haigang, "quota": 1}] * 2},
        headers=office,
    )
    negative = client.put(
        f"{API}/{draft.id}/quotas",
        json={"quotas": [{"district_id": haigang, "quota": -1}]},
        headers=office,
    )
    # An entry without its district beside a valid one (found by the API fuzzing).
    no_district = client.put(
        f"{API}/{draft.id}/quotas",
        json={"quotas": [{"district_id": haigang, "quota": 1}, {"quota": 2}]},
        headers=office,
    )
    backwards = client.put(f"{API}/{draft.id}", json=body(opens_on="2027-03-16"), headers=office)
    missing = client.post(f"{API}/999999/open", headers=office)

    assert read.status_code == 200 and read.json["name"] == draft.name
    assert refused.status_code == 403
    assert unknown.status_code == 404
    assert twice.status_code == negative.status_code == backwards.status_code == 422
    assert no_district.status_code == 422
    assert "closes_on" in backwards.json["errors"]
    assert missing.status_code == 404
    db.session.expire_all()
    assert draft.status is RoundStatus.draft and not draft.quotas
    assert draft.kind is RoundKind.monthly


# Pages ----------------------------------------------------------------------------------------


def test_the_office_prepares_sets_quotas_and_opens_a_round_on_its_pages(app, places):
    office = make_office()
    db.session.commit()
    client = sign_in(app.test_client(), office)
    districts = list_districts()

    made = client.post("/honours/rounds/new", data=body())
    round_ = db.session.scalar(select(Round))
    page = client.get(f"/honours/rounds/{round_.id}")
    bad = client.post(
        f"/honours/rounds/{round_.id}/quotas", data={f"quota-{districts[0].id}": "-2"}
    )
    saved = client.post(
        f"/honours/rounds/{round_.id}/quotas",
        data={f"quota-{d.id}": str(n) for n, d in enumerate(districts)},
    )
    opened = client.post(f"/honours/rounds/{round_.id}/open")
    listed = client.get("/honours/rounds")

    assert made.status_code == 302
    assert "名额" in page.text and "开始推荐" in page.text
    assert bad.status_code == saved.status_code == opened.status_code == 302
    db.session.expire_all()
    assert {q.district_id: q.quota for q in round_.quotas} == {
        d.id: n for n, d in enumerate(districts)
    }
    assert round_.status is RoundStatus.open
    assert round_.name in listed.text and "进行中" in listed.text


def test_a_clerk_of_a_region_reads_rounds_but_prepares_none(app, places):
    draft = make_round()
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    db.session.commit()
    client = sign_in(app.test_client(), clerk)

    listed = client.get("/honours/rounds")
    page = client.get(f"/honours/rounds/{draft.id}")
    form = client.get("/honours/rounds/new")
    opened = client.post(f"/honours/rounds/{draft.id}/open")

    assert listed.status_code == page.status_code == 200
    assert "开始推荐" not in page.text
    assert form.status_code == 403
    assert opened.status_code == 302
    db.session.expire_all()
    assert draft.status is RoundStatus.draft
