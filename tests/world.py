"""A small world of two of everyone (A and B): for tests that ask who may reach what, such as
the authorization matrix. Each side has a volunteer, a team leader with a team, an activity,
shifts, sign-ups, a check-in, a correction request and a join request, a merchant with its
staff, catalogue and a redemption, a service certificate of the volunteer, a photo the
volunteer uploaded (of a kind only its uploader may see), a person of the register (好人库)
with an honour, an office account, and the scoped roles of the side's places (a community, a
street and a district clerk, a panel reviewer of the side's round, a media editor and the staff
of the side's courtesy-card partner) with a nomination of its person that the side's community
clerk submitted to the street, and the person's courtesy card, used once at the partner; every
user has a notification (the volunteer's email of it failed) and an API token. The sides live
in districts of their own, so that one side's clerks act nowhere near the other's objects.
Builders add and flush, and never commit."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from certificates import services as certificates
from certificates.models import DocumentKind, IssuedDocument, SubjectKind
from core import workdays
from core.auth import assignments
from core.auth import services as auth
from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import ApiToken, Role, User
from core.clock import local_day
from core.districts import District
from core.extensions import db
from core.regions import Region, ensure_regions
from core.settings import current_settings
from core.uploads import services as uploads
from core.uploads.models import Upload
from core.workdays import DayKind, Holiday
from events import services as events
from events.models import Activity, CheckIn, CorrectionRequest, Shift, SignUp
from honours import services as honours
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    BenefitPartner,
    CardCheck,
    CardStatus,
    CardUse,
    CheckOutcome,
    CourtesyCard,
    LimitPeriod,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import Honour, HonourLevel, HonourSource, Person, Round
from honours.nomination_models import (
    ConsentGiver,
    ConsentMethod,
    Nomination,
    NominationConsent,
    Objection,
    PanelMember,
    PanelTally,
    Stage,
    StepAction,
)
from honours.services import notice, pipeline, rounds
from honours.services.nomination_files import Attachment, Incoming, attach
from points import services as points
from points.models import CatalogItem, Merchant, Redemption
from reminders.models import EmailStatus, Notification, NotificationKind
from tests.builders import (
    give_points,
    make_activity,
    make_campaign,
    make_merchant,
    make_shift,
    make_team,
    make_user,
)
from tests.care import world_care, world_flowers
from tests.honours import world_applications, world_bus, world_conduct, world_revocations
from tests.honours.nomination_builders import DEEDS, make_nomination
from tests.points import world_gifts
from tests.reminders import world_messages
from volunteer import services as volunteers
from volunteer.models import Membership, Team

# Volunteers by role holding an assignment (core.auth.assignments), by the kind they hold.
SCOPED = (
    AssignmentKind.community_clerk,
    AssignmentKind.street_clerk,
    AssignmentKind.district_clerk,
    AssignmentKind.panel_reviewer,
    AssignmentKind.media_editor,
    AssignmentKind.partner_staff,
)
# The keys of Side.users: a role, or the kind of assignment a volunteer holds.
ROLES = ("volunteer", "leader", *(kind.value for kind in SCOPED), "merchant_staff", "office")
SCOPED_NAMES = {
    AssignmentKind.community_clerk: "社区专干",
    AssignmentKind.street_clerk: "街道专干",
    AssignmentKind.district_clerk: "区文明办专干",
    AssignmentKind.panel_reviewer: "评议员",
    AssignmentKind.media_editor: "媒体编辑",
    AssignmentKind.partner_staff: "验卡员",
}
# Each side's district and the community of its person, its nomination and its clerks.
PLACES = {"甲": ("haigang", "haigang-haibinlu-01"), "乙": ("shanhaiguan", "shanhaiguan-gucheng-01")}

# A kind of upload as an owning package registers one: only the one who uploaded it sees it.
WORLD_UPLOAD_KIND = "world_photo"
uploads.register_kind(
    WORLD_UPLOAD_KIND,
    may_read=lambda user, upload, now: user is not None and upload.uploaded_by_id == user.id,
)


SIDE_EXTENSIONS = (
    world_revocations.extend,
    world_conduct.extend,
    world_bus.extend,
    world_applications.extend,
    world_care.extend,
    world_flowers.extend,
    world_gifts.extend,
    world_messages.extend,
)


@dataclass
class Side:
    """What one side (A or B) holds. `users` and `notifications` and `tokens` are by role (a
    scoped role by the kind of its assignment); `round` is the side's own, on whose panel the
    side's panel reviewer sits."""

    tag: str
    users: dict[str, User]
    team: Team
    activity: Activity
    upcoming: Shift
    past: Shift
    membership: Membership
    join_request: Membership
    sign_up: SignUp
    check_in: CheckIn
    correction: CorrectionRequest
    merchant: Merchant
    item: CatalogItem
    redemption: Redemption
    certificate: IssuedDocument
    upload: Upload
    person: Person
    honour: Honour
    round: Round
    nomination: Nomination
    partner: Partner
    benefit: Benefit
    card: CourtesyCard
    card_use: CardUse
    card_check: CardCheck
    notifications: dict[str, Notification] = field(default_factory=dict)
    tokens: dict[str, tuple[ApiToken, str]] = field(default_factory=dict)
    # The objects of later features, each made by its own module (SIDE_EXTENSIONS): the path
    # variables that name them, with their ids, and what of them is private to the side.
    ids: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def private_texts(self) -> list[str]:
        """What no one outside the side (but the office) may read: the phones and names of
        its plain volunteers, its staff's, clerks' and office's phones, a correction's message, a
        token's name, an upload's file name, the ID number and phone of its person of the
        register, its nomination's nominee phone, nominator's phone, deeds and its file's name."""
        volunteer, applicant = self.users["volunteer"], self.join_request.user
        nominator = self.nomination.nominators[0]
        return [
            volunteer.phone,
            volunteer.display_name,
            applicant.phone,
            applicant.display_name,
            self.users["leader"].phone,
            self.users["merchant_staff"].phone,
            self.users["office"].phone,
            *(self.users[kind.value].phone for kind in SCOPED),
            self.nomination.nominee_phone,
            nominator.contact_phone,
            self.nomination.deeds[:30],
            *(each.upload.filename for each in self.nomination.files),
            self.correction.message,
            self.tokens["volunteer"][0].name,
            self.certificate.check_code,
            self.upload.filename,
            self.person.id_number,
            self.person.phone,
            self.partner.contact_phone,
            *self.texts,
        ]


