"""Honour types (荣誉类型): the city's standard list and reading it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.errors import ValidationFailed
from core.extensions import db
from honours.models import HolderKind, HonourLevel, HonourType

# (code, name, English name, level, holder, gives a courtesy card); migration 0016 wrote the
# list as it stood then.
STANDARD_TYPES = [
    ("moral_model_national", "全国道德模范", "National moral model", "national", "person", True),
    ("good_person_china", "中国好人", "Good Person of China", "national", "person", True),
    ("moral_model_hebei", "河北省道德模范", "Hebei moral model", "provincial", "person", True),
    ("good_person_hebei", "河北好人", "Good Person of Hebei", "provincial", "person", True),
    ("moral_model_city", "秦皇岛市道德模范", "Qinhuangdao moral model", "city", "person", True),
    ("good_person_city", "秦皇岛好人", "Good Person of Qinhuangdao", "city", "person", True),
    ("youth_new_era", "新时代好少年", "Good Youth of the New Era", "city", "person", False),
    ("outstanding_volunteer", "优秀志愿者", "Outstanding volunteer", "city", "person", False),
    (
        "outstanding_team",
        "优秀志愿服务团队",
        "Outstanding volunteer service team",
        "city",
        "team",
        False,
    ),
    ("good_person_county", "县区好人", "Good Person of the district", "county", "person", False),
]


def ensure_honour_types() -> int:
    """Create the standard honour types that are missing; return how many were created."""
    existing = set(db.session.scalars(select(HonourType.code)))
    created = 0
    for position, (code, name, name_en, level, holder, card) in enumerate(STANDARD_TYPES):
        if code not in existing:
            db.session.add(
                HonourType(
                    code=code,
                    name=name,
                    name_en=name_en,
                    level=HonourLevel(level),
                    holder=HolderKind(holder),
                    has_courtesy_card=card,
                    position=position,
                )
            )
            created += 1
    db.session.flush()
    return created


def list_honour_types() -> list[HonourType]:
    """Every honour type, highest level first, then in the city's order."""
    types = db.session.scalars(select(HonourType).order_by(HonourType.position, HonourType.id))
    return sorted(types, key=lambda t: (t.level.rank, t.position, t.id))


def get_honour_type(type_id: int | None, field: str = "honour_type_id") -> HonourType:
    """The honour type chosen. Raises ValidationFailed naming `field` when there is none."""
    honour_type = db.session.get(HonourType, type_id) if type_id else None
    if honour_type is None:
        raise ValidationFailed(errors={field: [str(_l("Choose an honour type from the list."))]})
    return honour_type


def find_honour_type_by_code(code: str) -> HonourType | None:
    """The honour type with this code (e.g. good_person_china), or None."""
    return db.session.scalar(select(HonourType).where(HonourType.code == code))
