"""The city's region tree (市 → 区县 → 镇街 → 社区村) and the sectors (系统/行业) beside it.

Today's districts (core/districts.py) are the tree's second level: each district-level region
points at its `District` row, so what already refers to districts (volunteers, teams, merchants,
reports) keeps working and can be read as a place in the tree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, case, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import enum_column
from core.districts import District, district_label, ensure_districts
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice


class RegionLevel(enum.Enum):
    """A level of the tree, top down; review goes up through them one by one."""

    city = "city"  # 市
    district = "district"  # 区县 (and the functional zones)
    town = "town"  # 镇街: town, township or street office
    community = "community"  # 社区村: urban community or village

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self)

    @property
    def label(self):
        return LEVEL_LABELS[self]


LEVEL_ORDER = [RegionLevel.city, RegionLevel.district, RegionLevel.town, RegionLevel.community]
LEVEL_LABELS = {
    RegionLevel.city: _l("City"),
    RegionLevel.district: _l("District or county"),
    RegionLevel.town: _l("Town or street"),
    RegionLevel.community: _l("Community or village"),
}


class Region(db.Model):
    """A place in the city's tree. Only the city has no parent, and only a district-level
    region is (and must be) the same place as a `District` row."""

    __tablename__ = "region"
    __table_args__ = (
        CheckConstraint(
            "(level = 'city' AND parent_id IS NULL) OR (level <> 'city' AND parent_id IS NOT NULL)",
            name="parent_by_level",
        ),
        CheckConstraint(
            "(level = 'district' AND district_id IS NOT NULL)"
            " OR (level <> 'district' AND district_id IS NULL)",
            name="district_by_level",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(default=0)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), unique=True)

    parent: Mapped[Region | None] = relationship(remote_side=[id])
    district: Mapped[District | None] = relationship()

    @property
    def label(self) -> str:
        """The name in the language of the current request."""
        return district_label(self.name, self.name_en)

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.level.value}>"


class Sector(db.Model):
    """A sector (系统/行业: education, health, transport ...); its nominations go straight to
    the city."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        return district_label(self.name, self.name_en)


# The seed -------------------------------------------------------------------------------------

CITY = ("qinhuangdao", "秦皇岛市", "Qinhuangdao")

# Real towns, townships and street offices (镇/乡/街道), a few under each district or county:
# the levels the office works with. district code -> [(code, name, English name)].
TOWNS = {
    "haigang": [
        ("haigang-wenhualu", "文化路街道", "Wenhualu Subdistrict"),
        ("haigang-haibinlu", "海滨路街道", "Haibinlu Subdistrict"),
        ("haigang-beihuanlu", "北环路街道", "Beihuanlu Subdistrict"),
        ("haigang-baitaling", "白塔岭街道", "Baitaling Subdistrict"),
    ],
    "shanhaiguan": [
        ("shanhaiguan-nanguan", "南关街道", "Nanguan Subdistrict"),
        ("shanhaiguan-gucheng", "古城街道", "Gucheng Subdistrict"),
    ],
    "beidaihe": [
        ("beidaihe-xishan", "西山街道", "Xishan Subdistrict"),
        ("beidaihe-dongshan", "东山街道", "Dongshan Subdistrict"),
        ("beidaihe-haibin", "海滨镇", "Haibin Town"),
    ],
    "funing": [
        ("funing-licheng", "骊城街道", "Licheng Subdistrict"),
        ("funing-funing", "抚宁镇", "Funing Town"),
    ],
    "changli": [("changli-changli", "昌黎镇", "Changli Town")],
    "lulong": [("lulong-lulong", "卢龙镇", "Lulong Town")],
    "qinglong": [("qinglong-qinglong", "青龙镇", "Qinglong Town")],
    "beidaihe_new": [("beidaihe_new-tuanlin", "团林满族乡", "Tuanlin Manchu Township")],
}

