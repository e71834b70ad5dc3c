"""Breach cases and clauses through the API and the pages: the whole flow by each role, 404 to
another district's clerk, the public's report refused without a verified phone, the partner's
report from its phone page, the office's figures and exports."""

from __future__ import annotations

import io

import pytest
import time_machine

from core.extensions import db
from honours.conduct_models import BreachCase, CaseStage
from honours.models import Honour
from honours.revocation_models import Revocation
from tests.conftest import sign_in
from tests.core.test_uploads import image_bytes
from tests.honours.builders import NOW
from tests.honours.conduct_builders import conduct_world


@pytest.fixture
def world(app):
    made = conduct_world()
    db.session.commit()
    return made


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def _report(client, headers, world, **values):
    body = {
        "person_id": world.person.id,
        "clause_ids": [world.clauses["p1"].clause_id],
        "description": "借好人名义为保健品站台收费。",
        "source_kind": "public",
        "reporter_name": "李明",
        **values,
    }
    return client.post("/api/v1/honours/cases", json=body, headers=headers)


def test_the_clauses_are_read_by_anyone_signed_in_and_versioned_by_the_office(
    client, bearer, world, at_now
):
    listed = client.get("/api/v1/honours/clauses", headers=bearer(world.reporter))
    assert listed.status_code == 200
    assert [c["position"] for c in listed.json if c["kind"] == "prohibition"] == [1, 2]
    clause_id = listed.json[0]["id"]
    body = {"title": "新表述", "text": "不得以荣誉称号名义从事营利活动。"}
    refused = client.post(
        f"/api/v1/honours/clauses/{clause_id}/versions", json=body, headers=bearer(world.district)
    )
    assert refused.status_code == 403
    made = client.post(
        f"/api/v1/honours/clauses/{clause_id}/versions", json=body, headers=bearer(world.office)
    )
    assert made.status_code == 201 and made.json["number"] == 2
    again = client.get("/api/v1/honours/clauses", headers=bearer(world.office)).json[0]
    assert [v["number"] for v in again["versions"]] == [1, 2]


def test_the_whole_flow_through_the_api(client, bearer, world, at_now):
    public, district, office = bearer(world.reporter), bearer(world.district), bearer(world.office)
    made = _report(client, public, world)
    assert made.status_code == 201, made.json
    case_id = made.json["id"]
    assert set(made.json) == {"id", "received_at"}
    assert client.get(f"/api/v1/honours/cases/{case_id}", headers=public).status_code == 404
    other = bearer(world.other_district)
    assert client.get(f"/api/v1/honours/cases/{case_id}", headers=other).status_code == 404
    assert (
        client.post(
            f"/api/v1/honours/cases/{case_id}/investigation", json={}, headers=other
        ).status_code
        == 404
    )

    def step(name, headers, body=None):
        return client.post(
            f"/api/v1/honours/cases/{case_id}/{name}", json=body or {}, headers=headers
        )

    assert step("findings", district, {"findings": "属实"}).status_code == 409
    assert step("investigation", district).json["stage"] == "investigating"
    assert step("findings", district, {"findings": "经查属实"}).json["stage"] == "city_review"
    honour_ids = [h.id for h in world.person.honours]
    conclusion = {"choice": "propose_revocation", "opinion": "拟撤销", "honour_ids": honour_ids}
    assert step("conclusion", district, conclusion).status_code == 403
    assert step("conclusion", office, conclusion).json["stage"] == "notifying"
    told = step("told", district, {"how": "当面送达告知书"})
    assert told.json["stage"] == "statement"
    decision = {"decision": "revoke", "opinion": "撤销称号"}
    early = step("decision", office, decision)
    assert early.status_code == 409 and early.json["code"] == "statement_period_running"
    assert step("statement", district, {"statement": "本人无异议"}).status_code == 200
    assert step("decision", district, decision).status_code == 403
    decided = step("decision", office, decision)
    assert decided.json["stage"] == "closed" and decided.json["outcome"] == "revoked"
    assert decided.json["revocation_id"] is not None
    assert step("review-request", district, {"reason": "请求复核"}).json["stage"] == "review"
    second = step("review-request", district, {"reason": "再次"})
    assert second.status_code == 409
    assert all(db.session.get(Honour, i).revoked_at is not None for i in honour_ids)
    final = step("review-decision", office, {"outcome": "overturned", "opinion": "证据不足"})
    assert final.json["review_outcome"] == "overturned"
    # Overturned: the honours are given back, the revocation stays written beside its reversal.
    db.session.expire_all()
    assert all(db.session.get(Honour, i).revoked_at is None for i in honour_ids)
    revocation = db.session.get(Revocation, decided.json["revocation_id"])
    assert revocation.reinstatement.reason == "证据不足"
    read = client.get(f"/api/v1/honours/cases/{case_id}", headers=district).json
    assert read["reporter_phone"] == world.reporter.phone
    assert len(read["steps"]) == 10


def test_a_public_report_without_a_verified_phone_is_refused(client, bearer, world, at_now):
    world.reporter.phone_verified_at = None
    db.session.commit()
    refused = _report(client, bearer(world.reporter), world)
    assert refused.status_code == 403 and refused.json["code"] == "phone_not_verified"
    assert db.session.query(BreachCase).count() == 0