@dataclass
class World:
    """Beside the sides: the holiday calendar's date and the office's assignment of A's media
    editor (it acts in no region, so the sides stay alike). `round` is A's: an open round of
    nominations with quotas for both sides' districts; B's panel reviewer sits on B's round
    only, so that A's nomination stays out of their reach at every stage."""

    a: Side
    b: Side
    check_in_code: str
    holiday: Holiday | None = None
    assignment: RoleAssignment | None = None
    # A nomination of A's person on the public notice (公示) of A's round, and an objection to
    # it by A's volunteer.
    notice_entry: Nomination | None = None
    objection: Objection | None = None

    @property
    def round(self) -> Round:
        return self.a.round


def _person(tag: str, what: str, role: Role = Role.volunteer) -> User:
    return make_user(role=role, display_name=f"{what}{tag}")


def _side(tag: str, campaign, city: User, now: datetime) -> Side:
    volunteer = _person(tag, "志愿者")
    leader = _person(tag, "队长")
    applicant = _person(tag, "申请人")
    office = _person(tag, "文明办", Role.office)
    district_code, community_code = PLACES[tag]

    team = make_team(leader, name=f"志愿服务队{tag}", district_code=district_code)
    membership = volunteers.request_to_join(volunteer, team.id, now=now)
    volunteers.decide_join_request(leader, membership.id, approve=True, reason=None, now=now)
    join_request = volunteers.request_to_join(applicant, team.id, now=now)

    activity = make_activity(team, campaign, leader=leader)
    upcoming = make_shift(activity, starts_in_hours=48, capacity=1)
    past = make_shift(activity, starts_in_hours=-6, hours=4)
    events.sign_up(volunteer, upcoming.id, now=now)
    sign_up = events.sign_up(volunteer, past.id, now=past.starts_at - timedelta(hours=1))
    check_in = events.check_in_by_leader(
        leader,
        past.id,
        phone=volunteer.phone,
        now=past.starts_at + timedelta(minutes=5),
        leader_days=7,
    )
    correction = events.request_correction(
        volunteer,
        past.id,
        checked_in_at=past.starts_at,
        checked_out_at=past.ends_at,
        message=f"更正{tag}：我准时到了",
        now=now,
    )

    merchant, staff, (item,) = make_merchant(name=f"爱心商家{tag}")
    staff.display_name = f"店员{tag}"
    give_points(volunteer, 100)
    code = points.issue_redeem_code(volunteer, now=now, lifetime_minutes=5)
    redemption, _ = points.redeem(
        staff, code=code.code, lines=[(item.id, 1)], key=f"world-{tag}", now=now
    )

    certificate = _certificate(volunteer, office, now)
    upload = _photo(volunteer, tag, now)
    community = db.session.scalar(select(Region).where(Region.code == community_code))
    person, honour = _good_person(office, community, tag, now)
    partner = _partner(office, community, tag, now)
    scoped = _scoped(office, community, partner, tag, now)
    round_ = _round(city, tag, now)
    db.session.add(
        PanelMember(
            round_id=round_.id,
            user_id=scoped["panel_reviewer"].id,
            assigned_by_id=city.id,
            assigned_at=now,
        )
    )
    nomination = _nomination(round_, person, scoped["community_clerk"], tag, now)
    benefit, card, card_use, card_check = _courtesy(
        office, partner, person, scoped["partner_staff"], tag, now
    )

    side = Side(
        tag=tag,
        users={
            "volunteer": volunteer,
            "leader": leader,
            "merchant_staff": staff,
            "office": office,
            **scoped,
        },
        team=team,
        activity=activity,
        upcoming=upcoming,
        past=past,
        membership=membership,
        join_request=join_request,
        sign_up=sign_up,
        check_in=check_in,
        correction=correction,
        merchant=merchant,
        item=item,
        redemption=redemption,
        certificate=certificate,
        upload=upload,
        person=person,
        honour=honour,
        round=round_,
        nomination=nomination,
        partner=partner,
        benefit=benefit,
        card=card,
        card_use=card_use,
        card_check=card_check,
    )
    for role, user in side.users.items():
        side.notifications[role] = Notification(
            user_id=user.id,
            kind=NotificationKind.points_earned,
            subject=f"world:{user.id}",
            params={"amount": 30, "memo": f"通知{tag}"},
            created_at=now,
        )
        if role == "volunteer":
            # An email the server refused, so that the office's list of them shows a line.
            side.notifications[role].email_status = EmailStatus.failed
            side.notifications[role].email_attempts = 1
            side.notifications[role].email_error = f"SMTPDataError: (550, 'refused {tag}')"
        db.session.add(side.notifications[role])
        side.tokens[role] = auth.issue_token(user, now=now, days=1, name=f"手机{tag}{role}")
    db.session.flush()
    for extend in SIDE_EXTENSIONS:
        extend(side, now)
    return side


