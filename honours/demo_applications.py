"""Demo benefits by application (礼遇申请): 市人社局 and 市教育局 as card partners of the kind
department with a staff account each, a benefit of help with a job and one with a school
place, and applications of the demo's good people of 海港区 at every status: just made, proposed
by the district, approved by the city, in hand, closed (granted, and not granted) and declined.
One of the applicants has an account of their own, to see their applications on their card's
page."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.auth.models import Role, User
from core.auth.services import find_user_by_phone
from core.clock import utcnow
from core.demo import OFFICE, ensure_account
from core.extensions import db
from core.regions_demo import CLERKS
from honours.application_models import ApplicationResult
from honours.card_models import (
    BenefitArea,
    BenefitKind,
    CardStatus,
    CourtesyCard,
    Partner,
    PartnerKind,
)
from honours.models import HonourLevel, Person
from honours.services import applications, partners
from honours.services.benefits import BenefitDetails, create_benefit
from honours.services.partners import PartnerDetails
from honours.services.scope import scope_of

# (name, address, contact, staff account (phone, name)).
DEPARTMENTS = [
    (
        "秦皇岛市人力资源和社会保障局",
        "海港区河北大街西段 146 号",
        ("就业服务科 冯科长", "03353031101"),
        ("13400000011", "人社局经办人 陈晓东"),
    ),
    (
        "秦皇岛市教育局",
        "海港区建设大街 112 号",
        ("基础教育科 褚科长", "03353031102"),
        ("13400000012", "教育局经办人 卫丽华"),
    ),
]
# The account of one applicant, linked to their record in the register.
HOLDER = ("13400000013", "好人 本人账号")
STAFF_PHONES = tuple(account[0] for *_, account in DEPARTMENTS)
PHONES = (*STAFF_PHONES, HOLDER[0])
# (name, area, department by index, description).
BENEFITS = [
    (
        "就业帮扶：推荐就业岗位",
        BenefitArea.employment,
        0,
        "本人或家庭成员求职，由市人社局优先推荐岗位、免费参加职业技能培训。",
    ),
    (
        "子女入学帮扶：就近入学",
        BenefitArea.schooling,
        1,
        "子女升入小学、初中，由市教育局协调就近入学。",
    ),
]
# (benefit by index, what is asked, how far it goes, and for a closed one its result).
APPLICATIONS = [
    (1, "女儿今年升入初中一年级，希望就近入读海港区第一中学", "closed", ApplicationResult.granted),
    (0, "儿子大专毕业待业，希望推荐物流或仓储类岗位", "closed", ApplicationResult.not_granted),
    (0, "本人下岗，希望参加家政服务技能培训并推荐岗位", "in_hand", None),
    (1, "儿子升入小学一年级，户籍与居住地不一致，申请就近入学", "approved", None),
    (0, "爱人失业，希望推荐社区公益性岗位", "proposed", None),
    (1, "孙女随迁入学，申请就读小学二年级", "applied", None),
    (0, "本人已有稳定工作，申请为亲属推荐岗位", "declined", None),
]
DISTRICT = "haigang"
STEPS = {
    "applied": (),
    "proposed": ("propose",),
    "approved": ("propose", "approve"),
    "in_hand": ("propose", "approve", "acknowledge"),
    "closed": ("propose", "approve", "acknowledge", "close"),
    "declined": ("decline",),
}


def _departments(office: User, since: datetime) -> tuple[list[Partner], list[User]]:
    made, staff = [], []
    for name, address, (contact, phone), (staff_phone, staff_name) in DEPARTMENTS:
        partner = partners.register_partner(
            office,
            PartnerDetails(
                name=name,
                kind=PartnerKind.department,
                address=address,
                contact_name=contact,
                contact_phone=phone,
            ),
            now=since,
        )
        partners.approve_partner(office, partner.id, now=since)
        user = find_user_by_phone(staff_phone) or ensure_account(
            staff_phone, staff_name, Role.volunteer
        )
        partners.add_partner_staff(office, partner.id, phone=user.phone, now=since)
        made.append(partner)
        staff.append(user)
    return made, staff


def _applicants(count: int) -> list[Person]:
    """Persons of 海港区 holding an active card, the first by number."""
    return list(
        db.session.scalars(
            select(Person)
            .join(CourtesyCard, CourtesyCard.person_id == Person.id)
            .where(
                CourtesyCard.status == CardStatus.active,
                Person.district.has(code=DISTRICT),
                Person.user_id.is_(None),
            )
            .order_by(Person.id)
            .limit(count)
        )
    )


def load() -> list[tuple[str, str, str]]:
    """Create the demo's departments, their benefits and the applications unless they are
    there; return the departments' staff and the applicant's accounts as (role, phone, name)."""
    accounts = [("partner_staff", *account) for *_, account in DEPARTMENTS]
    accounts.append(("volunteer", *HOLDER))
    if find_user_by_phone(STAFF_PHONES[0]) is not None:
        return accounts
    now = utcnow()
    since = now - timedelta(days=60)
    office = find_user_by_phone(OFFICE[0])
    district = find_user_by_phone(
        next(phone for phone, _name, kind, _region in CLERKS if kind.value == "district_clerk")
    )
    departments, staff = _departments(office, since)
    benefits = [
        create_benefit(
            office,
            BenefitDetails(
                name=name,
                area=area,
                kind=BenefitKind.application,
                partner_ids=(departments[index].id,),
                description=text,
                lowest_level=HonourLevel.city,
            ),
            now=since,
        )
        for name, area, index, text in BENEFITS
    ]
    persons = _applicants(len(APPLICATIONS))
    holder = ensure_account(*HOLDER, Role.volunteer)
    persons[0].user_id = holder.id
    for n, (person, (which, asked, status, result)) in enumerate(
        zip(persons, APPLICATIONS, strict=False)
    ):
        benefit = benefits[which]
        department, worker = departments[BENEFITS[which][2]], staff[BENEFITS[which][2]]
        at = since + timedelta(days=5 + 6 * n)
        application = applications.apply_for(
            office,
            scope_of(office, at),
            person.id,
            applications.ApplicationDetails(benefit.id, department.id, asked),
            now=at,
        )
        for day, step in enumerate(STEPS[status], start=1):
            when = at + timedelta(days=day * 2)
            if step == "propose":
                applications.propose(
                    district,
                    scope_of(district, when),
                    application.id,
                    opinion="经社区走访核实，情况属实，同意推荐。",
                    now=when,
                )
            elif step == "approve":
                applications.approve(
                    office,
                    scope_of(office, when),
                    application.id,
                    opinion="同意，请相关部门按规定办理。",
                    now=when,
                )
            elif step == "decline":
                applications.decline(
                    district,
                    scope_of(district, when),
                    application.id,
                    opinion="申请人本人已稳定就业，不属于帮扶范围。",
                    now=when,
                )
            elif step == "acknowledge":
                applications.acknowledge(
                    worker, application.id, note="已受理，正在对接。", now=when
                )
            else:
                applications.close(
                    worker,
                    application.id,
                    result=result,
                    outcome=(
                        "已协调就近入学，9月1日报到。"
                        if result is ApplicationResult.granted
                        else "已推荐三个岗位，申请人均未达成意向，暂不安排。"
                    ),
                    now=when,
                )
    return accounts
