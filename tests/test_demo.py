"""The demo data (`flask demo-data`): something for a leader to do whenever it is loaded, loading
it again, a demo number taken by another kind of account, and the README that describes it.

Every load runs at a set clock: what the demo makes depends on the time of day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import aliased

from certificates.models import DocumentKind, IssuedDocument
from core.auth import services as auth
from core.auth.assignments import AssignmentKind, RoleAssignment, assignments_of
from core.auth.models import Role, User
from core.demo import DEMO_PASSWORD, OFFICE
from core.districts import District
from core.extensions import db
from core.regions import ensure_regions, get_region_by_code
from core.regions_demo import CLERKS
from core.settings import current_settings
from events import services
from events.models import (
    Activity,
    AttendanceStatus,
    Campaign,
    CheckIn,
    CheckInMethod,
    Shift,
    SignUp,
    SignUpStatus,
)
from honours import demo_nominations
from honours.card_models import (
    Benefit,
    BenefitCounter,
    CardCheck,
    CardStatus,
    CardUse,
    CheckOutcome,
    CourtesyCard,
    Partner,
    PartnerKind,
)
from honours.models import Honour, Round
from honours.nomination_models import (
    BackgroundCheck,
    Channel,
    LeadSource,
    Nomination,
    NominationConsent,
    NominationLike,
    Nominator,
    Objection,
    ObjectionOutcome,
    PanelMember,
    PanelTally,
    PanelVote,
    ReviewStep,
    RoundDecision,
    RoundNotice,
    Stage,
    StepAction,
)
from honours.services.roll import get_roll_entry
from points.models import CatalogItem, LedgerEntry, Merchant, Redemption
from points.services import balance_of, verify_ledger
from tests.builders import make_user
from volunteer.models import Membership, Team

# The demo's content is the same on either database: checked on the SQLite pass (conftest).
pytestmark = pytest.mark.demo_content

CITY = ZoneInfo("Asia/Shanghai")
LEADER = "13700000001"
QINHUANGDAO = ("海港区", "山海关区", "北戴河区", "抚宁区", "昌黎县", "卢龙县", "青龙")
README = Path(__file__).resolve().parent.parent / "README.md"
# Every table the demo writes, but the notifications: the scheduler's catch-up, run by the
# demo, rightly finds more due on a later day.
MODELS = (
    User,
    District,
    Team,
    Membership,
    Campaign,
    Activity,
    Shift,
    SignUp,
    CheckIn,
    Merchant,
    CatalogItem,
    Redemption,
    LedgerEntry,
    Round,
    Nomination,
    Nominator,
    ReviewStep,
    BackgroundCheck,
    NominationConsent,
    PanelMember,
    PanelVote,
    PanelTally,
    RoundNotice,
    Objection,
    NominationLike,
    RoundDecision,
)


def load_demo(runner, at: datetime):
    with time_machine.travel(at, tick=False):
        result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def today_at(hour: int, minute: int = 0) -> datetime:
    """Today's date (whatever the date of the run) at a set local time."""
    return datetime.combine(datetime.now(CITY).date(), time(hour, minute), tzinfo=CITY)


def rows(model) -> set[tuple]:
    columns = [column.key for column in inspect(model).column_attrs]
    return {
        tuple(
            repr(getattr(row, c)) if isinstance(getattr(row, c), list | dict) else getattr(row, c)
            for c in columns
        )
        for row in db.session.scalars(select(model))
    }


def snapshot() -> dict[str, set[tuple]]:
    return {model.__name__: rows(model) for model in MODELS}


@dataclass
class Pair:
    running: Shift
    to_confirm: Shift


def leaders_shifts() -> list[Shift]:
    leader = auth.find_user_by_phone(LEADER)
    teams = select(Team.id).where(Team.founder_id == leader.id)
    return list(
        db.session.scalars(
            select(Shift).join(Activity).where(Activity.team_id.in_(teams)).order_by(Shift.id)
        )
    )


