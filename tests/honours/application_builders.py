"""Builders for the benefits by application: a department (a partner of kind department) with
its staff, a benefit given by application, an application at a given status. They add and
flush, and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from honours.application_models import ApplicationResult, ApplicationStatus, BenefitApplication
from honours.card_models import Benefit, BenefitArea, BenefitKind, Partner, PartnerKind
from honours.models import HonourLevel, Person
from honours.services import applications
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places, scope
from tests.honours.card_builders import make_card, make_honoured
from tests.honours.partner_builders import make_benefit, make_partner, make_partner_staff

ASKED = "孩子今年升入初中一年级，申请就近入学"


def make_department(name: str = "市教育局", **values) -> Partner:
    """An approved department of the city (no district)."""
    return make_partner(name=name, kind=PartnerKind.department, district_code=None, **values)


def make_application_benefit(
    *departments: Partner,
    name: str = "子女入学帮扶",
    area: BenefitArea = BenefitArea.schooling,
    lowest_level: HonourLevel = HonourLevel.city,
    **values,
) -> Benefit:
    """A benefit given by application (no limit, no value), handled by the departments."""
    return make_benefit(
        *departments,
        name=name,
        area=area,
        kind=BenefitKind.application,
        value_fen=0,
        limit_count=None,
        limit_period=None,
        lowest_level=lowest_level,
        **values,
    )


@dataclass
class Ground:
    """The city's places, the office (the city), the clerks of 文化里社区 up to 海港区, a district
    clerk of 山海关区, a good person of 文化里社区 with an account and an active card, a
    department (市教育局) with its staff, another department with its own, and a schooling
    benefit that both handle."""

    places: dict
    office: User
    community: User
    street: User
    district: User
    other_district: User
    holder: User
    person: Person
    department: Partner
    staff: User
    other_department: Partner
    other_staff: User
    benefit: Benefit

    def details(self, **values) -> applications.ApplicationDetails:
        fields = {
            "benefit_id": self.benefit.id,
            "department_id": self.department.id,
            "asked": ASKED,
            **values,
        }
        return applications.ApplicationDetails(**fields)


def application_ground() -> Ground:
    places = make_places()
    office = make_office()
    holder = make_user(display_name="王德明")
    person = make_honoured(places["wenhuali"], office, name="王德明", user=holder)
    make_card(person, office)
    department = make_department("市教育局", office=office)
    other_department = make_department("市人社局", office=office)
    return Ground(
        places=places,
        office=office,
        community=make_clerk(AssignmentKind.community_clerk, places["wenhuali"]),
        street=make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
        district=make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        other_district=make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]),
        holder=holder,
        person=person,
        department=department,
        staff=make_partner_staff(department, name="教育局经办人"),
        other_department=other_department,
        other_staff=make_partner_staff(other_department, name="人社局经办人"),
        benefit=make_application_benefit(department, other_department, office=office),
    )


def make_application(
    ground: Ground,
    status: ApplicationStatus = ApplicationStatus.applied,
    *,
    at=NOW,
    asked: str = ASKED,
) -> BenefitApplication:
    """An application of the ground's person, made by their community clerk and taken by the
    services through each step to `status` (an hour apart)."""
    g = ground
    application = applications.apply_for(
        g.community, scope(g.community), g.person.id, g.details(asked=asked), now=at
    )
    path = {
        ApplicationStatus.proposed: ("propose",),
        ApplicationStatus.approved: ("propose", "approve"),
        ApplicationStatus.in_hand: ("propose", "approve", "acknowledge"),
        ApplicationStatus.closed: ("propose", "approve", "acknowledge", "close"),
        ApplicationStatus.declined: ("decline",),
    }.get(status, ())
    for n, step in enumerate(path, start=1):
        when = at + timedelta(hours=n)
        if step == "propose":
            applications.propose(
                g.district, scope(g.district), application.id, opinion="同意推荐", now=when
            )
        elif step == "approve":
            applications.approve(
                g.office, scope(g.office), application.id, opinion="同意", now=when
            )
        elif step == "decline":
            applications.decline(
                g.district, scope(g.district), application.id, opinion="不符合条件", now=when
            )
        elif step == "acknowledge":
            applications.acknowledge(g.staff, application.id, note="已受理", now=when)
        else:
            applications.close(
                g.staff,
                application.id,
                result=ApplicationResult.granted,
                outcome="已安排就近入学",
                now=when,
            )
    return application
