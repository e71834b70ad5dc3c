"""People with rows everywhere: a volunteer who also leads a team and clerks for a district of
the register of good people (好人库), a merchant clerk and an office account, each acting in
every way their role can, so that every column of the schema that names an account names one of
them in some row. Builders add and flush, never commit."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PIL import Image

from certificates import services as certificates
from core.auth import admin, assignments, recovery
from core.auth import services as auth
from core.auth.assignments import AssignmentKind
from core.auth.models import Role, SmsPurpose, User
from core.auth.sms import current_gateway
from core.auth.sms_services import request_code
from core.clock import local_day
from core.extensions import db
from core.regions import ensure_regions
from core.settings import current_settings
from events import services as events
from events.models import Shift
from honours import services as honours
from honours.bus_models import FetchChannel
from honours.card_models import BenefitArea, BenefitKind, PartnerKind
from honours.conduct_models import SourceKind
from honours.models import HonourSource, Person, ViewChannel
from honours.nomination_models import (
    ConsentGiver,
    ConsentMethod,
    NominationConsent,
    PanelMember,
    PanelTally,
    PanelVote,
    RoundDecision,
    Stage,
    Vote,
)
from honours.services import (
    applications,
    breach_cases,
    bus_accounts,
    bus_list,
    cards,
    notice,
    panel,
    partners,
    revocation,
    rounds,
    verification,
)
from honours.services.benefits import BenefitDetails, create_benefit
from honours.services.breach_cases import Evidence
from honours.services.nomination_files import Attachment, Incoming
from honours.services.nominations import nominate
from honours.services.partners import PartnerDetails
from points import services as points
from reminders import services as reminders
from reminders.message_models import ShiftAudience, ShiftMessageTemplate
from reminders.models import DeliveryChoice, EmailStatus, Notification, NotificationKind
from tests.builders import (
    DEFAULT_PASSWORD,
    give_points,
    make_activity,
    make_campaign,
    make_merchant,
    make_shift,
    make_team,
    make_user,
)
from tests.honours.application_builders import make_application_benefit, make_department
from tests.honours.builders import id_number, region
from tests.honours.bus_builders import make_bus_partner, make_export, make_service_token
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.conduct_builders import make_clauses, report
from tests.honours.nomination_builders import make_nomination, open_round
from tests.honours.review_builders import review_as_district_clerk
from tests.honours.revocation_builders import make_holder, revoke
from tests.personal_data.care_builders import caring
from tests.personal_data.gift_builders import gifting
from tests.world import _certificate, _certify
from volunteer import services as volunteers

LEADER_DAYS = 7


@dataclass
class People:
    """The three people and what the tests of the volunteer's closing look at."""

    volunteer: User
    clerk: User
    office: User
    # A shift not started yet that the volunteer holds the only seat of, and who waits for it.
    upcoming: Shift
    waiting: User
    # What identified the volunteer before closing.
    phone: str
    name: str
    email: str
    # The volunteer's own record in the register, which the office entered and linked.
    record: Person

    @property
    def everyone(self) -> list[User]:
        return [self.volunteer, self.clerk, self.office]


def _as_leader(person: User, campaign, now: datetime) -> None:
    """The person founds and leads a team with a second leader, runs a shift, checks a member
    in, corrects the times, decides the member's correction request, confirms attendance and
    thanks those who came."""
    team = make_team(person, name="远志志愿服务队")
    second = make_user(display_name="副队长")
    joining = volunteers.request_to_join(second, team.id, now=now)
    volunteers.decide_join_request(person, joining.id, approve=True, reason=None, now=now)
    volunteers.make_leader(person, joining.id, now=now)
    activity = make_activity(team, campaign, leader=person)
    past = make_shift(activity, starts_in_hours=-6, hours=4)
    member = make_user(display_name="队员")
    events.sign_up(member, past.id, now=past.starts_at - timedelta(hours=1))
    check_in = events.check_in_by_leader(
        person,
        past.id,
        phone=member.phone,
        now=past.starts_at + timedelta(minutes=5),
        leader_days=LEADER_DAYS,
    )
    events.correct_times(
        person,
        check_in.id,
        checked_in_at=past.starts_at,
        checked_out_at=past.ends_at,
        reason="补记签退",
        now=now,
        leader_days=LEADER_DAYS,
    )
    request = events.request_correction(
        member,
        past.id,
        checked_in_at=past.starts_at,
        checked_out_at=past.ends_at,
        message="我全程在岗",
        now=now,
    )
    events.decide_correction(
        person, request.id, accept=False, reply="已核实", now=now, leader_days=LEADER_DAYS
    )
    events.confirm_attendance(person, past.id, now=now)
    reminders.send_shift_message(
        person,
        past.id,
        audience=ShiftAudience.checked_in,
        template=ShiftMessageTemplate.thanks,
        body="辛苦了，下次再会",
        now=now,
        settings=current_settings().reminders,
    )