def pair_at(now: datetime) -> Pair:
    """The leader's shift running at `now` and the one that ended about an hour before, each
    with volunteers checked in (on Lei Feng day a demo activity runs then too, empty)."""
    shifts = [s for s in leaders_shifts() if check_ins(s)]
    running = [
        s
        for s in shifts
        if now - timedelta(hours=2) < s.starts_at <= now - timedelta(minutes=55)
        and now + timedelta(minutes=55) <= s.ends_at <= now + timedelta(hours=3)
    ]
    ended = [
        s for s in shifts if now - timedelta(hours=2) < s.ends_at <= now - timedelta(minutes=55)
    ]
    assert len(running) == 1, [(s.starts_at, s.ends_at) for s in leaders_shifts()]
    assert len(ended) == 1, [(s.starts_at, s.ends_at) for s in leaders_shifts()]
    return Pair(running[0], ended[0])


def check_ins(shift: Shift) -> list[CheckIn]:
    return list(db.session.scalars(select(CheckIn).where(CheckIn.shift_id == shift.id)))


def signed_up(shift: Shift) -> list[SignUp]:
    return list(
        db.session.scalars(
            select(SignUp).where(
                SignUp.shift_id == shift.id, SignUp.status == SignUpStatus.confirmed
            )
        )
    )


@pytest.mark.parametrize(
    "local",
    [
        pytest.param(datetime(2027, 3, 5, 10, 20, tzinfo=CITY), id="lei-feng-day-morning"),
        pytest.param(datetime(2027, 7, 15, 15, 45, tzinfo=CITY), id="tourist-season-afternoon"),
        # Between the spring and the tourist season no campaign is open.
        pytest.param(datetime(2027, 5, 12, 0, 20, tzinfo=CITY), id="may-after-midnight"),
        # The shift that waits for confirmation began in the autumn campaign, the running one
        # in the winter campaign.
        pytest.param(datetime(2027, 12, 1, 2, 30, tzinfo=CITY), id="first-night-of-winter"),
        pytest.param(datetime(2028, 6, 1, 1, 10, tzinfo=CITY), id="from-may-into-summer"),
        pytest.param(None, id="today-at-noon"),
    ],
)
def test_demo_gives_a_leader_a_shift_running_now_and_one_to_confirm(runner, local):
    now = local or today_at(12, 20)
    result = load_demo(runner, now)

    pair = pair_at(now)
    for shift in (pair.running, pair.to_confirm):
        activity = shift.activity
        assert activity.status.value == "published"
        assert activity.campaign.is_open_on(shift.service_day)
        assert re.search(r"[\u4e00-\u9fff]", activity.title)
        assert activity.address.startswith(QINHUANGDAO)
        assert not activity.has_geofence  # a newcomer at a desk can check in

    running_in = check_ins(pair.running)
    assert running_in, "somebody has checked in to the running shift"
    assert all(c.method is CheckInMethod.qr and c.checked_out_at is None for c in running_in)
    waiting = {s.user_id for s in signed_up(pair.running)} - {c.user_id for c in running_in}
    assert waiting, "somebody signed up has not checked in yet"

    ended_in = check_ins(pair.to_confirm)
    assert ended_in
    assert all(c.method is CheckInMethod.qr for c in ended_in)
    assert all(c.status is AttendanceStatus.pending for c in ended_in)
    assert pair.to_confirm.attendance_closed_at is None
    assert "running now" in result.output
    assert "to confirm" in result.output

    # The newcomer's two things to try work, by the same services as the pages.
    with time_machine.travel(now, tick=False):
        leader = auth.find_user_by_phone(LEADER)
        secret = current_settings().check_in_secret
        latecomer = db.session.get(User, sorted(waiting)[0])
        token, _ = services.check_in_code(leader, pair.running.id, now=now, secret=secret)
        row, made = services.check_in(latecomer, token, now=now, secret=secret)
        assert made and row.shift_id == pair.running.id
        before = balance_of(ended_in[0].user)
        confirmed = services.confirm_attendance(leader, pair.to_confirm.id, now=now)
        assert len(confirmed) == len(ended_in)
        assert balance_of(ended_in[0].user) > before
    assert verify_ledger().ok