# Demo only: made-up but plausible communities and villages, two or three under each town above.
# A real deployment enters its own (the tree's API and pages read whatever is there).
DEMO_COMMUNITIES = {
    "haigang-wenhualu": [
        ("文化里社区", "Wenhuali Community"),
        ("红旗路社区", "Hongqilu Community"),
        ("民族路社区", "Minzulu Community"),
    ],
    "haigang-haibinlu": [("海港里社区", "Haigangli Community"), ("东港社区", "Donggang Community")],
    "haigang-beihuanlu": [
        ("北环里社区", "Beihuanli Community"),
        ("和平里社区", "Hepingli Community"),
    ],
    "haigang-baitaling": [
        ("白塔岭社区", "Baitaling Community"),
        ("耀华里社区", "Yaohuali Community"),
    ],
    "shanhaiguan-nanguan": [
        ("南关社区", "Nanguan Community"),
        ("南海西路社区", "Nanhaixilu Community"),
    ],
    "shanhaiguan-gucheng": [
        ("东大街社区", "Dongdajie Community"),
        ("北街社区", "Beijie Community"),
    ],
    "beidaihe-xishan": [("刘庄社区", "Liuzhuang Community"), ("草厂社区", "Caochang Community")],
    "beidaihe-dongshan": [
        ("东经路社区", "Dongjinglu Community"),
        ("鸽子窝社区", "Geziwo Community"),
    ],
    "beidaihe-haibin": [("海滨村", "Haibin Village"), ("河东寨村", "Hedongzhai Village")],
    "funing-licheng": [("骊城社区", "Licheng Community"), ("兴华社区", "Xinghua Community")],
    "funing-funing": [("南关村", "Nanguan Village"), ("北街村", "Beijie Village")],
    "changli-changli": [
        ("碣阳社区", "Jieyang Community"),
        ("城郊村", "Chengjiao Village"),
        ("西关村", "Xiguan Village"),
    ],
    "lulong-lulong": [("永平社区", "Yongping Community"), ("东关村", "Dongguan Village")],
    "qinglong-qinglong": [("青龙社区", "Qinglong Community"), ("东山村", "Dongshan Village")],
    "beidaihe_new-tuanlin": [("团林村", "Tuanlin Village"), ("侯里村", "Houli Village")],
}

# Sectors (系统/行业) that nominate at the city level, in the office's order.
SECTORS = [
    ("education", "教育", "Education"),
    ("health", "卫生健康", "Health"),
    ("transport", "交通运输", "Transport"),
    ("public_security", "公安", "Public security"),
    ("finance", "金融", "Finance"),
    ("state_enterprises", "国企", "State-owned enterprises"),
    ("civil_affairs", "民政", "Civil affairs"),
    ("culture_tourism", "文化旅游", "Culture and tourism"),
    ("emergency", "应急管理", "Emergency management"),
]


def _add(existing: dict[str, Region], **values) -> Region | None:
    """Add the region unless its code is there already; return the new one or None."""
    if values["code"] in existing:
        return None
    region = Region(**values)
    db.session.add(region)
    db.session.flush()
    existing[region.code] = region
    return region


def ensure_regions(*, demo_communities: bool = False) -> int:
    """Create what is missing of the city's tree: the city, every `District` row as its second
    level, and the real towns and streets above; with `demo_communities`, the demo's made-up
    communities and villages too. Returns how many regions were created; running it again
    creates nothing."""
    ensure_districts()
    existing = {region.code: region for region in db.session.scalars(select(Region))}
    linked = {region.district_id for region in existing.values() if region.district_id}
    created = 0
    city_code, city_name, city_en = CITY
    if _add(existing, code=city_code, name=city_name, name_en=city_en, level=RegionLevel.city):
        created += 1
    city = existing[city_code]
    districts = db.session.scalars(select(District).order_by(District.position, District.id))
    for district in districts:
        if district.id in linked:
            continue
        region = _add(
            existing,
            code=district.code,
            name=district.name,
            name_en=district.name_en,
            level=RegionLevel.district,
            parent_id=city.id,
            position=district.position,
            district_id=district.id,
        )
        created += region is not None
    for district_code, towns in TOWNS.items():
        parent = existing.get(district_code)
        if parent is None or parent.level is not RegionLevel.district:
            continue
        for position, (code, name, name_en) in enumerate(towns):
            region = _add(
                existing,
                code=code,
                name=name,
                name_en=name_en,
                level=RegionLevel.town,
                parent_id=parent.id,
                position=position,
            )
            created += region is not None
    if demo_communities:
        for town_code, communities in DEMO_COMMUNITIES.items():
            parent = existing.get(town_code)
            if parent is None:
                continue
            for position, (name, name_en) in enumerate(communities, start=1):
                region = _add(
                    existing,
                    code=f"{town_code}-{position:02d}",
                    name=name,
                    name_en=name_en,
                    level=RegionLevel.community,
                    parent_id=parent.id,
                    position=position,
                )
                created += region is not None
    return created


def ensure_sectors() -> int:
    """Create the sectors that are missing; return how many were created."""
    existing = set(db.session.scalars(select(Sector.code)))
    created = 0
    for position, (code, name, name_en) in enumerate(SECTORS):
        if code not in existing:
            db.session.add(Sector(code=code, name=name, name_en=name_en, position=position))
            created += 1
    db.session.flush()
    return created


# Reading the tree -------------------------------------------------------------------------------

NO_SUCH_REGION = _l("No such region.")


@dataclass(frozen=True)
class TreeRow:
    """A region with its depth in the tree (0 for the city), for a list shown as a tree."""

    region: Region
    depth: int


def list_regions() -> list[Region]:
    """Every region, siblings in their order (position, then id); one query."""
    return list(db.session.scalars(select(Region).order_by(Region.position, Region.id)))


