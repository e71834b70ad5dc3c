"""The pipeline report of a round on a fixed set of nominations: counts by channel and by
district at each stage, the working days each level took (from the kept steps), the overdue
ones, the quotas used; the city reads all of it, a district clerk their district's part; the
page, the API and the CSV and Excel downloads say the same."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine

from core.auth.assignments import AssignmentKind
from core.errors import NotFound
from core.extensions import db
from core.workdays import WorkCalendar
from honours.nomination_models import Channel, ReviewStep, Stage, StepAction
from honours.services.pipeline_report import pipeline_report, stays
from tests.builders import make_user
from tests.conftest import sign_in
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Weekends only: the fixed set's days fall in May 2026, clear of the holidays.
CALENDAR = WorkCalendar()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(day: int, month: int = 5) -> datetime:
    """10:00 in Qinhuangdao on that day of 2026."""
    return datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)


def walk(nomination, office, *moves):
    """Write the nomination's steps: each move (action, from, to, day)."""
    for action, from_stage, to_stage, day in moves:
        db.session.add(
            ReviewStep(
                nomination_id=nomination.id,
                action=action,
                from_stage=from_stage,
                to_stage=to_stage,
                actor_id=office.id,
                acted_at=at(day),
            )
        )
    db.session.flush()
    db.session.refresh(nomination)
    return nomination


S, F, R = StepAction.submitted, StepAction.forwarded, StepAction.rejected


@pytest.fixture
def pipeline(app):
    """NOW is Monday 1 June 2026. Haigang: A (at consent), B (a lead, at the street since
    Wednesday 20 May: overdue), E (at the district since Friday 29 May), F (approved);
    Shanhaiguan: C (a media case at notice), D (rejected by the district)."""
    places = make_places()
    office = make_office()
    round_ = open_round(office)
    wenhuali, hongqilu, nanguan = places["wenhuali"], places["hongqilu"], places["nanguan"]

    def nominate(place, stage, channel=Channel.territorial, *, created, entered, name):
        return make_nomination(
            round_,
            place,
            stage=stage,
            channel=channel,
            by=office,
            name=name,
            at=at(created),
            stage_entered_at=at(entered),
        )

    a = nominate(wenhuali, Stage.consent, created=4, entered=15, name="甲")
    walk(
        a,
        office,
        (S, Stage.draft, Stage.street, 4),
        (F, Stage.street, Stage.district, 6),
        (F, Stage.district, Stage.city, 13),
        (F, Stage.city, Stage.consent, 15),
    )
    b = nominate(hongqilu, Stage.street, Channel.public, created=13, entered=20, name="乙")
    walk(b, office, (F, Stage.community, Stage.street, 20))
    c = nominate(nanguan, Stage.notice, Channel.media, created=11, entered=27, name="丙")
    walk(
        c,
        office,
        (S, Stage.draft, Stage.city, 11),
        (F, Stage.city, Stage.consent, 20),
        (StepAction.consent_given, Stage.consent, Stage.panel, 22),
        (StepAction.panel_closed, Stage.panel, Stage.panel, 26),
        (StepAction.notice_opened, Stage.panel, Stage.notice, 27),
    )
    d = nominate(nanguan, Stage.rejected, created=4, entered=12, name="丁")
    walk(
        d,
        office,
        (S, Stage.draft, Stage.street, 4),
        (F, Stage.street, Stage.district, 5),
        (R, Stage.district, Stage.rejected, 12),
    )
    e = nominate(wenhuali, Stage.district, created=27, entered=29, name="戊")
    walk(e, office, (S, Stage.draft, Stage.street, 27), (F, Stage.street, Stage.district, 29))
    f = nominate(wenhuali, Stage.approved, created=4, entered=29, name="己")
    walk(f, office, (F, Stage.district, Stage.city, 8))
    return {"round": round_, "office": office, "places": places, "b": b, "c": c}


def report(user, round_):
    return pipeline_report(user, round_.id, now=NOW, calendar=CALENDAR, zone=SHANGHAI)


def counts(lines, key) -> dict:
    line = next(line for line in lines if line.key == key)
    return {stage: n for stage, n in line.counts.items() if n}


def test_the_city_reads_the_whole_pipeline(pipeline):
    places = pipeline["places"]
    found = report(pipeline["office"], pipeline["round"])
    haigang, shanhaiguan = places["haigang"].district, places["shanhaiguan"].district

    assert found.is_whole and found.total == 6
    assert counts(found.by_channel, Channel.territorial) == {
        Stage.consent: 1,
        Stage.rejected: 1,
        Stage.district: 1,
        Stage.approved: 1,
    }
    assert counts(found.by_channel, Channel.media) == {Stage.notice: 1}
    assert counts(found.by_channel, Channel.public) == {Stage.street: 1}
    assert [line.key for line in found.by_district] == [haigang, shanhaiguan]
    assert counts(found.by_district, haigang) == {
        Stage.consent: 1,
        Stage.street: 1,
        Stage.district: 1,
        Stage.approved: 1,
    }
    assert counts(found.by_district, shanhaiguan) == {Stage.notice: 1, Stage.rejected: 1}
    assert found.stage_total(Stage.street) == 1
    assert {lv.stage: (lv.stays, lv.median_days, lv.max_days) for lv in found.levels} == {
        Stage.community: (1, 5.0, 5),
        Stage.street: (3, 2.0, 2),
        Stage.district: (3, 5.0, 5),
        Stage.city: (2, 4.5, 7),
    }
    (late,) = found.overdue
    assert late.nomination.id == pipeline["b"].id
    assert late.due_at == datetime(2026, 5, 28, 0, 0, tzinfo=SHANGHAI)
    assert late.days_late == 3
    quotas = {line.district: (line.quota, line.used, line.left) for line in found.quotas}
    # A and F were forwarded by Haigang; the media case C entered at the city, on no quota.
    assert quotas[haigang] == (2, 2, 0)
    assert quotas[shanhaiguan] == (2, 0, 2)
    assert len(quotas) == len(pipeline["round"].quotas)