def test_demo_loaded_again_the_same_day_changes_nothing(runner):
    load_demo(runner, datetime(2027, 9, 20, 8, 10, tzinfo=CITY))
    first = snapshot()
    load_demo(runner, datetime(2027, 9, 20, 21, 50, tzinfo=CITY))
    assert snapshot() == first


@pytest.mark.parametrize(
    ("first_day", "later"),
    [
        pytest.param(
            datetime(2027, 9, 20, 8, 10, tzinfo=CITY),
            datetime(2027, 9, 23, 16, 40, tzinfo=CITY),
            id="autumn",
        ),
        # The campaign the demo opened for May is no season's standard campaign.
        pytest.param(
            datetime(2027, 5, 12, 0, 20, tzinfo=CITY),
            datetime(2027, 5, 14, 10, 5, tzinfo=CITY),
            id="may",
        ),
    ],
)
def test_demo_loaded_on_a_later_day_adds_that_days_pair_once(runner, first_day, later):
    load_demo(runner, first_day)
    first = snapshot()
    load_demo(runner, later)
    second = snapshot()
    for name, before in first.items():
        assert before <= second[name], f"{name}: rows changed or vanished"
    pair = pair_at(later)
    added = {name: len(second[name]) - len(first[name]) for name in second}
    assert added["Shift"] == 2
    assert {s[0] for s in second["Shift"] - first["Shift"]} == {
        pair.running.id,
        pair.to_confirm.id,
    }
    assert added["CheckIn"] == len(check_ins(pair.running)) + len(check_ins(pair.to_confirm))
    assert added["Activity"] == 1
    assert added["LedgerEntry"] == added["User"] == added["Campaign"] == 0

    load_demo(runner, later + timedelta(hours=5))
    assert snapshot() == second


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("phone", "role", "said"),
    [
        ("13800000001", Role.volunteer, "志愿者"),  # the office's number
        ("13600000002", Role.volunteer, "志愿者"),  # a merchant's staff
        ("13900000004", Role.office, "文明办"),  # a volunteer
        ("13700000002", Role.merchant_staff, "商家店员"),  # a team leader
    ],
)
def test_demo_data_names_a_number_taken_by_another_kind_of_account_and_writes_nothing(
    runner, phone, role, said
):
    make_user(phone=phone, role=role, display_name="别人的账号")
    db.session.commit()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"{phone[:3]}****{phone[-4:]}" in result.output or phone in result.output
    assert said in result.output
    db.session.expire_all()
    assert [count(model) for model in MODELS] == [1] + [0] * (len(MODELS) - 1)


def test_readme_names_every_demo_account_the_demo_prints(runner):
    result = load_demo(runner, datetime(2027, 4, 8, 14, 30, tzinfo=CITY))
    printed = re.findall(r"^\s+(\w+)\s+(1\d{10})\s", result.output, re.MULTILINE)
    assert printed
    demo_section = README.read_text().split("\n## ")[1]
    assert "demo-2026-qhd" in demo_section
    for role, phone in printed:
        assert phone in demo_section, f"README does not name the {role} {phone}"
    for words in ("check in", "confirm"):
        assert words in demo_section.lower(), words


def round_named(name: str) -> Round:
    return db.session.scalar(select(Round).where(Round.name == name))


def in_round(round_: Round) -> list[Nomination]:
    query = select(Nomination).where(Nomination.round_id == round_.id).order_by(Nomination.id)
    return list(db.session.scalars(query))


def the_one(nominations: list[Nomination], stage: Stage, channel: Channel) -> Nomination:
    found = [n for n in nominations if n.stage is stage and n.channel is channel]
    assert len(found) == 1, [(n.nominee_name, n.stage, n.channel) for n in nominations]
    return found[0]


def answered_checks(nomination: Nomination) -> list[bool]:
    query = select(BackgroundCheck).where(BackgroundCheck.nomination_id == nomination.id)
    return sorted(check.result is not None for check in db.session.scalars(query))


