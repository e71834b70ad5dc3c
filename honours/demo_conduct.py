"""Demo conduct clauses and breach cases (违规处理): the city's 4 prohibitions and 6 exit clauses
in the seed article's words (the fourth prohibition and the last two exit clauses as the office
entered them, one clause edited since), and a breach case about a good person of 海港区 at each
stage: received, investigating, at the city's review, waiting for its warning talk, closed after
a warning talk, closed as no breach, waiting for the person to be told of a proposed revocation,
in its statement period, decided (the honours revoked) and under review. The district
clerk (13500000003) handles the open ones now; what happened before the demo's clerks got their
roles was recorded by the office (13800000001), which decides."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from core.auth.services import find_user_by_phone
from core.clock import local_day, utcnow
from core.demo import OFFICE
from core.districts import District
from core.extensions import db
from core.settings import current_settings
from core.workdays import load_calendar
from honours.card_models import CourtesyCard
from honours.conduct_models import BreachCase, Clause, ClauseKind, SourceKind
from honours.models import Honour, Person
from honours.services import breach_case_steps as steps
from honours.services import breach_cases, clauses

DISTRICT = "haigang"

# The seed article's "4条禁止条款" and "6条退出条款"; the ones it leaves to "等" are entered here
# as the office would.
PROHIBITIONS = [
    ("以荣誉称号名义参与营利性活动", "不得以所获荣誉称号名义参与营利性社会活动。"),
    ("榜样意识不强", "应自觉珍惜荣誉、发挥示范作用，不得榜样意识不强、言行与荣誉不符。"),
    ("发表不当言论", "不得发表不当言论，产生负面社会影响。"),
    ("利用荣誉谋取不正当利益", "不得利用荣誉称号干预正常事务或谋取不正当利益。"),
]
EXITS = [
    ("先进事迹造假", "先进事迹经查证存在造假的，撤销荣誉称号。"),
    ("生产经营活动严重失信", "生产经营活动严重失信、被列入失信名单的，撤销荣誉称号。"),
    ("违反国家法律法规", "违反国家法律法规受到刑事处罚或行政拘留的，撤销荣誉称号。"),
    ("受到党纪政纪处分", "受到党纪政纪处分的，撤销荣誉称号。"),
    ("严重违背社会公德", "严重违背社会公德、职业道德、家庭美德，造成恶劣影响的，撤销荣誉称号。"),
    ("违反禁止性条款拒不改正", "违反禁止性条款经约谈提醒仍拒不改正的，撤销荣誉称号。"),
]
EDITED = ("榜样意识不强", "应自觉珍惜荣誉、主动参加志愿服务，不得榜样意识不强、言行与荣誉不符。")

# Each case: how long ago it was received, the clause cited (kind, number), the source, what
# was reported, and the stage it is brought to.
CASES = [
    (
        3,
        (ClauseKind.prohibition, 1),
        SourceKind.public,
        "市民来电",
        "在某保健品店开业活动中以“秦皇岛好人”名义站台宣传并收取报酬。",
        "received",
    ),
    (
        12,
        (ClauseKind.prohibition, 3),
        SourceKind.media,
        "秦皇岛日报",
        "在网络群组中发表不当言论，被多人转发，引起负面议论。",
        "investigating",
    ),
    (
        30,
        (ClauseKind.exit, 2),
        SourceKind.agency,
        "市场监管局",
        "经营的小超市因销售过期食品被行政处罚，涉嫌严重失信。",
        "city_review",
    ),
    (
        60,
        (ClauseKind.prohibition, 2),
        SourceKind.partner,
        "山海关景区",
        "持卡游览时多次要求工作人员为同行多人免票，与工作人员争执。",
        "warning",
    ),
    (
        75,
        (ClauseKind.exit, 1),
        SourceKind.public,
        "匿名转实名来信",
        "反映其先进事迹中的救人经过系他人所为。",
        "no_breach",
    ),
    (
        40,
        (ClauseKind.exit, 3),
        SourceKind.agency,
        "海港区公安分局",
        "因酒后驾驶被行政拘留。",
        "statement",
    ),
    (
        90,
        (ClauseKind.exit, 4),
        SourceKind.agency,
        "区纪委监委",
        "在任村干部期间违规发放补贴，受到党内严重警告处分。",
        "revoked",
    ),
    (
        100,
        (ClauseKind.prohibition, 4),
        SourceKind.clerk,
        "海港区文明办",
        "利用荣誉称号向街道施压，为亲属争取低保资格。",
        "review",
    ),
    # Waiting for the district's next step, after the demo's others so they keep their people.
    (
        14,
        (ClauseKind.prohibition, 1),
        SourceKind.partner,
        "秦皇岛野生动物园",
        "在园区门口为某旅行社招揽游客，自称“好人推荐”，收取介绍费。",
        "warning_talk",
    ),
    (
        13,
        (ClauseKind.exit, 5),
        SourceKind.media,
        "秦皇岛广播电视台",
        "长期拒不赡养年迈父母，经村委会多次调解仍不改正，群众反映强烈。",
        "notifying",
    ),
]


def _clauses(office, since: datetime) -> dict[tuple[ClauseKind, int], int]:
    made: dict[tuple[ClauseKind, int], int] = {}
    for kind, rows in ((ClauseKind.prohibition, PROHIBITIONS), (ClauseKind.exit, EXITS)):
        for n, (title, text) in enumerate(rows, start=1):
            version = clauses.create_clause(
                office,
                kind,
                {"title": title, "text": text, "effective_from": local_day(since)},
                now=since,
            )
            made[(kind, n)] = version.clause_id
    edited_at = since + timedelta(days=120)
    clauses.add_version(
        office,
        made[(ClauseKind.prohibition, 2)],
        {"title": EDITED[0], "text": EDITED[1], "effective_from": local_day(edited_at)},
        now=edited_at,
    )
    return made


def _persons(count: int) -> list[Person]:
    """Good people of the district holding honours none of which is revoked; not those whose
    card was lost and replaced, which the card demo tells the story of."""
    revoked = exists().where(Honour.person_id == Person.id, Honour.revoked_at.is_not(None))
    held = exists().where(Honour.person_id == Person.id, Honour.revoked_at.is_(None))
    replaced = exists().where(
        CourtesyCard.person_id == Person.id, CourtesyCard.replaces_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Person)
            .join(District, District.id == Person.district_id)
            .where(
                District.code == DISTRICT,
                Person.merged_into_id.is_(None),
                held,
                ~revoked,
                ~replaced,
            )
            .order_by(Person.id)
            .limit(count)
        )
    )


def _bring(case: BreachCase, goal: str, office, at: datetime, now: datetime) -> None:
    """Take the case from received to `goal`, a step every few days from `at`."""
    deadlines = steps.Deadlines(current_settings().conduct, load_calendar())
    if goal == "received":
        return
    at += timedelta(days=1)
    steps.start_investigation(office, case.id, "已联系本人及举报人了解情况。", now=at)
    if goal == "investigating":
        return
    at += timedelta(days=6)
    steps.record_findings(
        office, case.id, "经走访核实，反映情况基本属实，相关材料已附。", now=at, deadlines=deadlines
    )
    if goal == "city_review":
        return
    at += timedelta(days=3)
    if goal == "no_breach":
        steps.conclude_review(
            office,
            case.id,
            steps.ReviewChoice.no_breach,
            "经核查，反映问题不属实，不构成违规。",
            now=at,
            deadlines=deadlines,
        )
        return
    if goal in ("warning_talk", "warning"):
        steps.conclude_review(
            office,
            case.id,
            steps.ReviewChoice.warning,
            "情节较轻，由县区约谈提醒。",
            now=at,
            deadlines=deadlines,
        )
        if goal == "warning_talk":
            return
        at += timedelta(days=2)
        steps.record_talk(
            office,
            case.id,
            talk_on=local_day(at),
            talk_by="海港区文明办 孙港城",
            summary="本人认识到问题，表示今后持卡仅限本人使用并向景区致歉。",
            now=at,
        )
        return
    honours = [h.id for h in case.person.honours if not h.is_revoked]
    steps.conclude_review(
        office,
        case.id,
        steps.ReviewChoice.propose_revocation,
        "情节严重，拟撤销荣誉称号。",
        honour_ids=honours,
        now=at,
        deadlines=deadlines,
    )
    if goal == "notifying":
        return
    told_at = now - timedelta(days=4) if goal == "statement" else at + timedelta(days=2)
    steps.record_told(
        office,
        case.id,
        told_at=told_at,
        how="当面送达《拟撤销荣誉称号告知书》",
        now=max(told_at, at),
        deadlines=deadlines,
    )
    if goal == "statement":
        return
    decided_at = case.statement_due_at + timedelta(days=1)
    steps.record_statement(
        office, case.id, "本人对事实无异议，但请求从轻处理。", now=told_at + timedelta(days=5)
    )
    steps.decide_case(
        office,
        case.id,
        steps.Decision.revoke,
        "经市文明委研究，决定撤销其荣誉称号，收回好人卡和荣誉证书。",
        decision_number=f"秦文明〔{local_day(decided_at).year}〕{case.id}号",
        now=decided_at,
        deadlines=deadlines,
    )
    if goal == "review":
        steps.request_review(
            office,
            case.id,
            "本人书面申请复核，认为处分过重。",
            now=decided_at + timedelta(days=3),
            deadlines=deadlines,
        )


def load() -> list[tuple[str, str, str]]:
    """Create the clauses and the cases unless clauses exist; no accounts of its own."""
    if db.session.scalar(select(Clause.id).limit(1)) is not None:
        return []
    now = utcnow()
    office = find_user_by_phone(OFFICE[0])
    made = _clauses(office, now - timedelta(days=365))
    persons = _persons(len(CASES))
    for person, (ago, cited, source, name, text, goal) in zip(persons, CASES, strict=False):
        at = now - timedelta(days=ago)
        case = breach_cases.report_case(
            office,
            {
                "person_id": person.id,
                "clause_ids": [made[cited]],
                "description": text,
                "source_kind": source,
                "source_name": name,
                "reporter_name": "王建国" if source is SourceKind.public else "",
                "reporter_phone": "13933351234" if source is SourceKind.public else "",
            },
            now=at,
            settings=current_settings().conduct,
            calendar=load_calendar(),
        )
        _bring(case, goal, office, at, now)
    db.session.flush()
    return []
