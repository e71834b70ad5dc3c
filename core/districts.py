"""Districts and counties (区县) of the city: shared by volunteers, teams, merchants and reports."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.errors import ValidationFailed
from core.extensions import db

# Qinhuangdao's districts and counties, in the order the city lists them.
QINHUANGDAO = [
    ("haigang", "海港区", "Haigang District"),
    ("shanhaiguan", "山海关区", "Shanhaiguan District"),
    ("beidaihe", "北戴河区", "Beidaihe District"),
    ("funing", "抚宁区", "Funing District"),
    ("changli", "昌黎县", "Changli County"),
    ("lulong", "卢龙县", "Lulong County"),
    ("qinglong", "青龙满族自治县", "Qinglong Manchu Autonomous County"),
    ("beidaihe_new", "北戴河新区", "Beidaihe New Area"),
]


class District(db.Model):
    """A district or county (区/县)."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        """The name in the language of the current request."""
        return district_label(self.name, self.name_en)


def district_label(name: str, name_en: str) -> str:
    """A district's name in the language of the current request, as the seasons' and
    categories' labels are."""
    locale = get_locale()
    return name_en if locale is not None and locale.language == "en" else name


def list_districts() -> list[District]:
    """All districts in the city's order."""
    return list(db.session.scalars(select(District).order_by(District.position, District.id)))


def get_district(district_id: int, field: str = "district_id") -> District:
    """Return the district; raise ValidationFailed naming `field` if there is none."""
    district = db.session.get(District, district_id)
    if district is None:
        raise ValidationFailed(errors={field: [str(_l("Choose a district from the list."))]})
    return district


def ensure_districts() -> int:
    """Create the city's districts that are missing; return how many were created."""
    existing = set(db.session.scalars(select(District.code)))
    created = 0
    for position, (code, name, name_en) in enumerate(QINHUANGDAO):
        if code not in existing:
            db.session.add(District(code=code, name=name, name_en=name_en, position=position))
            created += 1
    db.session.flush()
    return created
