"""Builders for the register's tests: places of the city's tree, clerks, valid ID numbers and
persons. They add and flush, and never commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy import select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import Role, User
from core.extensions import db
from core.regions import Region, ensure_regions
from honours import services
from honours.models import Person
from honours.services import rounds
from tests.builders import make_user

# A fixed moment (10:00 in Qinhuangdao): no test depends on the day it runs.
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_serials = count(101)


def id_number(birth: date, *, male: bool = True, area: str = "130302") -> str:
    """A valid 身份证号 for the birth date, with its check digit (a new serial each time)."""
    # The 17th digit is odd for men, even for women.
    serial = (next(_serials) * 2) % 1000 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def make_places() -> dict[str, Region]:
    """The city's tree with the demo's communities; the places the tests use by name."""
    ensure_regions(demo_communities=True)
    services.ensure_honour_types()
    return {
        "city": region("qinhuangdao"),
        "haigang": region("haigang"),
        "wenhualu": region("haigang-wenhualu"),
        "wenhuali": region("haigang-wenhualu-01"),
        "hongqilu": region("haigang-wenhualu-02"),
        "haibinlu": region("haigang-haibinlu"),
        "shanhaiguan": region("shanhaiguan"),
        "nanguan": region("shanhaiguan-nanguan-01"),
    }


def make_clerk(kind: AssignmentKind, place: Region | None = None, *, name="文明实践站干事") -> User:
    """An account holding the assignment since a day before NOW."""
    user = make_user(display_name=name)
    db.session.add(
        RoleAssignment(
            user_id=user.id,
            kind=kind,
            region_id=place.id if place is not None else None,
            granted_at=NOW - timedelta(days=1),
        )
    )
    db.session.flush()
    return user


def make_office() -> User:
    return make_user(role=Role.office, display_name="市文明办")


def scope(user: User):
    return services.scope_of(user, NOW)


def make_person(place: Region, actor: User | None = None, **values) -> Person:
    """A person entered by `actor` (a new office account if none is given)."""
    actor = actor or make_office()
    birth = values.pop("birth_date", date(1960, 5, 4))
    fields = {
        "name": "张好人",
        "birth_date": birth,
        "id_number": id_number(birth),
        "phone": "13803350001",
        "region_id": place.id,
        "address": "文化路12号3单元401",
        "hardship_notes": "独居，腿脚不便",
        **values,
    }
    return services.enter_person(actor, scope(actor), fields, now=NOW, is_distinct_confirmed=True)


def honour_type(code: str):
    return services.find_honour_type_by_code(code)


def make_round(actor: User | None = None, **values):
    """A draft monthly round of 秦皇岛好人 for December 2026, prepared by `actor` (a new office
    account if none is given)."""
    actor = actor or make_office()
    return rounds.create_round(
        actor,
        {
            "name": "2026年12月“秦皇岛好人”月评",
            "kind": "monthly",
            "honour_type_id": honour_type("good_person_city").id,
            "opens_on": date(2026, 12, 1),
            "closes_on": date(2026, 12, 20),
            **values,
        },
        now=NOW,
    )
