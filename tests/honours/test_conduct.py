"""The conduct clauses and breach cases through the services: versions, reporting by each
channel, every step by its role and only from its stage, the statement period, the decision
with its revocation, the one request for review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from honours.conduct_models import (
    BreachCase,
    CaseOutcome,
    CaseStage,
    ClauseKind,
    ReviewOutcome,
    SourceKind,
    StepAction,
)
from honours.revocation_models import Revocation
from honours.services import breach_case_steps as steps
from honours.services import breach_cases, clauses
from tests.honours.builders import NOW
from tests.honours.conduct_builders import (
    CLAUSES_FROM,
    DEADLINES,
    advance,
    conduct_world,
    report,
)


@pytest.fixture
def world(app):
    return conduct_world()


def _count(model) -> int:
    return db.session.query(model).count()


# Clauses ----------------------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_and_a_case_cites_the_version_in_force(world):
    first = world.clauses["p1"]
    report_before = report(world.reporter, world.person, [first])
    second = clauses.add_version(
        world.office,
        first.clause_id,
        {"title": "以荣誉称号谋利", "text": "不得以荣誉称号名义谋取私利。"},
        now=NOW + timedelta(days=1),
    )
    report_after = report(world.reporter, world.person, [first], now=NOW + timedelta(days=2))

    clause = clauses.get_clause(first.clause_id)
    assert [v.number for v in clause.versions] == [1, 2]
    assert clause.versions[0].text == first.text
    assert report_before.clause_versions == [first]
    assert report_after.clause_versions == [second]
    assert clauses.version_in_force(clause, CLAUSES_FROM.date()) == first


def test_a_version_taking_effect_later_is_not_yet_cited(world):
    first = world.clauses["e1"]
    later = clauses.add_version(
        world.office,
        first.clause_id,
        {
            "title": "事迹造假",
            "text": "新的表述",
            "effective_from": (NOW + timedelta(days=10)).date(),
        },
        now=NOW,
    )
    case = report(world.reporter, world.person, [first])
    assert case.clause_versions == [first]
    assert later not in case.clause_versions


def test_only_the_office_edits_clauses_and_never_into_the_past(world):
    with pytest.raises(Forbidden):
        clauses.add_version(
            world.district, world.clauses["p1"].clause_id, {"title": "x", "text": "y"}, now=NOW
        )
    with pytest.raises(ValidationFailed) as refused:
        clauses.add_version(
            world.office,
            world.clauses["p1"].clause_id,
            {"title": "x", "text": "y", "effective_from": (NOW - timedelta(days=1)).date()},
            now=NOW,
        )
    assert "effective_from" in refused.value.errors
    assert len(clauses.get_clause(world.clauses["p1"].clause_id).versions) == 1


def test_the_rules_hold_four_prohibitions(world):
    for n in (3, 4):
        clauses.create_clause(
            world.office, ClauseKind.prohibition, {"title": f"第{n}条", "text": "内容"}, now=NOW
        )
    with pytest.raises(Conflict):
        clauses.create_clause(
            world.office, ClauseKind.prohibition, {"title": "第五条", "text": "内容"}, now=NOW
        )


# Reporting --------------------------------------------------------------------------------------


def test_a_public_report_is_assigned_to_the_persons_district_at_once(world):
    case = report(world.reporter, world.person, [world.clauses["p1"], world.clauses["e1"]])
    assert case.stage is CaseStage.assigned
    assert case.district_id == world.person.district_id
    assert case.reporter_phone == world.reporter.phone
    assert [(s.action, s.from_stage, s.to_stage) for s in case.steps] == [
        (StepAction.reported, None, CaseStage.received),
        (StepAction.assigned, CaseStage.received, CaseStage.assigned),
    ]
    assert case.steps[1].actor_id is None
    assert case.stage_due_at > NOW + timedelta(days=15)


def test_a_public_report_without_a_verified_phone_is_refused(world):
    world.reporter.phone_verified_at = None
    with pytest.raises(Forbidden) as refused:
        report(world.reporter, world.person, [world.clauses["p1"]])
    assert refused.value.code == "phone_not_verified"
    assert _count(BreachCase) == 0


def test_a_public_report_needs_the_real_name(world):
    with pytest.raises(ValidationFailed) as refused:
        report(world.reporter, world.person, [world.clauses["p1"]], reporter_name=" ")
    assert "reporter_name" in refused.value.errors
    assert _count(BreachCase) == 0


def test_the_public_names_only_a_person_of_the_roll(world):
    world.person.has_publication_consent = False
    with pytest.raises(ValidationFailed) as refused:
        report(world.reporter, world.person, [world.clauses["p1"]])
    assert "person_id" in refused.value.errors


def test_a_partners_staff_report_names_the_partner(world):
    case = report(
        world.partner_staff, world.person, [world.clauses["p2"]], source=SourceKind.partner
    )
    assert case.source_kind is SourceKind.partner
    assert case.partner.name == "山海关景区" == case.source_name


def test_only_a_media_editor_reports_as_the_media(world):
    with pytest.raises(Forbidden):
        report(
            world.reporter,
            world.person,
            [world.clauses["p1"]],
            source=SourceKind.media,
            source_name="电视台",
        )
    case = report(
        world.media_editor,
        world.person,
        [world.clauses["p1"]],
        source=SourceKind.media,
        source_name="秦皇岛日报",
    )
    assert case.source_name == "秦皇岛日报"


def test_a_clerk_enters_an_agencys_report_and_the_public_may_not(world):
    with pytest.raises(Forbidden):
        report(
            world.reporter,
            world.person,
            [world.clauses["e2"]],
            source=SourceKind.agency,
            source_name="市场监管局",
        )
    case = report(
        world.district,
        world.person,
        [world.clauses["e2"]],
        source=SourceKind.agency,
        source_name="市场监管局",
        reporter_name="",
    )
    assert case.source_kind is SourceKind.agency and case.reporter_phone == ""


def test_a_report_cites_a_clause_in_force(world):
    with pytest.raises(ValidationFailed) as refused:
        report(world.reporter, world.person, [])
    assert "clause_ids" in refused.value.errors


# Reading ----------------------------------------------------------------------------------------


def test_another_districts_clerk_and_a_street_clerk_find_no_case(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    for outsider in (world.other_district, world.street, world.reporter, world.partner_staff):
        with pytest.raises(NotFound):
            breach_cases.get_case(outsider, case.id, now=NOW)
    assert breach_cases.get_case(world.district, case.id, now=NOW).case is case
    assert breach_cases.get_case(world.office, case.id, now=NOW).is_city


def test_the_list_holds_my_districts_cases_with_overdue_marks(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    late = NOW + timedelta(days=40)
    mine = breach_cases.list_cases(world.district, breach_cases.CaseFilter(), _window(), now=late)
    assert [(r.case.id, r.is_overdue) for r in mine.items] == [(case.id, True)]
    other = breach_cases.list_cases(
        world.other_district, breach_cases.CaseFilter(), _window(), now=late
    )
    assert other.total == 0
    with pytest.raises(Forbidden):
        breach_cases.list_cases(world.street, breach_cases.CaseFilter(), _window(), now=NOW)
    with pytest.raises(NotFound):
        breach_cases.list_cases(world.reporter, breach_cases.CaseFilter(), _window(), now=NOW)


def _window():
    from core.rows import Window

    return Window(0, 50)


# Steps ------------------------------------------------------------------------------------------


def test_the_whole_flow_to_a_revocation_and_a_review(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    at = advance(case, world, CaseStage.statement)
    at += timedelta(days=1)
    steps.record_statement(world.district, case.id, "本人承认收取报酬，已退还。", now=at)
    steps.decide_case(
        world.office,
        case.id,
        steps.Decision.revoke,
        "撤销“秦皇岛好人”称号",
        decision_number="秦文明〔2026〕9号",
        now=at,
        deadlines=DEADLINES,
    )

    assert case.stage is CaseStage.closed and case.outcome is CaseOutcome.revoked
    revocation = db.session.get(Revocation, case.revocation_id)
    assert revocation.person_id == world.person.id
    assert all(h.is_revoked for h in world.person.honours)

    steps.request_review(
        world.district, case.id, "本人认为处理过重", now=at + timedelta(days=2), deadlines=DEADLINES
    )
    assert case.stage is CaseStage.review and case.closed_at is None
    with pytest.raises(Conflict) as twice:
        steps.request_review(
            world.office, case.id, "再次申请", now=at + timedelta(days=3), deadlines=DEADLINES
        )
    assert twice.value.code == "review_requested"
    steps.decide_review(
        world.office, case.id, ReviewOutcome.upheld, "维持原决定", now=at + timedelta(days=4)
    )
    assert case.stage is CaseStage.closed and case.review_outcome is ReviewOutcome.upheld
    with pytest.raises(Conflict):
        steps.request_review(
            world.district, case.id, "第三次", now=at + timedelta(days=5), deadlines=DEADLINES
        )
    assert [s.action for s in case.steps] == [
        StepAction.reported,
        StepAction.assigned,
        StepAction.investigation_started,
        StepAction.findings,
        StepAction.revocation_proposed,
        StepAction.person_told,
        StepAction.statement,
        StepAction.revoked,
        StepAction.review_requested,
        StepAction.review_upheld,
    ]


def test_a_decision_before_the_statement_period_ends_is_refused_and_changes_nothing(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    at = advance(case, world, CaseStage.statement)
    steps_before = len(case.steps)
    with pytest.raises(Conflict) as refused:
        steps.decide_case(
            world.office,
            case.id,
            steps.Decision.revoke,
            "撤销",
            now=at + timedelta(days=3),
            deadlines=DEADLINES,
        )
    assert refused.value.code == "statement_period_running"
    db.session.expire_all()
    case = db.session.get(BreachCase, case.id)
    assert case.stage is CaseStage.statement and len(case.steps) == steps_before
    assert _count(Revocation) == 0
    assert not any(h.is_revoked for h in case.person.honours)


def test_after_the_period_the_city_decides_without_a_statement(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.statement)
    after = case.statement_due_at + timedelta(minutes=1)
    steps.decide_case(
        world.office,
        case.id,
        steps.Decision.keep,
        "情节轻微，保留称号",
        now=after,
        deadlines=DEADLINES,
    )
    assert case.outcome is CaseOutcome.kept and case.revocation_id is None
    assert [s.action for s in case.steps][-2:] == [StepAction.no_statement, StepAction.kept]
    with pytest.raises(Conflict):
        steps.request_review(world.district, case.id, "复核", now=after, deadlines=DEADLINES)


def test_the_statement_period_is_ten_working_days(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.statement)
    # Told on Friday 5 June 2026 (10:00 local): ten working days end with Friday 19 June.
    assert case.told_at.date().isoformat() == "2026-06-05"
    assert case.statement_due_at.isoformat() == "2026-06-19T16:00:00+00:00"


def test_each_step_only_by_its_role(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    with pytest.raises(NotFound):
        steps.start_investigation(world.other_district, case.id, "", now=NOW)
    advance(case, world, CaseStage.city_review)
    with pytest.raises(Forbidden):
        steps.conclude_review(
            world.district,
            case.id,
            steps.ReviewChoice.no_breach,
            "无",
            now=NOW,
            deadlines=DEADLINES,
        )


def test_a_step_out_of_order_is_a_conflict(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    with pytest.raises(Conflict) as refused:
        steps.record_findings(world.district, case.id, "查无实据", now=NOW, deadlines=DEADLINES)
    assert refused.value.code == "wrong_stage"
    with pytest.raises(Conflict):
        steps.decide_case(
            world.office, case.id, steps.Decision.keep, "保留", now=NOW, deadlines=DEADLINES
        )


def test_no_breach_and_a_warning_talk_close_the_case(world):
    clear = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(clear, world, CaseStage.city_review)
    steps.conclude_review(
        world.office,
        clear.id,
        steps.ReviewChoice.no_breach,
        "查无实据",
        now=NOW + timedelta(days=3),
        deadlines=DEADLINES,
    )
    assert clear.stage is CaseStage.closed and clear.outcome is CaseOutcome.no_breach

    warned = report(world.reporter, world.person, [world.clauses["p2"]])
    advance(warned, world, CaseStage.city_review)
    steps.conclude_review(
        world.office,
        warned.id,
        steps.ReviewChoice.warning,
        "约谈提醒",
        now=NOW + timedelta(days=3),
        deadlines=DEADLINES,
    )
    assert warned.stage is CaseStage.warning_talk
    steps.record_talk(
        world.district,
        warned.id,
        talk_on=(NOW + timedelta(days=4)).date(),
        talk_by="海港区文明办 张主任",
        summary="本人表示今后注意言行。",
        now=NOW + timedelta(days=4),
    )
    assert warned.stage is CaseStage.closed and warned.outcome is CaseOutcome.warning
    assert warned.talk_by == "海港区文明办 张主任"


def test_a_review_request_after_its_time_limit_is_refused(world):
    case = report(world.reporter, world.person, [world.clauses["p1"]])
    advance(case, world, CaseStage.statement)
    after = case.statement_due_at + timedelta(minutes=1)
    steps.decide_case(
        world.office, case.id, steps.Decision.revoke, "撤销", now=after, deadlines=DEADLINES
    )
    with pytest.raises(Conflict) as refused:
        steps.request_review(
            world.district,
            case.id,
            "复核",
            now=case.review_until + timedelta(minutes=1),
            deadlines=DEADLINES,
        )
    assert refused.value.code == "review_too_late"