def _certificate(volunteer: User, office: User, now: datetime) -> IssuedDocument:
    """A service certificate of the volunteer, entered in the register as the office would
    (the world's attendance is not confirmed, so there are no hours to certify by the rules)."""
    settings = current_settings().certificates
    content = {
        "name": volunteer.display_name,
        "masked_name": certificates.mask_name(volunteer.display_name),
        "identity": {"kind": "volunteer_number", "value": f"{volunteer.id:08d}"},
        "first_day": "2026-03-05",
        "last_day": "2026-03-05",
        "total_shifts": 1,
        "total_minutes": 120,
        "total_hours": 2.0,
        "years": [{"year": 2026, "shifts": 1, "hours": 2.0}],
        "campaigns": [{"year": 2026, "campaign": "学雷锋志愿服务月", "shifts": 1, "hours": 2.0}],
        "teams": [],
        "issuer": settings.issuer,
        "contact": settings.contact,
        "issued_on": "2026-03-06",
    }
    return certificates.issue_document(
        office,
        DocumentKind.service_certificate,
        subject_kind=SubjectKind.user,
        subject_id=volunteer.id,
        content=content,
        now=now,
        settings=settings,
    )


def _photo(volunteer: User, tag: str, now: datetime) -> Upload:
    """A small photo the volunteer uploaded, named so that a leak of the name would show."""
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(image, format="PNG")
    image.seek(0)
    return uploads.store_upload(
        volunteer,
        kind=WORLD_UPLOAD_KIND,
        stream=image,
        filename=f"照片{tag}.png",
        now=now,
        settings=current_settings().uploads,
    )


def _good_person(office: User, community: Region, tag: str, now: datetime) -> tuple[Person, Honour]:
    """A person of the register in the side's community, entered by the office, with an honour
    from an external listing and its certificate; ID numbers differ by side (their check digits
    are right)."""
    number = {"甲": "130302196005041414", "乙": "130302196005041430"}[tag]
    person = honours.enter_person(
        office,
        honours.scope_of(office, now),
        {
            "name": f"好人{tag}",
            "id_number": number,
            "phone": {"甲": "13803351001", "乙": "13803351002"}[tag],
            "region_id": community.id,
            "address": f"文化路{tag}号",
            "hardship_notes": f"困难{tag}",
        },
        now=now,
    )
    honour = honours.award_honour(
        office,
        honours.scope_of(office, now),
        {
            "person_id": person.id,
            "honour_type_id": honours.find_honour_type_by_code("good_person_hebei").id,
            "awarded_on": now.date().replace(month=1, day=1),
            "source": HonourSource.external,
            "source_url": "https://www.hebwmw.gov.cn/hbhr/",
        },
        now=now,
    )
    _certify(office, person, honour, tag, now)
    return person, honour