def test_demo_holds_this_months_round_at_every_stage_and_last_months_decided(runner):
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    load_demo(runner, now)

    current = in_round(round_named("2027年3月“秦皇岛好人”月评"))
    assert {n.stage for n in current} == {
        Stage.draft,
        Stage.community,
        Stage.street,
        Stage.district,
        Stage.city,
        Stage.consent,
        Stage.panel,
        Stage.declined,
        Stage.merged,
    }
    assert {n.channel for n in current} == set(Channel)
    assert {n.lead_source for n in current if n.channel is Channel.public} == set(LeadSource)
    merged = the_one(current, Stage.merged, Channel.public)
    first = db.session.get(Nomination, merged.merged_into_id)
    assert first.stage is Stage.community
    assert {n.from_nomination_id for n in first.nominators} == {first.id, merged.id}
    assert answered_checks(the_one(current, Stage.district, Channel.territorial)) == [
        False,
        False,
        True,
        True,
    ]
    assert answered_checks(the_one(current, Stage.city, Channel.media)) == [
        False,
        False,
        True,
        True,
    ]
    assert the_one(current, Stage.community, Channel.media).steps[-1].action is StepAction.sent_down
    assert the_one(current, Stage.declined, Channel.territorial).steps[-1].action is (
        StepAction.consent_declined
    )
    on_panel = [n for n in current if n.stage is Stage.panel]
    votes = [
        db.session.scalar(select(func.count()).where(PanelVote.nomination_id == n.id))
        for n in on_panel
    ]
    assert sorted(votes) == [1, 2]
    assert not db.session.scalars(
        select(PanelTally).where(PanelTally.nomination_id.in_([n.id for n in on_panel]))
    ).all()

    previous = round_named("2027年2月“秦皇岛好人”月评")
    decided = db.session.scalar(select(RoundDecision).where(RoundDecision.round_id == previous.id))
    assert re.fullmatch(r"秦文明委〔2027〕\d+号", decided.document_number)
    notice = db.session.scalar(select(RoundNotice).where(RoundNotice.round_id == previous.id))
    assert notice.closes_at <= decided.recorded_at <= now
    last = in_round(previous)
    approved = [n for n in last if n.stage is Stage.approved]
    assert {n.channel for n in approved} == set(Channel) and len(last) == 4
    for nomination in approved:
        honour = db.session.get(Honour, nomination.honour_id)
        assert honour.decision_number == decided.document_number
        assert db.session.scalar(
            select(IssuedDocument).where(
                IssuedDocument.kind == DocumentKind.honour_certificate,
                IssuedDocument.number == honour.certificate_number,
            )
        )
        assert get_roll_entry(nomination.person_id).name == nomination.person.name
    (off,) = [n for n in last if n.stage is Stage.rejected]
    assert off.steps[-1].action is StepAction.objection_upheld
    objections = db.session.scalars(
        select(Objection).where(Objection.nomination_id.in_([n.id for n in last]))
    ).all()
    assert sorted(o.outcome.value for o in objections) == [
        ObjectionOutcome.dismissed.value,
        ObjectionOutcome.upheld.value,
    ]
    likes = db.session.scalars(
        select(NominationLike).where(NominationLike.nomination_id.in_([n.id for n in last]))
    ).all()
    assert likes and all(notice.opens_at <= like.created_at < notice.closes_at for like in likes)

    # Every step was taken by now; every story is told in 800 to 1,500 characters.
    assert db.session.scalar(select(func.max(ReviewStep.acted_at))) <= now
    for nomination in current + last:
        assert 800 <= len(nomination.deeds) <= 1500 and len(nomination.summary) <= 140
    # The editor, the two reviewers on both rounds' panels, the volunteer of the public form.
    editor = auth.find_user_by_phone(demo_nominations.EDITOR[0])
    assert [a.kind for a in assignments_of(editor, now)] == [AssignmentKind.media_editor]
    for phone, _name in demo_nominations.REVIEWERS:
        reviewer = auth.find_user_by_phone(phone)
        assert (
            db.session.scalar(select(func.count()).where(PanelMember.user_id == reviewer.id)) == 2
        )
    nominator = auth.find_user_by_phone(demo_nominations.NOMINATOR[0])
    assert nominator.phone_verified_at is not None
    filed = db.session.scalars(select(Nominator).where(Nominator.user_id == nominator.id)).all()
    assert len({n.nomination_id for n in filed}) == 2