def _as_volunteer(person: User, name: str, campaign, now: datetime) -> tuple[Shift, User]:
    """The person serves in another team's shift (checked in, attendance confirmed, a
    correction asked for in words that name them), holds the only seat of an upcoming shift
    with someone waiting, was signed up for a shift since cancelled, asks to join a third team
    (whose leader's reminder names them), buys with points and holds a live redeem code."""
    team = make_team(name="海滨志愿服务队")
    leader = team.founder
    activity = make_activity(team, campaign, leader=leader)
    past = make_shift(activity, starts_in_hours=-6, hours=4)
    events.sign_up(person, past.id, now=past.starts_at - timedelta(hours=1))
    events.check_in_by_leader(
        leader,
        past.id,
        phone=person.phone,
        now=past.starts_at + timedelta(minutes=5),
        leader_days=LEADER_DAYS,
    )
    events.request_correction(
        person,
        past.id,
        checked_in_at=past.starts_at,
        checked_out_at=past.ends_at,
        message=f"我是{name}（{person.phone}，{person.email}），我全程在岗",
        now=now,
    )
    events.confirm_attendance(leader, past.id, now=now)

    upcoming = make_shift(activity, starts_in_hours=48, capacity=1)
    events.sign_up(person, upcoming.id, now=now)
    waiting = make_user(display_name="候补志愿者")
    events.sign_up(waiting, upcoming.id, now=now, join_waiting_list=True)
    cancelled = make_shift(activity, starts_in_hours=72)
    events.sign_up(person, cancelled.id, now=now)
    events.cancel_shift(leader, cancelled.id, rest_of_series=False, reason="天气", now=now)

    third = make_team(name="暖阳志愿服务队")
    asked = volunteers.request_to_join(person, third.id, now=now)
    # As the reminder finder words it (reminders.services.finders: join requests waiting).
    db.session.add(
        Notification(
            user_id=third.founder.id,
            kind=NotificationKind.join_request_waiting,
            subject=f"membership:{asked.id}:{int(now.timestamp())}",
            params={
                "team_id": third.id,
                "team": third.name,
                "name": name,
                "requested_at": now.isoformat(),
            },
            created_at=now,
        )
    )

    give_points(person, 100)
    return upcoming, waiting


def _inbox_and_credentials(person: User, now: datetime) -> None:
    db.session.add(
        Notification(
            user_id=person.id,
            kind=NotificationKind.points_earned,
            subject=f"people:{person.id}",
            params={"amount": 30, "memo": "海滨环境清洁"},
            created_at=now,
            email_status=EmailStatus.failed,
            email_attempts=1,
            email_error=f"SMTPRecipientsRefused: {person.email}",
        )
    )
    # Merchant staff receive no kind of notification, so they have no choice to make.
    for kind in reminders.kinds_for(person)[:1]:
        reminders.set_preferences(person, {kind: DeliveryChoice.inbox}, now=now)
    auth.issue_token(person, now=now, days=1, name=f"{person.display_name}的手机")
    auth.start_session(
        person,
        now=now,
        lifetime=timedelta(hours=1),
        remember=False,
        user_agent="Mozilla/5.0 (Linux; Android 14)",
    )
    settings = current_settings()
    request_code(
        person.phone,
        SmsPurpose.sign_in,
        now=now,
        settings=settings.sms,
        gateway=current_gateway(),
    )


def _png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 120, 200)).save(image, format="PNG")
    image.seek(0)
    return image


