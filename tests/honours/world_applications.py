"""The side's objects of the applications feature in tests.world (see SIDE_EXTENSIONS there):
a department of the side's own (a partner of kind department) with a staff member of its own
(not in side.users: the side's partner staff work for its scenic spot), a benefit given by
application that it handles, and an application of the side's person, made by the side's
community clerk, proposed by its district and approved by the city, waiting for the
department. What is asked is private to the side."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.auth import assignments
from core.auth.assignments import AssignmentKind
from core.extensions import db
from honours.card_models import (
    Benefit,
    BenefitArea,
    BenefitKind,
    BenefitPartner,
    Partner,
    PartnerKind,
    PartnerStatus,
)
from honours.models import HonourLevel
from honours.services import applications, scope_of
from tests.builders import make_user

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """Add the side's applications objects: ids to side.ids, private texts to side.texts."""
    office = side.users["office"]
    department = Partner(
        name=f"市教育局{side.tag}",
        kind=PartnerKind.department,
        address=f"文化路{side.tag}号",
        contact_name=f"经办人{side.tag}",
        contact_phone={"甲": "13803354001", "乙": "13803354002"}[side.tag],
        status=PartnerStatus.approved,
        registered_at=now,
        registered_by_id=office.id,
        decided_at=now,
        decided_by_id=office.id,
    )
    benefit = Benefit(
        name=f"子女入学帮扶{side.tag}",
        area=BenefitArea.schooling,
        kind=BenefitKind.application,
        value_fen=0,
        lowest_level=HonourLevel.county,
        created_by_id=office.id,
        created_at=now,
    )
    db.session.add_all([department, benefit])
    db.session.flush()
    db.session.add(BenefitPartner(benefit_id=benefit.id, partner_id=department.id))
    staff = make_user(display_name=f"教育局经办人{side.tag}")
    assignments.grant_assignment(
        office, staff.id, AssignmentKind.partner_staff, now=now, partner_id=department.id
    )
    asked = f"孩子升入初一，申请就近入学{side.tag}"
    clerk = side.users["community_clerk"]
    application = applications.apply_for(
        clerk,
        scope_of(clerk, now),
        side.person.id,
        applications.ApplicationDetails(benefit.id, department.id, asked),
        now=now,
    )
    district = side.users["district_clerk"]
    applications.propose(
        district, scope_of(district, now), application.id, opinion=f"同意推荐{side.tag}", now=now
    )
    applications.approve(
        office,
        scope_of(office, now),
        application.id,
        opinion=f"同意{side.tag}",
        now=now + timedelta(seconds=1),
    )
    side.ids["application_id"] = application.id
    side.texts.extend([asked, department.contact_phone])