def _certify(office: User, person: Person, honour: Honour, tag: str, now: datetime) -> None:
    """The honour's certificate (荣誉证书) entered in the register of issued documents, its
    number on the honour, as a round's decision leaves them (honours.services.decision)."""
    settings = current_settings().certificates
    document = certificates.issue_document(
        office,
        DocumentKind.honour_certificate,
        subject_kind=SubjectKind.person,
        subject_id=person.id,
        content={
            "name": person.name,
            "masked_name": certificates.mask_name(person.name),
            "honour": honour.honour_type.name,
            "category": "助人为乐",
            "round": f"“秦皇岛好人”月评{tag}",
            "decision_number": f"秦文明委〔2026〕{tag}号",
            "decided_on": honour.awarded_on.isoformat(),
            "issuer": settings.issuer,
            "contact": settings.contact,
            "issued_on": honour.awarded_on.isoformat(),
        },
        now=now,
        settings=settings,
    )
    honour.certificate_number = document.number


def _partner(office: User, community: Region, tag: str, now: datetime) -> Partner:
    """An approved courtesy-card partner (a scenic spot) in the side's district."""
    partner = Partner(
        name=f"礼遇景区{tag}",
        kind=PartnerKind.scenic,
        district_id=community.parent.parent.district_id,
        address=f"山海关路{tag}号",
        contact_name=f"联系人{tag}",
        contact_phone={"甲": "13803352001", "乙": "13803352002"}[tag],
        status=PartnerStatus.approved,
        registered_at=now,
        registered_by_id=office.id,
        decided_at=now,
        decided_by_id=office.id,
    )
    db.session.add(partner)
    db.session.flush()
    return partner


def _courtesy(
    office: User, partner: Partner, person: Person, staff: User, tag: str, now: datetime
) -> tuple[Benefit, CourtesyCard, CardUse, CardCheck]:
    """The partner's benefit (free entry twice a year), the person's active card, one use of
    it at the partner and the check before it."""
    benefit = Benefit(
        name=f"免费游览{partner.name}",
        area=BenefitArea.scenic,
        kind=BenefitKind.free,
        value_fen=6000,
        limit_count=2,
        limit_period=LimitPeriod.year,
        lowest_level=HonourLevel.county,
        created_by_id=office.id,
        created_at=now,
    )
    db.session.add(benefit)
    db.session.flush()
    db.session.add(BenefitPartner(benefit_id=benefit.id, partner_id=partner.id))
    card = CourtesyCard(
        number={"甲": "1000000008", "乙": "1000000016"}[tag],
        person_id=person.id,
        status=CardStatus.active,
        valid_until=local_day(now) + timedelta(days=365),
        created_at=now,
        created_by_id=office.id,
        printed_at=now,
        activated_at=now,
    )
    db.session.add(card)
    db.session.flush()
    check = CardCheck(
        partner_id=partner.id,
        staff_id=staff.id,
        card_id=card.id,
        scanned=True,
        outcome=CheckOutcome.valid,
        checked_at=now,
    )
    use = CardUse(
        card_id=card.id,
        person_id=person.id,
        benefit_id=benefit.id,
        partner_id=partner.id,
        staff_id=staff.id,
        used_at=now,
        value_fen=benefit.value_fen,
        period_start=local_day(now).replace(month=1, day=1),
    )
    db.session.add_all([check, use])
    db.session.flush()
    return benefit, card, use, check


def _scoped(
    office: User, community: Region, partner: Partner, tag: str, now: datetime
) -> dict[str, User]:
    """A volunteer holding each kind of SCOPED, granted by the office: the clerks of the
    community, of its street and of its district, and the staff of the side's partner."""
    regions = {
        AssignmentKind.community_clerk: community,
        AssignmentKind.street_clerk: community.parent,
        AssignmentKind.district_clerk: community.parent.parent,
    }
    users = {}
    for kind in SCOPED:
        user = _person(tag, SCOPED_NAMES[kind])
        region = regions.get(kind)
        assignments.grant_assignment(
            office,
            user.id,
            kind,
            now=now,
            region_id=region.id if region else None,
            partner_id=partner.id if kind is AssignmentKind.partner_staff else None,
        )
        users[kind.value] = user
    return users


