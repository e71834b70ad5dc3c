"""Builders for test data: each adds and flushes, and never commits."""

from __future__ import annotations

import itertools

from core.auth import services
from core.auth.models import Role, User
from core.clock import utcnow
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.extensions import db
from volunteer.models import VolunteerProfile

DEFAULT_PASSWORD = "correct-horse-9"
_phones = itertools.count(1)


def next_phone() -> str:
    return f"139{next(_phones):08d}"


def make_user(
    *,
    role: Role = Role.volunteer,
    phone: str | None = None,
    display_name: str = "测试用户",
    password: str = DEFAULT_PASSWORD,
    agreed: bool = True,
) -> User:
    """A user who agreed to the current privacy notice (as at registration) unless `agreed` is
    False: such a user is sent to the consent page, and the API refuses them."""
    user = services.create_user(
        phone=phone or next_phone(), password=password, display_name=display_name, role=role
    )
    if role is Role.volunteer:
        db.session.add(VolunteerProfile(user=user, skills=[]))
        db.session.flush()
    if agreed:
        consents.give_consent(user, ConsentKind.privacy_notice, now=utcnow())
    return user


def make_team(leader: User | None = None, *, name: str | None = None, district_code="haigang"):
    """An approved team led by `leader` (a new volunteer if none is given)."""
    from sqlalchemy import select

    from core.clock import utcnow
    from core.districts import District, ensure_districts
    from volunteer import services as volunteers

    ensure_districts()
    leader = leader or make_user(display_name="队长")
    office = make_user(role=Role.office, display_name="审核员")
    district = db.session.scalar(select(District).where(District.code == district_code))
    team = volunteers.apply_for_team(
        leader,
        name=name or f"志愿服务队{next(_phones)}",
        district_id=district.id,
        categories=["cleaning"],
        description="",
        now=utcnow(),
    )
    return volunteers.decide_team(office, team.id, approve=True, reason=None, now=utcnow())


def make_campaign(*, starts_on=None, ends_on=None, points_per_hour=10, cap=80, bonus_days=()):
    """A campaign of this year covering today ± 60 days unless told otherwise; today and its
    year are the local ones (TIMEZONE), as the app's reports take them, not UTC's, which is
    still the day before for the first eight hours of a local day."""
    from datetime import timedelta

    from core.clock import local_day, utcnow
    from events import services
    from events.models import Season

    today = local_day(utcnow())
    return services.create_campaign(
        make_user(role=Role.office, display_name="文明办"),
        name="测试活动季",
        season=Season.winter,
        year=today.year,
        starts_on=starts_on or today - timedelta(days=60),
        ends_on=ends_on or today + timedelta(days=60),
        points_per_hour=points_per_hour,
        max_points_per_shift=cap,
        bonus_days=list(bonus_days),
    )


def make_activity(team=None, campaign=None, *, place=None, published=True, leader=None):
    """An activity of `team` in `campaign`; published when it has a shift (see make_shift)."""
    from core.clock import utcnow
    from events import services
    from volunteer.models import ServiceCategory

    team = team or make_team(leader)
    campaign = campaign or make_campaign()
    leader = leader or team.founder
    return services.create_activity(
        leader,
        team_id=team.id,
        campaign_id=campaign.id,
        title="海滨环境清洁",
        category=ServiceCategory.cleaning,
        place=place or services.Place("海港区人民广场"),
        description="",
        now=utcnow(),
    )


def make_shift(
    activity=None, *, starts_in_hours=24, hours=4, capacity=5, walk_ins=False, publish=True
):
    """A shift starting `starts_in_hours` from now (negative: already started); the activity is
    published on the way unless told not to."""
    from datetime import timedelta

    from core.clock import utcnow
    from events import services
    from events.models import ActivityStatus

    activity = activity or make_activity()
    leader = activity.team.founder
    now = utcnow()
    starts_at = now + timedelta(hours=starts_in_hours)
    shift = services.add_shift(
        leader,
        activity.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        allows_walk_ins=walk_ins,
        now=min(now, starts_at - timedelta(hours=1)),
    )
    if publish and activity.status is ActivityStatus.draft:
        # Publishing needs an upcoming shift; one in the past is published as if earlier.
        activity.status = ActivityStatus.published
        activity.published_at = now
        db.session.flush()
    return shift


def make_merchant(*, name: str | None = None, items=(("环保购物袋", 10, 20),)):
    """A merchant with a staff account and catalogue items (name, price, stock or None);
    returns (merchant, staff, items)."""
    from sqlalchemy import select

    from core.districts import District, ensure_districts
    from points import services as points
    from points.models import MerchantKind

    ensure_districts()
    office = make_user(role=Role.office, display_name="文明办")
    district = db.session.scalars(select(District).order_by(District.position)).first()
    merchant = points.register_merchant(
        office,
        name=name or f"爱心商家{next(_phones)}",
        kind=MerchantKind.caring_merchant,
        district_id=district.id,
        address="海港区文化路1号",
    )
    staff = points.add_staff(
        office, merchant.id, phone=next_phone(), display_name="店员", password=DEFAULT_PASSWORD
    )
    # The office made the account; its holder agreed to the privacy notice at first sign-in.
    consents.give_consent(staff, ConsentKind.privacy_notice, now=utcnow())
    made = [points.add_item(staff, merchant.id, name=n, price=p, stock=s) for n, p, s in items]
    return merchant, staff, made


def give_points(volunteer: User, amount: int) -> None:
    """Credit a volunteer by an office adjustment."""
    from core.clock import utcnow
    from points import services as points

    points.adjust(
        make_user(role=Role.office, display_name="文明办"),
        volunteer.id,
        amount=amount,
        reason="测试充值",
        key=f"give-{volunteer.id}-{next(_phones)}",
        now=utcnow(),
    )