def _in_the_register(person: User, name: str, office: User, now: datetime) -> Person:
    """The office makes the person a district clerk of 海港区 (and a media editor, withdrawn
    again). As clerk, the person enters a good person, records her consent, sets her photo
    (from a file named after the person who took it), sees her sensitive fields whole, and
    records and corrects her district honour. The office enters the person's own record, linked
    to their account and holding their number, honours it (with a certificate), corrects it and
    sees it whole, and records a round's decision."""
    ensure_regions()
    honours.ensure_honour_types()
    district, street = region("haigang"), region("haigang-wenhualu")
    assignments.grant_assignment(
        office, person.id, AssignmentKind.district_clerk, now=now, region_id=district.id
    )
    editor = assignments.grant_assignment(office, person.id, AssignmentKind.media_editor, now=now)
    assignments.withdraw_assignment(office, editor.id, now=now)

    scope = honours.scope_of(person, now)
    born = date(1948, 10, 2)
    good = honours.enter_person(
        person,
        scope,
        {
            "name": "李秀兰",
            "birth_date": born,
            "id_number": id_number(born, male=False),
            "phone": "13803350088",
            "region_id": street.id,
            "address": "文化路8号2单元101",
            "hardship_notes": "独居老人",
        },
        now=now,
    )
    honours.record_consent(person, scope, good.id, is_given=True, now=now)
    honours.set_person_photo(
        person,
        scope,
        good.id,
        stream=_png(),
        filename=f"{name}拍摄.png",
        now=now,
        settings=current_settings().uploads,
    )
    honours.show_person(
        good, scope, viewer_id=person.id, channel=ViewChannel.page, place="honours.person", now=now
    )
    county = honours.award_honour(
        person,
        scope,
        {
            "person_id": good.id,
            "honour_type_id": honours.find_honour_type_by_code("good_person_county").id,
            "awarded_on": date(2025, 9, 1),
            "source": HonourSource.archive,
        },
        now=now,
    )
    honours.correct_honour(
        person,
        scope,
        county.id,
        {"decision_number": "海文明〔2025〕12号"},
        reason="补录文号",
        now=now,
    )

    city = honours.scope_of(office, now)
    own_birth = date(1990, 4, 8)
    record = honours.enter_person(
        office,
        city,
        {
            "name": name,
            "birth_date": own_birth,
            "id_number": id_number(own_birth),
            "phone": person.phone,
            "volunteer_phone": person.phone,
            "region_id": street.id,
            "story": f"{name}常年义务清扫海滨步道",
        },
        now=now,
    )
    honours.correct_person(
        office, city, record.id, {"address": "文化路16号"}, reason="补录住址", now=now
    )
    own = honours.award_honour(
        office,
        city,
        {
            "person_id": record.id,
            "honour_type_id": honours.find_honour_type_by_code("good_person_city").id,
            "awarded_on": date(2025, 3, 5),
            "source": HonourSource.archive,
        },
        now=now,
    )
    _certify(office, record, own, "甲", now)
    honours.show_person(
        record, city, viewer_id=office.id, channel=ViewChannel.api, place="api.honours", now=now
    )
    held = rounds.create_round(
        office,
        {
            "name": "2025年3月“秦皇岛好人”月评",
            "kind": "monthly",
            "honour_type_id": honours.find_honour_type_by_code("good_person_city").id,
            "opens_on": date(2025, 3, 1),
            "closes_on": date(2025, 3, 20),
        },
        now=now,
    )
    rounds.open_round(office, held.id, now=now)
    rounds.close_round(office, held.id, now=now)
    db.session.add(
        RoundDecision(
            round_id=held.id,
            document_number="秦文明委〔2025〕3号",
            decided_on=date(2025, 3, 28),
            recorded_by_id=office.id,
            recorded_at=now,
        )
    )
    return record


def _on_a_notice(person: User, name: str, office: User, now: datetime) -> None:
    """The office opens a round's public notice with a nomination of 海港区 on it; the person,
    their phone verified, likes it and objects to it in words that name them; the office
    answers the objection."""
    round_ = open_round(office)
    entry = make_nomination(round_, region("haigang-wenhualu"), stage=Stage.panel, name="钱守义")
    db.session.add_all(
        [
            NominationConsent(
                nomination_id=entry.id,
                agreed=True,
                giver=ConsentGiver.nominee,
                method=ConsentMethod.verified_phone,
                phone="13903350078",
                recorded_by_id=entry.created_by_id,
                recorded_at=now,
            ),
            PanelTally(
                nomination_id=entry.id,
                votes_for=3,
                votes_against=0,
                abstentions=0,
                mean_score=80.0,
                excluded_user_ids=[],
                closed_by_id=entry.created_by_id,
                closed_at=now,
            ),
        ]
    )
    db.session.flush()
    notice.open_notice(office, round_.id, [entry.id], now=now)
    person.phone_verified_at = now
    notice.like(person, entry.id, now=now)
    objection = notice.file_objection(
        person, entry.id, f"我是{name}，据我所知事迹有出入。", is_name_confirmed=True, now=now
    )
    notice.answer_objection(office, objection.id, "dismissed", "经核实，事迹属实。", now=now)