def _round(city: User, tag: str, now: datetime) -> Round:
    """A round opened by the city, running from today for twenty days, with a quota for each
    side's district."""
    today = local_day(now)
    round_ = rounds.create_round(
        city,
        {
            "name": f"{today:%Y年%m月}“秦皇岛好人”月评{tag}",
            "kind": "monthly",
            "honour_type_id": honours.find_honour_type_by_code("good_person_city").id,
            "opens_on": today,
            "closes_on": today + timedelta(days=20),
        },
        now=now,
    )
    districts = db.session.scalars(
        select(District).where(District.code.in_(code for code, _ in PLACES.values()))
    )
    rounds.set_quotas(city, round_.id, {district.id: 2 for district in districts}, now=now)
    return rounds.open_round(city, round_.id, now=now)


def _nomination(round_: Round, person: Person, clerk: User, tag: str, now: datetime) -> Nomination:
    """A territorial nomination of the side's person that the community clerk drafted and
    submitted to the street (before the panel, which no other side's reviewer sits on anyway),
    with the nominee's and the nominator's phones and deeds that would show if leaked."""
    nomination = make_nomination(
        round_,
        person.region,
        stage=Stage.draft,
        person=person,
        by=clerk,
        at=now,
        nominee_phone={"甲": "13803352001", "乙": "13803352002"}[tag],
        deeds=f"事迹{tag}：{DEEDS[:600]}",
    )
    nomination.nominators[0].contact_phone = {"甲": "13803353001", "乙": "13803353002"}[tag]
    # A life photo the clerk added to the draft, named so that a leak of the name would show.
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(image, format="PNG")
    image.seek(0)
    photo = Incoming(Attachment.life_photo, image, f"生活照{tag}.png")
    attach(clerk, nomination, photo, now=now, settings=current_settings().uploads)
    pipeline.record_step(nomination, StepAction.submitted, Stage.street, clerk, now=now)
    return nomination


def _notice(a: Side, city: User, now: datetime) -> tuple[Nomination, Objection]:
    """A nomination of A's person, its consent given and its panel review closed, on the
    public notice of A's round opened by the city; A's volunteer, whose phone is verified,
    likes it and objects to it."""
    entry = make_nomination(
        a.round,
        a.person.region,
        stage=Stage.panel,
        person=a.person,
        by=a.users["community_clerk"],
        at=now,
        summary="三十年如一日照顾瘫痪婆婆",
        deeds=f"公示事迹：{DEEDS[:850]}",
    )
    db.session.add_all(
        [
            NominationConsent(
                nomination_id=entry.id,
                agreed=True,
                giver=ConsentGiver.nominee,
                method=ConsentMethod.signed_form,
                form_upload_id=a.upload.id,
                recorded_by_id=a.users["community_clerk"].id,
                recorded_at=now,
            ),
            PanelTally(
                nomination_id=entry.id,
                votes_for=5,
                votes_against=0,
                abstentions=0,
                mean_score=90.0,
                excluded_user_ids=[],
                closed_by_id=city.id,
                closed_at=now,
            ),
        ]
    )
    db.session.flush()
    notice.open_notice(city, a.round.id, [entry.id], now=now)
    volunteer = a.users["volunteer"]
    volunteer.phone_verified_at = now
    notice.like(volunteer, entry.id, now=now)
    objection = notice.file_objection(
        volunteer, entry.id, f"异议{a.tag}：事迹与实际不符", is_name_confirmed=True, now=now
    )
    return entry, objection


def make_world(now: datetime) -> World:
    """Two sides alike, A and B, in one campaign, in districts of their own; the check-in code
    is A's past shift's, fresh at `now`."""
    ensure_regions(demo_communities=True)
    honours.ensure_honour_types()
    campaign = make_campaign()
    city = make_user(role=Role.office, display_name="市文明办")
    a = _side("甲", campaign, city, now)
    b = _side("乙", campaign, city, now)
    code, _ = events.check_in_code(
        a.users["leader"], a.past.id, now=now, secret=current_settings().check_in_secret
    )
    office = a.users["office"]
    holiday = workdays.add_holiday(office, day=date(2027, 1, 1), kind=DayKind.day_off, name="元旦")
    assignment = db.session.scalar(
        select(RoleAssignment).where(RoleAssignment.user_id == a.users["media_editor"].id)
    )
    notice_entry, objection = _notice(a, city, now)
    return World(
        a=a,
        b=b,
        check_in_code=code,
        holiday=holiday,
        assignment=assignment,
        notice_entry=notice_entry,
        objection=objection,
    )