def test_demo_data_refuses_clerks_who_got_their_roles_after_last_months_nominations(runner):
    # As in a database an older demo was loaded into: the clerks' roles date from that load.
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    ensure_regions(demo_communities=True)
    for phone, name, kind, code in CLERKS:
        clerk = make_user(phone=phone, display_name=name)
        region = get_region_by_code(code)
        granted = now - timedelta(days=3)
        db.session.add(
            RoleAssignment(user_id=clerk.id, kind=kind, region_id=region.id, granted_at=granted)
        )
    db.session.commit()

    with time_machine.travel(now, tick=False):
        result = runner.invoke(args=["demo-data"])

    assert result.exit_code == 1
    assert "2027-03-13" in result.output and "2027-02-01" in result.output
    db.session.expire_all()
    assert count(Nomination) == count(Round) == 0
    assert count(User) == len(CLERKS)


def test_demo_holds_courtesy_cards_at_every_status_used_over_the_year(runner):
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    load_demo(runner, now)

    statuses = dict(
        db.session.execute(
            select(CourtesyCard.status, func.count()).group_by(CourtesyCard.status)
        ).all()
    )
    # Waiting to be printed: a new holder's card and the replacement of the card lost two days
    # ago (the bus list's demo); lost long ago and replaced: one more; revoked: the revoked
    # person's and those of the two breach cases decided for revocation (one now under review).
    assert statuses[CardStatus.to_print] == 2
    assert statuses[CardStatus.issued] == 1
    assert statuses[CardStatus.lost] == 2
    assert statuses[CardStatus.revoked] == 3
    assert statuses[CardStatus.active] > 100
    replacement = aliased(CourtesyCard)
    lost = db.session.scalar(
        select(CourtesyCard)
        .join(replacement, replacement.replaces_id == CourtesyCard.id)
        .where(CourtesyCard.status == CardStatus.lost, replacement.status == CardStatus.active)
    )
    presented = db.session.scalar(
        select(CardCheck).where(CardCheck.card_id == lost.id).order_by(CardCheck.id.desc())
    )
    assert presented.outcome is CheckOutcome.replaced

    # Uses at every kind of partner, over months, within each benefit's limit.
    used = db.session.execute(
        select(Partner.kind, func.count(), func.min(CardUse.used_at), func.max(CardUse.used_at))
        .join(CardUse, CardUse.partner_id == Partner.id)
        .group_by(Partner.kind)
    ).all()
    assert {kind for kind, *_ in used} == {
        PartnerKind.bus,
        PartnerKind.health,
        PartnerKind.scenic,
        PartnerKind.merchant,
    }
    assert all(last - first > timedelta(days=90) for _kind, _count, first, last in used)
    over = db.session.scalar(
        select(func.count())
        .select_from(BenefitCounter)
        .join(Benefit, Benefit.id == BenefitCounter.benefit_id)
        .where(BenefitCounter.used > Benefit.limit_count)
    )
    assert over == 0
    # Loaded again: nothing more.
    cards_before = db.session.scalar(select(func.count()).select_from(CourtesyCard))
    load_demo(runner, now + timedelta(days=1))
    assert db.session.scalar(select(func.count()).select_from(CourtesyCard)) == cards_before


def test_demo_card_reports_show_a_year_of_uses_and_a_settlement_with_each_partner(app, runner):
    now = datetime(2027, 3, 16, 10, 0, tzinfo=CITY)
    load_demo(runner, now)
    client = app.test_client()

    with time_machine.travel(now, tick=False):
        client.post("/login", data={"phone": OFFICE[0], "password": DEMO_PASSWORD})
        uses = client.get("/office/card-reports?tab=uses&year=2026")
        settlement = client.get("/office/card-reports?tab=settlement")

    assert uses.status_code == 200 and "市内公交免费乘车" in uses.text
    assert settlement.status_code == 200, settlement.text
    # Last month's: the bus company and the other partners are due something.
    due = re.search(r'data-testid="settlement-total">¥(\d+)\.(\d\d)<', settlement.text)
    assert due is not None and int(due.group(1)) > 0
    assert "秦皇岛市公交集团" in settlement.text and "2027-02" in settlement.text