def _nominating(person: User, office: User, now: datetime) -> None:
    """The person, their phone verified, nominates a neighbour through the public form with a
    life photo, in a round the office opened today."""
    ensure_regions(demo_communities=True)
    held = rounds.create_round(
        office,
        {
            "name": "本月“秦皇岛好人”月评",
            "kind": "monthly",
            "honour_type_id": honours.find_honour_type_by_code("good_person_city").id,
            "opens_on": local_day(now),
            "closes_on": local_day(now) + timedelta(days=10),
        },
        now=now,
    )
    rounds.open_round(office, held.id, now=now)
    person.phone_verified_at = now
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 160, 40)).save(photo, format="PNG")
    photo.seek(0)
    nominate(
        person,
        {
            "round_id": held.id,
            "nominee_name": "孙淑珍",
            "region_id": region("haigang-wenhualu-01").id,
            "category": "helping_others",
            "summary": "二十年义务为社区老人理发",
            "deeds": "她每周六在社区为行动不便的老人上门理发，风雨无阻。" * 40,
        },
        now=now,
        incoming=[Incoming(Attachment.life_photo, photo, f"{person.display_name}拍摄.png")],
        settings=current_settings().uploads,
    )


def make_people(now: datetime) -> People:
    """The volunteer 欧阳志远 (a team leader too), a merchant clerk and an office account, with
    rows everywhere; see the module's docstring."""
    name = "欧阳志远"
    volunteer = make_user(display_name=name, password=DEFAULT_PASSWORD)
    volunteer.email = f"zhiyuan{volunteer.phone}@example.com"
    office = make_user(role=Role.office, display_name="文明办刘主任")
    office.email = "office@example.com"
    db.session.flush()
    campaign = make_campaign()

    _as_leader(volunteer, campaign, now)
    upcoming, waiting = _as_volunteer(volunteer, name, campaign, now)

    merchant, clerk, (item,) = make_merchant(name="爱心超市")
    code = points.issue_redeem_code(volunteer, now=now, lifetime_minutes=5)
    points.redeem(clerk, code=code.code, lines=[(item.id, 1)], key="people-volunteer", now=now)
    points.issue_redeem_code(volunteer, now=now, lifetime_minutes=5)
    buyer = make_user(display_name="顾客")
    give_points(buyer, 50)
    bought = points.issue_redeem_code(buyer, now=now, lifetime_minutes=5)
    sale, _ = points.redeem(clerk, code=bought.code, lines=[(item.id, 1)], key="people-b", now=now)
    points.reverse_redemption(clerk, sale.id, reason="点错了", now=now, window_days=7)

    # The office acts on the volunteer's account and on others'.
    admin.show_phone(office, volunteer.id, now=now)
    recovery.create_reset_link(office, volunteer.id, now=now)
    recovery.ask_for_email_proof(volunteer, now=now, mail_enabled=True)
    applied = volunteers.apply_for_team(
        make_user(display_name="申请人"),
        name="青龙义剪志愿服务队",
        district_id=merchant.district_id,
        categories=["free_haircut"],
        description="",
        now=now,
    )
    volunteers.decide_team(office, applied.id, approve=True, reason=None, now=now)
    _certificate(volunteer, office, now)
    other = _certificate(make_user(display_name="另一位志愿者"), office, now)
    certificates.revoke_document(office, other.id, reason="信息有误", now=now)
    record = _in_the_register(volunteer, name, office, now)
    _carded(volunteer, record, merchant, clerk, office, now)
    _nominating(volunteer, office, now)
    _on_a_notice(volunteer, name, office, now)
    review_as_district_clerk(volunteer, office, region("haigang-wenhualu-01"), now)
    _on_the_panel(volunteer, office, now)
    _governing(volunteer, office, now)
    caring(volunteer, office, now)
    gifting(volunteer, office, now)

    for person in (volunteer, clerk, office):
        person.email = person.email or f"{person.phone}@example.com"
        _inbox_and_credentials(person, now)
    db.session.flush()
    return People(
        volunteer=volunteer,
        clerk=clerk,
        office=office,
        upcoming=upcoming,
        waiting=waiting,
        phone=volunteer.phone,
        name=name,
        email=volunteer.email,
        record=record,
    )


