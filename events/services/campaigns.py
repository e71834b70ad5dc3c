"""Seasonal campaigns (善行四季), their points rule and bonus days, the city's standard year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import lazy_gettext as _l
from lunardate import LunarDate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.auth.services import require_office
from core.clock import local_moment
from core.extensions import db
from core.rows import get_or_not_found
from events.models import Activity, BonusDay, Campaign, Season, Shift, ShiftStatus
from events.services._common import _invalid


@dataclass(frozen=True)
class BonusDaySpec:
    day: date
    multiplier: int
    label: str = ""


def _check_campaign(
    *,
    name: str,
    year: int,
    starts_on: date,
    ends_on: date,
    points_per_hour: int,
    max_points_per_shift: int,
    bonus_days: list[BonusDaySpec],
) -> str:
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _l("Enter the campaign's name."))
    if not 2000 <= year <= 2100:
        raise _invalid("year", _l("Enter a year between 2000 and 2100."))
    if starts_on > ends_on:
        raise _invalid("ends_on", _l("The campaign must end on or after its first day."))
    if (ends_on - starts_on).days > 366:
        raise _invalid("ends_on", _l("A campaign lasts a year at most."))
    if not 0 <= points_per_hour <= 1000:
        raise _invalid("points_per_hour", _l("Enter 0 to 1000 points per hour."))
    if not 0 <= max_points_per_shift <= 10000:
        raise _invalid("max_points_per_shift", _l("Enter a cap of 0 to 10000 points."))
    days = [b.day for b in bonus_days]
    if len(days) != len(set(days)):
        raise _invalid("bonus_days", _l("Each bonus day may appear once."))
    for bonus in bonus_days:
        if not starts_on <= bonus.day <= ends_on:
            raise _invalid("bonus_days", _l("Bonus days must fall inside the campaign."))
        if not 1 <= bonus.multiplier <= 10:
            raise _invalid("bonus_days", _l("A multiplier is 1 to 10."))
    return name


def create_campaign(
    office: User,
    *,
    name: str,
    season: Season,
    year: int,
    starts_on: date,
    ends_on: date,
    description: str = "",
    points_per_hour: int = 10,
    max_points_per_shift: int = 80,
    bonus_days: list[BonusDaySpec] | None = None,
) -> Campaign:
    """The office creates a seasonal campaign with its points rule.

    Raises Forbidden (not office) or ValidationFailed (window, rule or bonus days).
    """
    require_office(office)
    bonus_days = bonus_days or []
    name = _check_campaign(
        name=name,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        points_per_hour=points_per_hour,
        max_points_per_shift=max_points_per_shift,
        bonus_days=bonus_days,
    )
    campaign = Campaign(
        name=name[:120],
        season=season,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip(),
        points_per_hour=points_per_hour,
        max_points_per_shift=max_points_per_shift,
        bonus_days=[
            BonusDay(day=b.day, multiplier=b.multiplier, label=b.label) for b in bonus_days
        ],
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def update_campaign(
    office: User,
    campaign_id: int,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str,
    points_per_hour: int,
    max_points_per_shift: int,
    bonus_days: list[BonusDaySpec],
) -> Campaign:
    """The office changes a campaign; points already confirmed stay as they were.

    Raises Forbidden, NotFound, ValidationFailed (also when a shift would fall outside).
    """
    require_office(office)
    campaign = get_campaign(campaign_id)
    name = _check_campaign(
        name=name,
        year=campaign.year,
        starts_on=starts_on,
        ends_on=ends_on,
        points_per_hour=points_per_hour,
        max_points_per_shift=max_points_per_shift,
        bonus_days=bonus_days,
    )
    outside = db.session.scalar(
        select(func.count())
        .select_from(Shift)
        .join(Activity)
        .where(Activity.campaign_id == campaign.id, Shift.status == ShiftStatus.scheduled)
        .where(
            (Shift.starts_at < local_moment(starts_on, time.min))
            | (Shift.starts_at >= local_moment(ends_on + timedelta(days=1), time.min))
        )
    )
    if outside:
        raise _invalid("starts_on", _l("Some shifts would fall outside the new dates."))
    campaign.name = name[:120]
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.description = (description or "").strip()
    campaign.points_per_hour = points_per_hour
    campaign.max_points_per_shift = max_points_per_shift
    # The old rows go first: a day kept would otherwise meet itself in the unique constraint.
    campaign.bonus_days.clear()
    db.session.flush()
    campaign.bonus_days = [
        BonusDay(day=b.day, multiplier=b.multiplier, label=b.label) for b in bonus_days
    ]
    db.session.flush()
    return campaign


def get_campaign(campaign_id: int) -> Campaign:
    """Return the campaign; raise NotFound if there is none."""
    return get_or_not_found(Campaign, campaign_id, _l("No such campaign."))


def list_campaigns(*, year: int | None = None) -> list[Campaign]:
    """Campaigns, newest first, optionally of one year."""
    query = select(Campaign).options(selectinload(Campaign.bonus_days))
    if year is not None:
        query = query.where(Campaign.year == year)
    return list(db.session.scalars(query.order_by(Campaign.starts_on.desc(), Campaign.id)))


def list_campaigns_open_for_planning(today: date) -> list[Campaign]:
    """Campaigns that have not ended: activities can be planned in them."""
    query = select(Campaign).where(Campaign.ends_on >= today).order_by(Campaign.starts_on)
    return list(db.session.scalars(query))


def _last_of_february(year: int) -> date:
    return date(year, 3, 1) - timedelta(days=1)


def standard_campaigns(year: int) -> list[dict]:
    """The city's four campaigns of a year, with their usual windows and bonus days."""
    double_ninth = LunarDate(year, 9, 9).to_solar_date()
    spring_festival = LunarDate(year + 1, 1, 1).to_solar_date()
    return [
        {
            "season": Season.spring,
            "name": f"{year}年春季·学雷锋志愿服务月",
            "starts_on": date(year, 3, 1),
            "ends_on": date(year, 4, 30),
            "description": "学雷锋纪念日（3月5日）为道德模范、身边好人献花；"
            "走上街头开展环境清洁、义务理发、家电维修等便民服务。",
            "bonus_days": [BonusDaySpec(date(year, 3, 5), 2, "学雷锋纪念日")],
        },
        {
            "season": Season.tourist_season,
            "name": f"{year}年旅游旺季志愿服务",
            "starts_on": date(year, 6, 1),
            "ends_on": date(year, 8, 31),
            "description": "旅游旺季在景区开展文明引导、游客咨询，在繁忙路口协助交警开展交通劝导。",
            "bonus_days": [],
        },
        {
            "season": Season.autumn_harvest,
            "name": f"{year}年秋季助农与关爱行动",
            "starts_on": date(year, 9, 1),
            "ends_on": date(year, 11, 30),
            "description": "秋收时节助农帮扶；关爱空巢老人；八一、重阳节走访慰问退役军人和老党员。",
            "bonus_days": [BonusDaySpec(double_ninth, 2, "重阳节")],
        },
        {
            "season": Season.winter,
            "name": f"{year}年冬季走访慰问",
            "starts_on": date(year, 12, 1),
            "ends_on": _last_of_february(year + 1),
            "description": "元旦、春节期间走访慰问道德模范、身边好人，送去慰问金和节日祝福。",
            "bonus_days": [
                BonusDaySpec(date(year + 1, 1, 1), 2, "元旦"),
                BonusDaySpec(spring_festival, 2, "春节"),
            ],
        },
    ]


def create_standard_year(office: User, year: int) -> list[Campaign]:
    """Create the four standard campaigns of a year; a season that has a campaign that year
    already is left alone. Returns the campaigns created."""
    require_office(office)
    if not 2000 <= year <= 2100:
        raise _invalid("year", _l("Enter a year between 2000 and 2100."))
    existing = set(db.session.scalars(select(Campaign.season).where(Campaign.year == year)))
    created = []
    for spec in standard_campaigns(year):
        if spec["season"] not in existing:
            created.append(create_campaign(office, year=year, **spec))
    return created


def points_for(campaign: Campaign, minutes: int, day: date) -> int:
    """Points earned for serving `minutes` in one shift on a (local) day: points per full hour,
    capped per shift, then multiplied on a bonus day (the bonus rewards the day, so it is not
    eaten by the cap)."""
    base = (max(minutes, 0) // 60) * campaign.points_per_hour
    return min(base, campaign.max_points_per_shift) * campaign.multiplier_on(day)
