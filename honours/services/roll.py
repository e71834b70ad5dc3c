"""The public honour roll (光荣榜 / 好人榜): who is shown, searching it by year, level,
category and district, a person's story page, and which photos anyone may see.

A person is on the roll when all of these hold: consent to publication is recorded (and not
withdrawn), the record is not a merged duplicate, they hold at least one honour, and none of
their honours was revoked (a revocation under the exit clauses takes the whole entry off the
roll, as HONOURS.md says; their other honours stay in the register for the office). The public
sees only the approved story, the photo, the name, the region down to the town or street, and
the honours: never a phone, an ID number, an address, a birth date or hardship notes, which is
why entries are handed out as `RollEntry` values rather than as `Person` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from core.districts import District, district_label
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.regions import Region, RegionLevel
from core.rows import Slice, Window, read_slice
from honours.models import (
    Honour,
    HonourCategory,
    HonourLevel,
    HonourType,
    Person,
    PersonStatus,
)
from honours.services.publication import on_roll

NOT_ON_ROLL = _l("There is no such entry on the honour roll.")
# The years a search may name: the People's Republic's first honours to a generous future.
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass(frozen=True)
class RollFilter:
    """What a search of the roll is narrowed to; None means all. An entry matches when one
    of its honours matches every filter given (a year, a level and a category together)."""

    year: int | None = None
    level: HonourLevel | None = None
    category: HonourCategory | None = None
    district_id: int | None = None


@dataclass(frozen=True)
class RollHonour:
    """One honour as the roll shows it."""

    type_code: str
    type_name: str
    type_name_en: str
    level: HonourLevel
    category: HonourCategory | None
    awarded_on: date

    @property
    def label(self) -> str:
        return district_label(self.type_name, self.type_name_en)

    @property
    def year(self) -> int:
        return self.awarded_on.year


@dataclass(frozen=True)
class RollEntry:
    """A person as the public sees them: nothing here is sensitive."""

    person_id: int
    name: str
    district: District
    # The town or street (镇街) when the record is placed that far down, else None.
    town: Region | None
    is_deceased: bool
    honours: list[RollHonour]
    story: str | None
    # The public key of the photo, when the photo is public (an approved roll photo).
    photo_key: str | None

    @property
    def initial(self) -> str:
        """The first character of the name, for a placeholder where there is no photo."""
        return self.name[:1]

    @property
    def highest(self) -> RollHonour:
        return min(self.honours, key=lambda h: (h.level.rank, -h.awarded_on.toordinal()))

    @property
    def categories(self) -> list[HonourCategory]:
        seen = []
        for honour in self.honours:
            if honour.category is not None and honour.category not in seen:
                seen.append(honour.category)
        return seen


def year_bounds(year: int) -> tuple[date, date]:
    """The first day of the year and of the next: a range the award-date index can serve."""
    return date(year, 1, 1), date(year + 1, 1, 1)


def require_valid_filter(filters: RollFilter) -> None:
    """Raise ValidationFailed naming each filter that cannot be searched by (a year out of
    range, a district that does not exist)."""
    errors: dict[str, list[str]] = {}
    if filters.year is not None and not FIRST_YEAR <= filters.year <= LAST_YEAR:
        errors["year"] = [
            str(_l("Give a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
        ]
    if filters.district_id is not None and db.session.get(District, filters.district_id) is None:
        errors["district_id"] = [str(_l("Choose a district from the list."))]
    if errors:
        raise ValidationFailed(errors=errors)


def _matching_honour(filters: RollFilter):
    """The condition that the person holds an unrevoked honour matching the filters."""
    conditions = [Honour.person_id == Person.id, Honour.revoked_at.is_(None)]
    if filters.year is not None:
        first, after = year_bounds(filters.year)
        conditions += [Honour.awarded_on >= first, Honour.awarded_on < after]
    if filters.category is not None:
        conditions.append(Honour.category == filters.category)
    if filters.level is not None:
        conditions.append(
            Honour.honour_type_id.in_(
                select(HonourType.id).where(HonourType.level == filters.level)
            )
        )
    return exists().where(*conditions)


def _entry(person: Person, *, with_story: bool) -> RollEntry:
    region = person.region
    town = None
    if region.level is RegionLevel.town:
        town = region
    elif region.level is RegionLevel.community:
        town = region.parent
    photo = person.photo
    return RollEntry(
        person_id=person.id,
        name=person.name,
        district=person.district,
        town=town,
        is_deceased=person.status is PersonStatus.deceased,
        honours=[
            RollHonour(
                type_code=h.honour_type.code,
                type_name=h.honour_type.name,
                type_name_en=h.honour_type.name_en,
                level=h.honour_type.level,
                category=h.category,
                awarded_on=h.awarded_on,
            )
            for h in person.honours
            if h.revoked_at is None
        ],
        story=person.story if with_story else None,
        photo_key=photo.public_key if photo is not None and photo.is_public else None,
    )


LOADED = (
    selectinload(Person.honours).selectinload(Honour.honour_type),
    selectinload(Person.region).selectinload(Region.parent),
    selectinload(Person.district),
    selectinload(Person.photo),
)


def search_roll(filters: RollFilter, window: Window) -> Slice[RollEntry]:
    """A window of the roll (好人榜) matching the filters, the most recently honoured first.
    Raises ValidationFailed for a filter that cannot be searched by."""
    require_valid_filter(filters)
    query = select(Person).where(on_roll(), _matching_honour(filters))
    if filters.district_id is not None:
        query = query.where(Person.district_id == filters.district_id)
    latest = (
        select(func.max(Honour.awarded_on))
        .where(Honour.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    ordered = query.options(*LOADED).order_by(latest.desc(), Person.id.desc())
    found = read_slice(ordered, window, count=query)
    return Slice([_entry(p, with_story=False) for p in found.items], found.total)


def get_roll_entry(person_id: int) -> RollEntry:
    """The person's story page (事迹): the approved story, photo, name, place and honours.
    Raises NotFound for anyone not on the roll, the same as for an id that names no one, so
    that no one learns a hidden person is in the register."""
    person = db.session.scalar(
        select(Person).where(Person.id == person_id, on_roll()).options(*LOADED)
    )
    if person is None:
        raise NotFound(NOT_ON_ROLL)
    return _entry(person, with_story=True)


def list_roll_years() -> list[int]:
    """The years in which someone on the roll was honoured, latest first (the search's
    choices)."""
    year = func.extract("year", Honour.awarded_on)
    rows = db.session.scalars(
        select(year)
        .join(Person, Person.id == Honour.person_id)
        .where(Honour.revoked_at.is_(None), on_roll())
        .group_by(year)
        .order_by(year.desc())
    )
    return [int(y) for y in rows]