def _carded(
    person: User, record: Person, merchant, merchant_clerk: User, office: User, now: datetime
) -> None:
    """The office makes the merchant a card partner with a benefit; as district clerk the
    person issues a courtesy card to their own record and reports it lost once the office has
    handed it over; the office hands over the replacement, and the merchant's clerk checks it
    and records a use."""
    settings = current_settings()
    partner = partners.register_partner(
        office,
        PartnerDetails(name="爱心超市（礼遇）", kind=PartnerKind.merchant, merchant_id=merchant.id),
        now=now,
    )
    partners.approve_partner(office, partner.id, now=now)
    benefit = create_benefit(
        office,
        BenefitDetails(
            name="购物九折",
            area=BenefitArea.shopping,
            kind=BenefitKind.discount,
            partner_ids=(partner.id,),
            discount_percent=90,
        ),
        now=now,
    )
    clerk, city = honours.scope_of(person, now), honours.scope_of(office, now)

    def handed_over(card):
        cards.print_cards(
            office,
            city,
            card_ids=[card.id],
            now=now,
            secret=settings.check_in_secret,
            uploads=settings.uploads,
        )
        return cards.hand_over(office, city, card.id, now=now)

    first = handed_over(cards.issue_card(person, clerk, record.id, valid_until=None, now=now))
    lost = cards.report_lost(person, clerk, first.id, note="在公交车上丢失", now=now)
    card = handed_over(lost.replacement)
    verification.check_card(
        merchant_clerk, number=card.number, partner_id=partner.id, now=now, settings=settings
    )
    verification.record_use(
        merchant_clerk,
        card_id=card.id,
        benefit_id=benefit.id,
        partner_id=partner.id,
        now=now,
        settings=settings,
    )


def _on_the_panel(person: User, office: User, now: datetime) -> None:
    """The person sits on a round's panel (the office put them there) and voted on a nomination
    whose review the office closed. As a district clerk, the person records a nominee's consent;
    and the office's own phone proved an answer given for a relative of theirs."""
    round_ = open_round(office)
    db.session.add(
        PanelMember(
            round_id=round_.id, user_id=person.id, assigned_by_id=office.id, assigned_at=now
        )
    )
    voted = make_nomination(
        round_, region("haigang-wenhualu"), stage=Stage.panel, by=office, name="赵德义"
    )
    db.session.add(
        PanelVote(
            nomination_id=voted.id, reviewer_id=person.id, vote=Vote.approve, score=90, voted_at=now
        )
    )
    db.session.flush()
    panel.close_review(office, voted.id, now=now)
    for recorder, giver, phone in (
        (person, ConsentGiver.nominee, "13903350077"),
        (office, ConsentGiver.relative, office.phone),
    ):
        named = giver is not ConsentGiver.nominee
        db.session.add(
            NominationConsent(
                nomination_id=voted.id,
                agreed=True,
                giver=giver,
                giver_name="赵明" if named else None,
                relation="儿子" if named else None,
                method=ConsentMethod.verified_phone,
                phone=phone,
                recorded_by_id=recorder.id,
                recorded_at=now,
            )
        )
    db.session.flush()


def _governing(volunteer: User, office: User, now: datetime) -> None:
    """The office enters clauses, receives a breach case about a good person with evidence,
    revokes the person's honour, closes the recall task and gives the honour back after review;
    applies for a benefit on another holder's behalf; makes a bus company's service token and
    revokes it. The volunteer, as the bus company's staff, fetches its list."""
    place = region("haigang-wenhualu-01")
    made = make_clauses(office)
    person, honour, _card, _document = make_holder(place, office, name="秦守信")
    case = report(
        office, person, [made["p1"]], source=SourceKind.clerk, source_name="12345热线", now=now
    )
    breach_cases.add_evidence(
        office,
        case.id,
        Evidence(stream=_png(), filename="现场照片.png"),
        now=now,
        settings=current_settings().uploads,
    )
    revoked = revoke(office, person, [honour], now=now)
    revocation.close_recall_task(office, revoked.recall_task.id, recovered=True, note=None, now=now)
    revocation.reinstate_honours(office, revoked.id, reason="复核认定证据不足", now=now)

    applicant = make_honoured(place, office, name="秦申请")
    make_card(applicant, office)
    department = make_department("市教育局", office=office)
    benefit = make_application_benefit(department)
    applications.apply_for(
        office,
        honours.scope_of(office, now),
        applicant.id,
        applications.ApplicationDetails(
            benefit_id=benefit.id, department_id=department.id, asked="孩子明年秋季升入初中"
        ),
        now=now,
    )

    bus = make_bus_partner(office=office)
    partners.add_partner_staff(office, bus.id, phone=volunteer.phone, now=now)
    made_export = make_export(bus, now=now)
    assert made_export is not None
    issued = make_service_token(bus, office, now=now)
    bus_accounts.revoke_service_token(office, bus.id, issued.token.id, now=now)
    bus_list.read_list(volunteer, now=now, channel=FetchChannel.download)
