"""The honour roll's public figures (好人统计): honours by type and level, by category and by
district, as the city reports them.

How they are counted, and why: a figure is the number of honours awarded and still held, the
way the city's own account counts them (7 national, 38 provincial and 236 city moral models;
45 中国好人 ...). So an honour counts whether or not its holder agreed to be shown on the roll:
the number says how many were honoured, never who, and a person who withdrew consent to
publication is still one the city honoured. A revoked honour no longer counts (it is no longer
held), and a merged duplicate's honours were moved to the surviving record, so none counts
twice. Team honours (优秀志愿服务团队) count among the types and districts like the persons'.
Beside them, `persons_shown` is how many persons the roll itself shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.districts import District, list_districts
from core.extensions import db
from honours.models import Honour, HonourCategory, HonourLevel, HonourType, Person
from honours.services.roll import RollFilter, on_roll, require_valid_filter, year_bounds
from honours.services.types import list_honour_types
from volunteer.models import Team


@dataclass(frozen=True)
class TypeFigure:
    honour_type: HonourType
    count: int


@dataclass(frozen=True)
class LevelFigure:
    level: HonourLevel
    count: int
    types: list[TypeFigure]


@dataclass(frozen=True)
class CategoryFigure:
    # None: honours given without one of the five categories (teams, outstanding volunteers).
    category: HonourCategory | None
    count: int


@dataclass(frozen=True)
class DistrictFigure:
    district: District
    count: int


@dataclass(frozen=True)
class RollFigures:
    """The figures of one year (`year`) or of all years (None)."""

    year: int | None
    total: int
    levels: list[LevelFigure]
    categories: list[CategoryFigure]
    districts: list[DistrictFigure]
    persons_shown: int

    def count_of(self, type_code: str) -> int:
        """The honours of one type (e.g. good_person_china); 0 for a type not recorded."""
        for level in self.levels:
            for figure in level.types:
                if figure.honour_type.code == type_code:
                    return figure.count
        return 0


def _held(year: int | None):
    """The honours that count: not revoked, of the year if one is given."""
    query = select(Honour).where(Honour.revoked_at.is_(None))
    if year is not None:
        first, after = year_bounds(year)
        query = query.where(Honour.awarded_on >= first, Honour.awarded_on < after)
    return query.subquery()


def roll_figures(year: int | None = None) -> RollFigures:
    """The roll's public figures (see the module's docstring for how they are counted), in
    four grouped queries. Raises ValidationFailed for a year out of range."""
    require_valid_filter(RollFilter(year=year))
    held = _held(year)
    by_type = dict(
        db.session.execute(
            select(held.c.honour_type_id, func.count()).group_by(held.c.honour_type_id)
        ).all()
    )
    by_category = dict(
        db.session.execute(select(held.c.category, func.count()).group_by(held.c.category)).all()
    )
    district_of_holder = func.coalesce(Person.district_id, Team.district_id)
    by_district = dict(
        db.session.execute(
            select(district_of_holder, func.count())
            .select_from(held)
            .outerjoin(Person, Person.id == held.c.person_id)
            .outerjoin(Team, Team.id == held.c.team_id)
            .group_by(district_of_holder)
        ).all()
    )
    shown = select(Person.id).where(on_roll())
    if year is not None:
        first, after = year_bounds(year)
        shown = shown.where(
            select(Honour.id)
            .where(
                Honour.person_id == Person.id,
                Honour.awarded_on >= first,
                Honour.awarded_on < after,
            )
            .exists()
        )
    persons_shown = db.session.scalar(select(func.count()).select_from(shown.subquery())) or 0

    types = list_honour_types()
    levels = [
        LevelFigure(
            level,
            sum(by_type.get(t.id, 0) for t in types if t.level is level),
            [TypeFigure(t, by_type.get(t.id, 0)) for t in types if t.level is level],
        )
        for level in HonourLevel
    ]
    categories = [CategoryFigure(c, by_category.get(c, 0)) for c in HonourCategory]
    if by_category.get(None):
        categories.append(CategoryFigure(None, by_category[None]))
    return RollFigures(
        year=year,
        total=sum(by_type.values()),
        levels=levels,
        categories=categories,
        districts=[DistrictFigure(d, by_district.get(d.id, 0)) for d in list_districts()],
        persons_shown=persons_shown,
    )