def test_bad_input_is_a_422_and_changes_nothing(client, bearer, world, at_now):
    refused = _report(client, bearer(world.reporter), world, clause_ids=[9999], description="")
    assert refused.status_code == 422
    assert {"clause_ids", "description"} <= set(refused.json["errors"])
    assert db.session.query(BreachCase).count() == 0


def test_the_list_by_stage_for_the_district_and_the_office(client, bearer, world, at_now):
    case_id = _report(client, bearer(world.reporter), world).json["id"]
    mine = client.get("/api/v1/honours/cases?stage=assigned", headers=bearer(world.district))
    assert [row["id"] for row in mine.json] == [case_id]
    assert client.get("/api/v1/honours/cases", headers=bearer(world.other_district)).json == []
    assert client.get("/api/v1/honours/cases", headers=bearer(world.reporter)).status_code == 404


def test_the_reporter_adds_evidence_to_their_case(client, bearer, world, at_now):
    case_id = _report(client, bearer(world.reporter), world).json["id"]
    sent = client.post(
        f"/api/v1/honours/cases/{case_id}/files",
        data={"file": (io.BytesIO(image_bytes()), "证据.jpg")},
        headers=bearer(world.reporter),
    )
    assert sent.status_code == 201, sent.json
    stranger = bearer(world.partner_staff)
    assert (
        client.post(
            f"/api/v1/honours/cases/{case_id}/files",
            data={"file": (io.BytesIO(image_bytes()), "x.jpg")},
            headers=stranger,
        ).status_code
        == 404
    )
    files = client.get(f"/api/v1/honours/cases/{case_id}", headers=bearer(world.office)).json[
        "files"
    ]
    assert [f["filename"] for f in files] == ["证据.jpg"]


# Pages ------------------------------------------------------------------------------------------


def test_a_partners_staff_report_a_breach_from_the_phone_page(client, world, at_now):
    sign_in(client, world.partner_staff)
    page = client.get("/partner/report-breach?q=王德")
    assert page.status_code == 200 and "王德明" in page.text
    sent = client.post(
        "/partner/report-breach?q=王德",
        data={
            "person_id": world.person.id,
            "clause_ids": [world.clauses["p2"].clause_id],
            "description": "在景区以好人名义要求免票带人。",
        },
    )
    assert sent.status_code == 302, sent.text
    case = db.session.query(BreachCase).one()
    assert case.source_name == "山海关景区" and case.stage is CaseStage.assigned


def test_the_case_page_shows_the_timeline_and_the_viewers_step(client, world, at_now):
    from tests.honours.conduct_builders import report

    case = report(world.reporter, world.person, [world.clauses["p1"]])
    db.session.commit()
    sign_in(client, world.district)
    page = client.get(f"/honours/cases/{case.id}")
    assert page.status_code == 200
    assert world.reporter.phone in page.text
    assert 'data-testid="form-start_investigation"' in page.text
    done = client.post(f"/honours/cases/{case.id}/investigation", data={"opinion": "开始调查"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(BreachCase, case.id).stage is CaseStage.investigating
    listed = client.get("/honours/cases")
    assert f'data-testid="case-{case.id}"' in listed.text


def test_another_districts_clerk_gets_404_on_the_page(client, world, at_now):
    from tests.honours.conduct_builders import report

    case = report(world.reporter, world.person, [world.clauses["p1"]])
    db.session.commit()
    sign_in(client, world.other_district)
    assert client.get(f"/honours/cases/{case.id}").status_code == 404


def test_the_office_reads_the_figures_and_exports_them(client, world, at_now):
    from tests.honours.conduct_builders import report

    report(world.reporter, world.person, [world.clauses["p1"], world.clauses["e1"]])
    db.session.commit()
    sign_in(client, world.office)
    page = client.get("/honours/cases/report")
    assert page.status_code == 200 and 'data-testid="by-clause"' in page.text
    csv = client.get("/honours/cases/report.csv")
    assert csv.status_code == 200 and "王德明".encode() in csv.data
    xlsx = client.get("/honours/cases/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_public_form_asks_a_verified_phone_first(client, world, at_now):
    world.reporter.phone_verified_at = None
    db.session.commit()
    sign_in(client, world.reporter)
    page = client.get("/honours/report-breach")
    assert 'data-testid="verify-first"' in page.text
    sent = client.post(
        "/honours/report-breach",
        data={
            "person_id": world.person.id,
            "clause_ids": [world.clauses["p1"].clause_id],
            "description": "言行不当",
            "source_kind": "public",
            "reporter_name": "李明",
        },
    )
    assert sent.status_code == 403
    assert db.session.query(BreachCase).count() == 0


def test_the_office_edits_a_clause_on_its_page_and_the_history_shows_both(client, world, at_now):
    clause_id = world.clauses["p1"].clause_id
    sign_in(client, world.office)
    form = client.get(f"/honours/clauses/{clause_id}/versions")
    assert form.status_code == 200 and world.clauses["p1"].text in form.text
    saved = client.post(
        f"/honours/clauses/{clause_id}/versions",
        data={"title": "以荣誉称号谋利", "text": "不得以荣誉称号名义谋取私利。"},
    )
    assert saved.status_code == 302
    listed = client.get("/honours/clauses")
    assert f'data-testid="history-{clause_id}"' in listed.text
    assert "不得以荣誉称号名义谋取私利。" in listed.text
    refused = client.post(
        f"/honours/clauses/{clause_id}/versions",
        data={"title": "x", "text": "y", "effective_from": "2020-01-01"},
    )
    assert refused.status_code == 422