def list_tree(root: Region | None = None) -> list[TreeRow]:
    """The tree (or the part of it under `root`, root included) depth first, children in
    their order, each with its depth. One query: the tree is a few thousand rows at most."""
    regions = list_regions()
    children: dict[int | None, list[Region]] = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)
    rows: list[TreeRow] = []

    def walk(region: Region, depth: int) -> None:
        rows.append(TreeRow(region, depth))
        for child in children.get(region.id, []):
            walk(child, depth + 1)

    starts = [root] if root is not None else children.get(None, [])
    for start in starts:
        walk(start, start.level.depth if root is not None else 0)
    return rows


def list_children(region: Region | None) -> list[Region]:
    """The regions right under `region` (under nothing: the city), in their order."""
    parent = Region.parent_id.is_(None) if region is None else Region.parent_id == region.id
    return list(
        db.session.scalars(select(Region).where(parent).order_by(Region.position, Region.id))
    )


def find_regions(
    window: Window,
    *,
    parent_id: int | None = None,
    level: RegionLevel | None = None,
    code: str | None = None,
) -> Slice:
    """A window of the regions, siblings in their order, optionally only those right under
    `parent_id`, of one `level`, or the one with `code` (an unknown parent or code finds
    nothing)."""
    depth = case({level.value: level.depth for level in RegionLevel}, value=Region.level)
    query = select(Region).order_by(depth, Region.parent_id, Region.position, Region.id)
    if parent_id is not None:
        query = query.where(Region.parent_id == parent_id)
    if level is not None:
        query = query.where(Region.level == level)
    if code is not None:
        query = query.where(Region.code == code)
    return read_slice(query, window)


def find_region_by_code(code: str) -> Region | None:
    """The region with this code, or None."""
    return db.session.scalar(select(Region).where(Region.code == code))


def get_region_by_code(code: str) -> Region:
    """The region with this code. Raises NotFound."""
    region = find_region_by_code(code)
    if region is None:
        raise NotFound(NO_SUCH_REGION)
    return region


def get_region_by_id(region_id: int) -> Region:
    """The region with this id. Raises NotFound."""
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound(NO_SUCH_REGION)
    return region


def get_region(region_id: int | None, field: str = "region_id") -> Region:
    """The region chosen on a form or sent to the API. Raises ValidationFailed naming `field`
    when there is none."""
    region = db.session.get(Region, region_id) if region_id else None
    if region is None:
        raise ValidationFailed(errors={field: [str(_l("Choose a region from the list."))]})
    return region


def ancestors(region: Region) -> list[Region]:
    """The regions above `region`, from the city down to its parent. At most three steps,
    each a lookup the session usually has already."""
    found: list[Region] = []
    current = region.parent
    while current is not None:
        found.append(current)
        current = current.parent
    return list(reversed(found))


def is_within(region: Region, scope: Region) -> bool:
    """Whether `region` is `scope` or lies under it (a community within its street, district
    and city)."""
    return region.id == scope.id or any(above.id == scope.id for above in ancestors(region))


def descendant_ids(scope: Region) -> set[int]:
    """The ids of `scope` and every region under it, in one recursive query, for filtering
    what lies in a clerk's area."""
    tree = select(Region.id).where(Region.id == scope.id).cte("tree", recursive=True)
    tree = tree.union_all(select(Region.id).where(Region.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


def district_of(region: Region) -> District | None:
    """The district or county (区县) a region lies in; None for the city itself."""
    for place in [*ancestors(region), region]:
        if place.level is RegionLevel.district:
            return place.district
    return None


def region_of_district(district: District) -> Region | None:
    """The tree's region for a district row, or None if the tree is not seeded yet."""
    return db.session.scalar(select(Region).where(Region.district_id == district.id))


def region_choices(levels: tuple[RegionLevel, ...] | None = None) -> list[tuple[int, str]]:
    """(id, label) pairs for a form's select, in tree order, each label indented by its depth
    (places of the same name, such as two 南关, are told apart by what stands above them)."""
    rows = list_tree()
    return [
        (row.region.id, "\u3000" * row.depth + row.region.label)
        for row in rows
        if levels is None or row.region.level in levels
    ]


def list_sectors() -> list[Sector]:
    """Every sector, in the office's order."""
    return list(db.session.scalars(select(Sector).order_by(Sector.position, Sector.id)))


def get_sector(sector_id: int | None, field: str = "sector_id") -> Sector:
    """The sector chosen on a form or sent to the API. Raises ValidationFailed naming
    `field` when there is none."""
    sector = db.session.get(Sector, sector_id) if sector_id else None
    if sector is None:
        raise ValidationFailed(errors={field: [str(_l("Choose a sector from the list."))]})
    return sector
