"""Builders for the conduct clauses and breach cases: the clauses in force, the people who
report and handle cases, and a case brought to a stage through the services. They add and
flush, and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.extensions import db
from core.settings import ConductSettings
from core.workdays import WorkCalendar
from honours.conduct_models import BreachCase, CaseStage, ClauseKind, ClauseVersion, SourceKind
from honours.models import Person
from honours.services import breach_case_steps as steps
from honours.services import breach_cases, clauses
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.card_builders import make_honoured
from tests.honours.partner_builders import make_partner, make_partner_staff

SETTINGS = ConductSettings(
    investigation_days=15,
    city_review_days=10,
    step_days=5,
    statement_days=10,
    review_request_days=15,
)
DEADLINES = steps.Deadlines(SETTINGS, WorkCalendar())
# The clauses take effect a month before NOW, so that every test's NOW has them in force.
CLAUSES_FROM = NOW - timedelta(days=30)

WORDING = {
    ClauseKind.prohibition: [
        ("以荣誉称号名义参与营利性社会活动", "不得以所获荣誉称号名义参与营利性社会活动。"),
        ("榜样意识不强", "应自觉发挥榜样作用，不得榜样意识淡薄、言行失范。"),
    ],
    ClauseKind.exit: [
        ("先进事迹造假", "先进事迹经查证存在造假的，退出好人库。"),
        ("违反国家法律法规", "违反国家法律法规受到处理的，退出好人库。"),
    ],
}


def make_clauses(office: User) -> dict[str, ClauseVersion]:
    """Two prohibitions and two exit clauses, in force since CLAUSES_FROM, by the office;
    keyed p1, p2, e1, e2."""
    made = {}
    for kind, rows in WORDING.items():
        for n, (title, text) in enumerate(rows, start=1):
            made[f"{kind.value[0]}{n}"] = clauses.create_clause(
                office,
                kind,
                {"title": title, "text": text, "effective_from": CLAUSES_FROM.date()},
                now=CLAUSES_FROM,
            )
    return made


@dataclass
class ConductWorld:
    places: dict
    office: User
    district: User
    other_district: User
    street: User
    person: Person
    reporter: User
    partner_staff: User
    media_editor: User
    clauses: dict[str, ClauseVersion]


def conduct_world() -> ConductWorld:
    """The office, a district clerk of 海港区 and one of 山海关区, a street clerk of 文化路, a
    good person of 文化里社区 on the public roll (王德明), a volunteer with a verified phone, a
    card partner's staff, a media editor, and four clauses."""
    places = make_places()
    office = make_office()
    person = make_honoured(places["wenhuali"], office, name="王德明")
    person.has_publication_consent = True
    reporter = make_user(display_name="举报人")
    reporter.phone_verified_at = NOW - timedelta(days=3)
    partner = make_partner(office=office, name="山海关景区")
    editor = make_clerk(AssignmentKind.media_editor, name="秦皇岛日报编辑")
    db.session.flush()
    return ConductWorld(
        places=places,
        office=office,
        district=make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区文明办"),
        other_district=make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
        street=make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
        person=person,
        reporter=reporter,
        partner_staff=make_partner_staff(partner, name="景区检票员"),
        media_editor=editor,
        clauses=make_clauses(office),
    )


def report(
    reporter: User,
    person: Person,
    clause_versions: list[ClauseVersion],
    *,
    source: SourceKind = SourceKind.public,
    now: datetime = NOW,
    **values,
) -> BreachCase:
    """A report through the service, citing the clauses of the versions given."""
    fields = {
        "person_id": person.id,
        "clause_ids": [v.clause_id for v in clause_versions],
        "description": "在商场开业活动中以“秦皇岛好人”名义代言收取报酬。",
        "source_kind": source,
        "reporter_name": "李明",
        **values,
    }
    return breach_cases.report_case(
        reporter, fields, now=now, settings=SETTINGS, calendar=WorkCalendar()
    )


# The order the stages are reached in; each step is a day after the one before.
ORDER = (
    CaseStage.assigned,
    CaseStage.investigating,
    CaseStage.city_review,
    CaseStage.notifying,
    CaseStage.statement,
)


def advance(
    case: BreachCase, world: ConductWorld, to: CaseStage, *, start: datetime = NOW
) -> datetime:
    """Take the case from assigned to `to` (one of ORDER) by the district clerk and the office,
    proposing to revoke the person's honours; returns the moment of the last step."""
    now = start
    stage = case.stage
    while stage is not to:
        now += timedelta(days=1)
        if stage is CaseStage.assigned:
            steps.start_investigation(world.district, case.id, "已约谈本人和举报人", now=now)
        elif stage is CaseStage.investigating:
            steps.record_findings(
                world.district,
                case.id,
                "经查属实：收取代言费两千元。",
                now=now,
                deadlines=DEADLINES,
            )
        elif stage is CaseStage.city_review:
            steps.conclude_review(
                world.office,
                case.id,
                steps.ReviewChoice.propose_revocation,
                "情节严重，拟撤销荣誉称号。",
                honour_ids=[h.id for h in case.person.honours],
                now=now,
                deadlines=DEADLINES,
            )
        elif stage is CaseStage.notifying:
            steps.record_told(
                world.district,
                case.id,
                told_at=now,
                how="当面送达告知书",
                now=now,
                deadlines=DEADLINES,
            )
        stage = case.stage
    return now