def test_a_district_clerk_reads_their_districts_part_only(pipeline):
    places = pipeline["places"]
    clerk = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"], name="区文明办")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道干事")

    found = report(clerk, pipeline["round"])
    by_street = report(street, pipeline["round"])

    assert not found.is_whole and found.total == 2
    assert [line.key for line in found.by_district] == [places["shanhaiguan"].district]
    assert [line.district for line in found.quotas] == [places["shanhaiguan"].district]
    assert found.overdue == []
    assert {lv.stage: lv.stays for lv in found.levels}[Stage.city] == 1
    # A street clerk: the nominations of their street, and no district's quota.
    assert by_street.total == 4 and by_street.quotas == []


def test_no_one_else_reads_it(pipeline):
    with pytest.raises(NotFound):
        report(make_user(), pipeline["round"])
    with pytest.raises(NotFound):
        pipeline_report(pipeline["office"], 999999, now=NOW, calendar=CALENDAR, zone=SHANGHAI)


def test_a_stay_ends_when_a_step_moves_the_nomination_and_not_at_a_tally(pipeline):
    found = [(stage, start, end) for stage, start, end in stays(pipeline["c"])]

    assert found == [
        (Stage.draft, at(11), at(11)),
        (Stage.city, at(11), at(20)),
        (Stage.consent, at(20), at(22)),
        (Stage.panel, at(22), at(27)),
    ]


# Pages, downloads and the API ------------------------------------------------------------------


def test_the_page_the_downloads_and_the_api_show_the_figures(app, pipeline, bearer):
    office, round_ = pipeline["office"], pipeline["round"]
    db.session.commit()
    base = f"/honours/rounds/{round_.id}/pipeline"

    # The requests read the clock: set to NOW, the overdue figures are the fixed set's.
    with time_machine.travel(NOW, tick=False):
        client = sign_in(app.test_client(), office)
        page = client.get(base)
        districts_csv = client.get(f"{base}.csv")
        channels_csv = client.get(f"{base}.csv?part=channels")
        overdue_csv = client.get(f"{base}.csv?part=overdue")
        book = client.get(f"{base}.xlsx")
        unknown = client.get(f"{base}.csv?part=people")
        answer = app.test_client().get(
            f"/api/v1/honours/rounds/{round_.id}/pipeline", headers=bearer(office)
        )

    assert page.status_code == 200 and 'data-testid="districts-total">6<' in page.text
    assert "乙" in page.text  # the overdue lead
    assert districts_csv.mimetype == "text/csv" and districts_csv.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(districts_csv.data.decode("utf-8-sig"))))
    assert rows[1][1] == round_.name
    header, *lines = rows[rows.index([]) + 1 :]
    assert len(header) == len(Stage) + 2
    assert [line[0] for line in lines[:-1]] == ["海港区", "山海关区"]
    assert [line[-1] for line in lines] == ["4", "2", "6"]
    channel_rows = list(csv.reader(io.StringIO(channels_csv.data.decode("utf-8-sig"))))
    assert any(row and row[-1] == "4" for row in channel_rows)  # territorial
    overdue_rows = list(csv.reader(io.StringIO(overdue_csv.data.decode("utf-8-sig"))))
    assert any(row[1:2] == ["乙"] and row[-1] == "3" for row in overdue_rows)
    assert book.mimetype == XLSX
    sheets = openpyxl.load_workbook(io.BytesIO(book.data), read_only=True).worksheets
    assert len(sheets) == 5
    values = [v for row in sheets[0].iter_rows(values_only=True) for v in row if v is not None]
    assert round_.name in values and 6 in values
    assert unknown.status_code == 404
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == 6 and answer.json["is_whole"]
    territorial = next(c for c in answer.json["by_channel"] if c["channel"] == "territorial")
    assert territorial["counts"]["consent"] == 1 and territorial["total"] == 4
    assert [o["nominee_name"] for o in answer.json["overdue"]] == ["乙"]
    assert {lv["stage"]: lv["median_days"] for lv in answer.json["levels"]}["city"] == 4.5


def test_a_district_clerk_downloads_their_part_and_others_are_refused(app, pipeline, bearer):
    places, round_ = pipeline["places"], pipeline["round"]
    clerk = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"], name="区文明办")
    stranger = make_user()
    db.session.commit()
    base = f"/honours/rounds/{round_.id}/pipeline"

    mine = sign_in(app.test_client(), clerk).get(f"{base}.csv?part=overdue")
    refused = sign_in(app.test_client(), stranger).get(base)
    api_refused = app.test_client().get(
        f"/api/v1/honours/rounds/{round_.id}/pipeline", headers=bearer(stranger)
    )

    text = mine.data.decode("utf-8-sig")
    assert mine.status_code == 200 and "乙" not in text and "甲" not in text
    assert refused.status_code == 404
    assert api_refused.status_code == 404
