"""Benchmark data at city scale, written straight into the database.

The ORM and the services would take hours for a million check-ins, so rows are built as plain
tuples and handed to the driver: COPY on PostgreSQL, one executemany per table on SQLite, all
in the session's transaction. The few rows whose rules are worth reusing (the office user, the
districts, the campaigns and their bonus days) still go through the app's own code.

Everything is deterministic: the same scale and `now` give the same ids, phones, token secrets
and redeem codes, so the load generator can compute what it needs instead of reading it back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time as timer
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from core.auth import passwords
from core.auth.models import ApiToken, Role, User
from core.clock import local_day, local_moment
from core.consent import services as consents
from core.consent.models import Consent, ConsentKind
from core.districts import District, ensure_districts, list_districts
from core.extensions import db
from events import services as events
from events.models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    Campaign,
    CheckIn,
    CheckInMethod,
    Season,
    Shift,
    ShiftStatus,
    SignUp,
    SignUpStatus,
)
from points.lot_models import PointsLot
from points.models import (
    Account,
    AccountKind,
    CatalogItem,
    CauseKind,
    EntryKind,
    LedgerEntry,
    Merchant,
    MerchantKind,
    MerchantStaff,
    RedeemCode,
)
from volunteer.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    ServiceCategory,
    Skill,
    Team,
    TeamStatus,
    VolunteerProfile,
)

log = logging.getLogger(__name__)

PASSWORD = "bench-password-1"  # every seeded user's
OPENING_BALANCE = 10_000
OFFICE_PHONE = "15900000000"
# Part of every token secret, so that knowing a user id alone does not give a working token
# should a seeded database ever be reachable from outside.
TOKEN_SALT = "k3v9-qhd"
TOKEN_DAYS = 30
REDEEM_CODE_HOURS = 6
LIVE_STARTED_AGO = timedelta(minutes=10)
LIVE_LENGTH = timedelta(hours=3)
LIVE_CAPACITY = 200
FUTURE_CAPACITY = 500
GROWTH_CAPACITY = 10
# Marks the activities add_future_shifts makes, so that a later call finds and extends them.
GROWTH_MARK = "bench:growth"
# Multiplying by a number coprime to 10**8 permutes the 8-digit codes: one code per user id.
_CODE_FACTOR = 48_271
_CODE_OFFSET = 31_415_926

CATEGORY_TITLES = {
    ServiceCategory.cleaning: "社区环境清洁",
    ServiceCategory.free_haircut: "义务理发",
    ServiceCategory.appliance_repair: "家电义务维修",
    ServiceCategory.tourist_guidance: "景区文明引导",
    ServiceCategory.traffic_duty: "路口交通劝导",
    ServiceCategory.farm_help: "秋收助农",
    ServiceCategory.elderly_care: "关爱空巢老人",
    ServiceCategory.flower_delivery: "为道德模范献花",
    ServiceCategory.visits: "走访慰问",
    ServiceCategory.other: "志愿服务",
}
CATEGORIES = list(ServiceCategory)
SEASON_OF_MONTH = {
    1: Season.winter,
    2: Season.winter,
    3: Season.spring,
    4: Season.spring,
    5: Season.spring,
    6: Season.tourist_season,
    7: Season.tourist_season,
    8: Season.tourist_season,
    9: Season.autumn_harvest,
    10: Season.autumn_harvest,
    11: Season.autumn_harvest,
    12: Season.winter,
}


@dataclass
class Scale:
    """How much to generate; the defaults are a city's worth."""

    volunteers: int = 50_000
    teams: int = 500
    past_shifts: int = 20_000
    check_ins: int = 1_000_000
    merchants: int = 200
    # Started 10 minutes ago, end in 3 hours; every volunteer holds a confirmed place on one.
    live_shifts: int = 500
    # Future shifts for browsing and sign-ups, from tomorrow.
    future_days: int = 14
    future_shifts_per_district_day: int = 25

    def check(self) -> None:
        """Raise ValueError for a scale that the generated data could not satisfy."""
        if self.volunteers < 1 or self.teams < 1 or self.live_shifts < 1:
            raise ValueError("volunteers, teams and live_shifts must be at least 1")
        if self.teams > self.volunteers:
            raise ValueError("every team needs a volunteer as its leader")
        if self.volunteers > LIVE_CAPACITY * self.live_shifts:
            raise ValueError(f"{self.live_shifts} live shifts of {LIVE_CAPACITY} cannot seat all")
        if self.check_ins and not self.past_shifts:
            raise ValueError("check-ins need past shifts")
        if self.past_shifts and -(-self.check_ins // self.past_shifts) > self.volunteers:
            raise ValueError("more check-ins per shift than volunteers")
        if min(self.merchants, self.future_days, self.future_shifts_per_district_day) < 0:
            raise ValueError("counts cannot be negative")


@dataclass
class SeedInfo:
    """What the load generator needs to know about the generated data."""

    now: datetime
    office_id: int
    volunteer_ids: list[int]
    phone_of: dict[int, str]  # volunteer id -> mobile number (password PASSWORD)
    team_ids: list[int]
    leader_of_team: dict[int, int]  # team id -> leader's user id
    live_shift_ids: list[int]
    live_shift_of: dict[int, int]  # volunteer id -> their live shift id
    leader_of_live_shift: dict[int, int]  # live shift id -> the leader who shows its code
    future_shift_ids: list[int]
    future_shift_count: int  # shifts not yet started (the live ones aside)
    staff_by_merchant: list[tuple[int, int, int]]  # (merchant, staff user, catalog item)
    listing_district_id: int
    listing_day: date  # a local day with future_shifts_per_district_day shifts in the district
    listing_shift_count: int
    # The last volunteer: load scenarios take volunteers from the first on, so the listing
    # viewer's own sign-ups stay as seeded.
    listing_phone: str
    report_year: int  # last year: every past check-in is in its campaigns
    live_campaign_id: int
    counts: dict[str, int] = field(default_factory=dict)  # rows written, by table


def token_secret(user_id: int) -> str:
    """The bearer secret of the seeded API token of a user (volunteer, staff or office)."""
    return f"bench-{user_id}-{TOKEN_SALT}"


def redeem_code_of(user_id: int) -> str:
    """The seeded redeem code of a volunteer: 8 digits, different for every user id."""
    return f"{(user_id * _CODE_FACTOR + _CODE_OFFSET) % 10**8:08d}"


def volunteer_phone(index: int) -> str:
    """The mobile number of the index-th seeded volunteer (0-based)."""
    return f"150{index:08d}"


def staff_phone(index: int) -> str:
    """The mobile number of the staff account of the index-th seeded merchant (0-based)."""
    return f"151{index:08d}"


# Keyed by their user, so without an id sequence to move.
NO_SERIAL_ID = {VolunteerProfile.__tablename__, MerchantStaff.__tablename__}


def _token_hash(secret: str) -> str:
    # The same digest as core.auth.services._token_hash, which is private to that module.
    return hashlib.sha256(secret.encode()).hexdigest()


class _Writer:
    """Bulk rows into tables over the session's own DBAPI connection and transaction."""

    def __init__(self) -> None:
        connection = db.session.connection()
        self.postgres = connection.dialect.name == "postgresql"
        self.raw: Any = connection.connection.driver_connection
        self.counts: dict[str, int] = {}
        self.written: set[str] = set()

    def stamp(self, moment: datetime) -> str:
        """A UTC datetime as the column text: what UTCDateTime would bind."""
        wall = moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        # SQLite keeps naive UTC wall-clock text in SQLAlchemy's format; PostgreSQL parses the
        # offset into a timestamptz.
        return f"{wall}+00" if self.postgres else wall

    def next_id(self, table: str) -> int:
        """The first free id of a table; ids are given explicitly so that rows can refer to
        each other without reading anything back."""
        return int(db.session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar())

    def insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[tuple],
        *,
        check_references_after: bool = False,
    ) -> int:
        """Write the rows (tuples in the order of `columns`); return how many were written.

        The rows may be a generator, but one that never touches the database: on PostgreSQL
        the connection is inside COPY while it runs. `check_references_after` (for the big
        tables) drops the table's foreign keys for the COPY and adds them back after it.
        """
        names = ", ".join(f'"{c}"' for c in columns)
        started = timer.perf_counter()
        count = 0
        if self.postgres:
            with self.raw.cursor() as cursor:
                # A foreign key is a trigger run for every row, two thirds of the time of a
                # million-row COPY; added back, it checks all rows in one join instead. The
                # DDL is part of the transaction, so a failure leaves the schema as it was.
                keys = self._foreign_keys(cursor, table) if check_references_after else []
                for name, _ in keys:
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                for name, definition in keys:
                    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        else:
            marks = ", ".join("?" for _ in columns)

            def counted() -> Iterator[tuple]:
                nonlocal count
                for row in rows:
                    count += 1
                    yield row

            self.raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', counted())
        self.counts[table] = self.counts.get(table, 0) + count
        self.written.add(table)
        log.info("%s: %d rows in %.2f s", table, count, timer.perf_counter() - started)
        return count

    @staticmethod
    def _foreign_keys(cursor: Any, table: str) -> list[tuple[str, str]]:
        """(name, definition) of the table's foreign keys, read from the catalogue so that
        they come back exactly as the migrations made them."""
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (f'"{table}"',),
        )
        return [(name, definition) for name, definition in cursor.fetchall()]

    def reset_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the explicit ids, so the app's own inserts do
        not collide with them."""
        if not self.postgres:
            return
        for table in sorted(self.written - NO_SERIAL_ID):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
                )
            )


class _Campaigns:
    """Finds the campaign a shift on a local day belongs to, making one for a day that no
    campaign covers (May falls between the standard spring and summer campaigns)."""

    def __init__(self, office: User) -> None:
        self.office = office
        # Bonus days loaded now: points_for reads them, and must not query mid-COPY.
        query = select(Campaign).options(selectinload(Campaign.bonus_days)).order_by(Campaign.id)
        self.campaigns = list(db.session.scalars(query))
        self.memo: dict[date, Campaign] = {}

    def _covering(self, day: date) -> list[Campaign]:
        return [c for c in self.campaigns if c.starts_on <= day <= c.ends_on]

    def for_day(self, day: date) -> Campaign:
        """The covering campaign of the latest year, or a new one filling the gap."""
        if day not in self.memo:
            covering = self._covering(day)
            if covering:
                self.memo[day] = max(covering, key=lambda c: (c.year, c.id))
            else:
                self.memo[day] = self._fill_gap(day)
        return self.memo[day]

    def _fill_gap(self, day: date) -> Campaign:
        first = last = day
        while (
            (first - timedelta(days=1)).year == day.year
            and not self._covering(first - timedelta(days=1))
            and (last - first).days < 365
        ):
            first -= timedelta(days=1)
        while (
            (last + timedelta(days=1)).year == day.year
            and not self._covering(last + timedelta(days=1))
            and (last - first).days < 365
        ):
            last += timedelta(days=1)
        campaign = events.create_campaign(
            self.office,
            name=f"{day.year}年{first:%m月%d日}至{last:%m月%d日}志愿服务",
            season=SEASON_OF_MONTH[day.month],
            year=day.year,
            starts_on=first,
            ends_on=last,
            description="两个季度活动之间的常态化志愿服务。",
        )
        self.campaigns.append(campaign)
        return campaign


@dataclass
class _TeamRow:
    id: int
    district_id: int
    leader_id: int
    members: list[int]  # user ids, the leader first


def _log_step(name: str, started: float) -> float:
    now = timer.perf_counter()
    log.info("%s done in %.2f s", name, now - started)
    return now


def seed(scale: Scale, *, now: datetime) -> SeedInfo:
    """Fill an empty, migrated database with benchmark data at `scale`, as of `now` (aware UTC),
    and commit. Runs inside an app context. Raises ValueError for an impossible scale."""
    scale.check()
    started = timer.perf_counter()
    today = local_day(now)
    last_year = today.year - 1
    ensure_districts()
    districts = list_districts()
    password_hash = passwords.hash_password(PASSWORD)
    long_ago = local_moment(date(last_year, 1, 1)) - timedelta(days=60)

    office = User(
        phone=OFFICE_PHONE,
        password_hash=password_hash,
        display_name="市文明办",
        role=Role.office,
        created_at=long_ago,
    )
    db.session.add(office)
    db.session.flush()
    consents.give_consent(office, ConsentKind.privacy_notice, now=long_ago)
    events.create_standard_year(office, last_year)
    events.create_standard_year(office, today.year)
    campaigns = _Campaigns(office)
    live_campaign = campaigns.for_day(today)
    for offset in range(1, scale.future_days + 1):
        campaigns.for_day(today + timedelta(days=offset))
    db.session.flush()
    w = _Writer()
    t = _log_step("campaigns", started)

    volunteer_ids = _write_users(
        w,
        scale.volunteers,
        Role.volunteer,
        volunteer_phone,
        lambda i: f"志愿者{i + 1:05d}",
        password_hash,
        long_ago,
    )
    staff_ids = _write_users(
        w,
        scale.merchants,
        Role.merchant_staff,
        staff_phone,
        lambda i: f"店员{i + 1:04d}",
        password_hash,
        long_ago,
    )
    _write_profiles(w, volunteer_ids, districts, long_ago)
    teams = _write_teams(w, scale, volunteer_ids, districts, office.id, long_ago)
    t = _log_step("users and teams", t)

    past = [c for c in campaigns.campaigns if c.year == last_year]
    past_shift_rows = _write_past(w, scale, teams, past, today)
    t = _log_step("past shifts", t)
    _write_check_ins(w, scale, teams, volunteer_ids, past_shift_rows)
    t = _log_step("check-ins", t)

    live_shift_ids, live_shift_of, leader_of_live = _write_live(
        w, scale, teams, volunteer_ids, live_campaign.id, now
    )
    future_shift_ids, listing = _write_future(w, scale, teams, districts, campaigns, now)
    t = _log_step("live and future shifts", t)

    staff_by_merchant = _write_merchants(w, staff_ids, districts, long_ago)
    _write_ledger(w, volunteer_ids, staff_by_merchant, office.id, long_ago)
    _write_tokens(w, [office.id, *volunteer_ids, *staff_ids], now)
    _write_redeem_codes(w, volunteer_ids, now)
    w.reset_sequences()
    t = _log_step("merchants, ledger, tokens and codes", t)
    db.session.commit()
    _log_step("commit", t)
    log.info("seed done in %.2f s", timer.perf_counter() - started)

    listing_district_id, listing_day = listing
    return SeedInfo(
        now=now,
        office_id=office.id,
        volunteer_ids=volunteer_ids,
        phone_of={uid: volunteer_phone(i) for i, uid in enumerate(volunteer_ids)},
        team_ids=[team.id for team in teams],
        leader_of_team={team.id: team.leader_id for team in teams},
        live_shift_ids=live_shift_ids,
        live_shift_of=live_shift_of,
        leader_of_live_shift=leader_of_live,
        future_shift_ids=future_shift_ids,
        future_shift_count=len(future_shift_ids),
        staff_by_merchant=staff_by_merchant,
        listing_district_id=listing_district_id,
        listing_day=listing_day,
        listing_shift_count=scale.future_shifts_per_district_day if scale.future_days else 0,
        listing_phone=volunteer_phone(len(volunteer_ids) - 1),
        report_year=last_year,
        live_campaign_id=live_campaign.id,
        counts=dict(w.counts),
    )


# Users, profiles, teams -----------------------------------------------------------------

USER_COLUMNS = (
    "id",
    "phone",
    "password_hash",
    "display_name",
    "role",
    "email",
    "locale",
    "is_enabled",
    "created_at",
)

CONSENT_COLUMNS = ("id", "user_id", "kind", "version", "given_at")


def _write_users(
    w: _Writer,
    count: int,
    role: Role,
    phone: Callable[[int], str],
    name: Callable[[int], str],
    password_hash: str,
    created: datetime,
) -> list[int]:
    """`count` users of a role sharing one password hash; returns their ids in order."""
    first = w.next_id(User.__tablename__) + 1
    ids = list(range(first, first + count))
    stamp, value = w.stamp(created), role.value
    w.insert(
        User.__tablename__,
        USER_COLUMNS,
        (
            (uid, phone(i), password_hash, name(i), value, None, None, True, stamp)
            for i, uid in enumerate(ids)
        ),
    )
    # They agreed to the privacy notice at registration; without it every request is refused.
    first_consent = w.next_id(Consent.__tablename__) + 1
    version = consents.current_text(ConsentKind.privacy_notice).version
    w.insert(
        Consent.__tablename__,
        CONSENT_COLUMNS,
        (
            (first_consent + i, uid, ConsentKind.privacy_notice.value, version, stamp)
            for i, uid in enumerate(ids)
        ),
    )
    return ids


def _write_profiles(
    w: _Writer, volunteer_ids: list[int], districts: list[District], updated: datetime
) -> None:
    skills = [json.dumps([s.value]) for s in Skill]
    stamp = w.stamp(updated)
    w.insert(
        VolunteerProfile.__tablename__,
        ("user_id", "district_id", "skills", "updated_at"),
        (
            (uid, districts[i % len(districts)].id, skills[i % len(skills)], stamp)
            for i, uid in enumerate(volunteer_ids)
        ),
    )


def _write_teams(
    w: _Writer,
    scale: Scale,
    volunteer_ids: list[int],
    districts: list[District],
    office_id: int,
    created: datetime,
) -> list[_TeamRow]:
    first = w.next_id(Team.__tablename__) + 1
    # Volunteer i belongs to team i % teams, so volunteer t (t < teams) is the first of team t
    # and leads it.
    teams = [
        _TeamRow(
            id=first + t,
            district_id=districts[t % len(districts)].id,
            leader_id=volunteer_ids[t],
            members=volunteer_ids[t :: scale.teams],
        )
        for t in range(scale.teams)
    ]
    names = {d.id: d.name for d in districts}
    stamp = w.stamp(created)
    w.insert(
        Team.__tablename__,
        (
            "id",
            "name",
            "district_id",
            "categories",
            "description",
            "status",
            "decision_reason",
            "founder_id",
            "decided_by_id",
            "created_at",
            "decided_at",
        ),
        (
            (
                team.id,
                f"{names[team.district_id]}志愿服务队{t + 1:04d}",
                team.district_id,
                json.dumps([CATEGORIES[t % 10].value, CATEGORIES[(t + 3) % 10].value]),
                "扎根社区，常年开展便民志愿服务。",
                TeamStatus.approved.value,
                None,
                team.leader_id,
                office_id,
                stamp,
                stamp,
            )
            for t, team in enumerate(teams)
        ),
    )
    first_membership = w.next_id(Membership.__tablename__) + 1
    leader, member = MembershipRole.leader.value, MembershipRole.member.value
    active = MembershipStatus.active.value

    def memberships() -> Iterator[tuple]:
        next_id = first_membership
        for team in teams:
            for uid in team.members:
                role = leader if uid == team.leader_id else member
                yield (next_id, team.id, uid, role, active, stamp, stamp)
                next_id += 1

    w.insert(
        Membership.__tablename__,
        ("id", "team_id", "user_id", "role", "status", "requested_at", "joined_at"),
        memberships(),
    )
    return teams


# Activities and shifts ---------------------------------------------------------------------

ACTIVITY_COLUMNS = (
    "id",
    "team_id",
    "campaign_id",
    "district_id",
    "title",
    "category",
    "address",
    "latitude",
    "longitude",
    "checkin_radius_m",
    "description",
    "status",
    "cancel_reason",
    "created_by_id",
    "created_at",
    "published_at",
    "closed_at",
)
SHIFT_COLUMNS = (
    "id",
    "activity_id",
    "series_id",
    "starts_at",
    "ends_at",
    "capacity",
    "seats_taken",
    "allows_walk_ins",
    "status",
    "attendance_closed_at",
    "service_day",
)


def _activity_row(
    w: _Writer,
    activity_id: int,
    team: _TeamRow,
    campaign_id: int,
    district_id: int,
    category: ServiceCategory,
    status: ActivityStatus,
    created: datetime,
    closed: datetime | None = None,
    description: str = "",
) -> tuple:
    return (
        activity_id,
        team.id,
        campaign_id,
        district_id,
        CATEGORY_TITLES[category],
        category.value,
        f"新时代文明实践站（{activity_id % 97 + 1}号点）",
        None,
        None,
        None,
        description,
        status.value,
        None,
        team.leader_id,
        w.stamp(created),
        w.stamp(created + timedelta(hours=1)),
        w.stamp(closed) if closed is not None else None,
    )


def _shift_row(
    w: _Writer,
    shift_id: int,
    activity_id: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    seats_taken: int,
) -> tuple:
    return (
        shift_id,
        activity_id,
        None,
        w.stamp(starts_at),
        w.stamp(ends_at),
        capacity,
        seats_taken,
        False,
        ShiftStatus.scheduled.value,
        None,
        # Core inserts skip Shift's validator that keeps the report day with starts_at.
        local_day(starts_at).isoformat(),
    )


@dataclass
class _PastShift:
    id: int
    activity_id: int
    team: _TeamRow
    campaign: Campaign
    starts_at: datetime
    ends_at: datetime


def _write_past(
    w: _Writer, scale: Scale, teams: list[_TeamRow], past: list[Campaign], today: date
) -> list[_PastShift]:
    """Activities of every team in last year's campaigns and their shifts, all over."""
    # Two days' margin: a shift starting late the day before yesterday and running past
    # midnight is still over by now.
    last_past_day = today - timedelta(days=2)
    windows = [
        (c, c.starts_on, min(c.ends_on, last_past_day))
        for c in past
        if c.starts_on <= last_past_day
    ]
    if scale.past_shifts and not windows:
        raise ValueError("last year has no campaign days in the past")
    slots = len(teams) * len(windows)
    per_activity = max(1, min(2, scale.past_shifts // max(slots, 1)))
    activity_id = w.next_id(Activity.__tablename__) + 1
    shift_id = w.next_id(Shift.__tablename__) + 1
    activities: list[tuple] = []
    shifts: list[_PastShift] = []
    slot = 0
    for t, team in enumerate(teams):
        for c, (campaign, first, last) in enumerate(windows):
            window = (last - first).days + 1
            count = scale.past_shifts // slots + (slot < scale.past_shifts % slots)
            slot += 1
            ids = []
            for q in range(per_activity):
                category = CATEGORIES[(t + 3 * c + q) % len(CATEGORIES)]
                # Most past activities were closed by their leader; some were left published.
                done = (t + c + q) % 4 != 0
                activities.append(
                    _activity_row(
                        w,
                        activity_id,
                        team,
                        campaign.id,
                        team.district_id,
                        category,
                        ActivityStatus.completed if done else ActivityStatus.published,
                        local_moment(first) - timedelta(days=10),
                        local_moment(last + timedelta(days=1)) if done else None,
                    )
                )
                ids.append(activity_id)
                activity_id += 1
            for m in range(count):
                if count <= window:
                    spacing = window // count
                    day = first + timedelta(days=m * spacing + t % spacing)
                    extra = 0
                else:
                    day = first + timedelta(days=m % window)
                    extra = 7 * (m // window)  # several a day: apart by a few minutes
                hour = 7 + (t * 5 + m * 3) % 15  # 07:00 to 21:30; late ones run past midnight
                minute = 30 * ((t + m) % 2) + extra
                starts_at = local_moment(day, time(hour)) + timedelta(minutes=minute)
                ends_at = starts_at + timedelta(hours=2 + (t + 2 * m) % 3)
                # The slot's activities take turns, so each has shifts all through the window.
                activity = ids[m % per_activity]
                shifts.append(_PastShift(shift_id, activity, team, campaign, starts_at, ends_at))
                shift_id += 1
    w.insert(Activity.__tablename__, ACTIVITY_COLUMNS, activities)
    per_shift = -(-scale.check_ins // len(shifts)) if shifts else 0
    capacity = max(per_shift * 2, 20)
    w.insert(
        Shift.__tablename__,
        SHIFT_COLUMNS,
        (
            # Past shifts carry no sign-ups (their check-ins stand alone), so no seats taken.
            _shift_row(w, s.id, s.activity_id, s.starts_at, s.ends_at, capacity, 0)
            for s in shifts
        ),
    )
    return shifts


CHECK_IN_COLUMNS = (
    "id",
    "shift_id",
    "user_id",
    "is_walk_in",
    "method",
    "checked_in_at",
    "checked_out_at",
    "is_auto_checked_out",
    "inside_fence",
    "distance_m",
    "status",
    "served_minutes",
    "points_due",
    "confirmed_at",
    "confirmed_by_id",
)
# (minutes after the start checked in, minutes after the end checked out): on time, late,
# left early; the pattern picks on time three times in five.
ARRIVALS = ((-5, 3), (12, 0), (-2, -40))
PATTERN = (0, 0, 0, 1, 2)


def _attendance_counts(total: int, shifts: int, limit: int) -> list[int]:
    """How many check-ins each shift gets: `total` in all, none above `limit`, varied around
    the mean by pairs that cancel out."""
    base, rest = divmod(total, shifts)
    counts = [base + (k < rest) for k in range(shifts)]
    step = max(min(base // 4, (limit - base - 1) // 2), 0)
    for k in range(0, shifts - 1, 2):
        delta = ((k // 2) * 7 % 5 - 2) * step
        counts[k] += delta
        counts[k + 1] -= delta
    return counts


def _write_check_ins(
    w: _Writer,
    scale: Scale,
    teams: list[_TeamRow],
    volunteer_ids: list[int],
    shifts: list[_PastShift],
) -> None:
    """Confirmed check-ins of distinct volunteers on each past shift, with the minutes and
    points the campaign's rule gives."""
    if not shifts or not scale.check_ins:
        return
    counts = _attendance_counts(scale.check_ins, len(shifts), len(volunteer_ids))
    # Worked out before the insert starts: the rows are produced while COPY holds the
    # connection, so producing them must not query (a lazy load there would wait for ever).
    plans = []
    for shift in shifts:
        day = local_day(shift.starts_at)
        variants = []
        for early, late in ARRIVALS:
            checked_in = shift.starts_at + timedelta(minutes=early)
            checked_out = shift.ends_at + timedelta(minutes=late)
            # As events.services.served_minutes: the stay clamped to the shift.
            stay = min(checked_out, shift.ends_at) - max(checked_in, shift.starts_at)
            served = int(stay.total_seconds() // 60)
            points = events.points_for(shift.campaign, served, day)
            variants.append((w.stamp(checked_in), w.stamp(checked_out), served, points))
        confirmed_at = w.stamp(shift.ends_at + timedelta(hours=2))
        plans.append((shift.id, shift.team, variants, confirmed_at))
    # Each team's next member to take a place, so that attendance rotates through the team.
    cursor = {team.id: 0 for team in teams}
    first = w.next_id(CheckIn.__tablename__) + 1
    qr, confirmed = CheckInMethod.qr.value, AttendanceStatus.confirmed.value

    def rows() -> Iterator[tuple]:
        next_id = first
        everyone_at = 0
        for (shift_id, team, variants, confirmed_at), count in zip(plans, counts, strict=True):
            members = team.members
            if count <= len(members):
                pool, start = members, cursor[team.id]
                cursor[team.id] = (start + count) % len(members)
            else:
                # A shift bigger than its team draws on every volunteer.
                pool, start = volunteer_ids, everyone_at
                everyone_at = (start + count) % len(volunteer_ids)
            size = len(pool)
            for j in range(count):
                cin, cout, served, points = variants[PATTERN[(j + next_id) % 5]]
                yield (
                    next_id,
                    shift_id,
                    pool[(start + j) % size],
                    False,
                    qr,
                    cin,
                    cout,
                    False,
                    None,
                    None,
                    confirmed,
                    served,
                    points,
                    confirmed_at,
                    team.leader_id,
                )
                next_id += 1

    w.insert(CheckIn.__tablename__, CHECK_IN_COLUMNS, rows(), check_references_after=True)


SIGN_UP_COLUMNS = (
    "id",
    "shift_id",
    "user_id",
    "status",
    "created_at",
    "promoted_at",
    "cancelled_at",
)


def _write_live(
    w: _Writer,
    scale: Scale,
    teams: list[_TeamRow],
    volunteer_ids: list[int],
    campaign_id: int,
    now: datetime,
) -> tuple[list[int], dict[int, int], dict[int, int]]:
    """Shifts under way, one activity each, with every volunteer holding a place on one."""
    starts_at, ends_at = now - LIVE_STARTED_AGO, now - LIVE_STARTED_AGO + LIVE_LENGTH
    activity_first = w.next_id(Activity.__tablename__) + 1
    shift_first = w.next_id(Shift.__tablename__) + 1
    shift_ids = [shift_first + j for j in range(scale.live_shifts)]
    team_of = [teams[j % len(teams)] for j in range(scale.live_shifts)]
    # Volunteer i holds live shift i % live_shifts: with as many shifts as teams, that is
    # their own team's.
    live_shift_of = {uid: shift_ids[i % scale.live_shifts] for i, uid in enumerate(volunteer_ids)}
    seats = [0] * scale.live_shifts
    for i in range(len(volunteer_ids)):
        seats[i % scale.live_shifts] += 1
    w.insert(
        Activity.__tablename__,
        ACTIVITY_COLUMNS,
        (
            _activity_row(
                w,
                activity_first + j,
                team,
                campaign_id,
                team.district_id,
                CATEGORIES[j % len(CATEGORIES)],
                ActivityStatus.published,
                now - timedelta(days=7),
            )
            for j, team in enumerate(team_of)
        ),
    )
    w.insert(
        Shift.__tablename__,
        SHIFT_COLUMNS,
        (
            _shift_row(w, sid, activity_first + j, starts_at, ends_at, LIVE_CAPACITY, seats[j])
            for j, sid in enumerate(shift_ids)
        ),
    )
    first = w.next_id(SignUp.__tablename__) + 1
    signed = w.stamp(now - timedelta(days=2))
    status = SignUpStatus.confirmed.value
    w.insert(
        SignUp.__tablename__,
        SIGN_UP_COLUMNS,
        (
            (first + i, live_shift_of[uid], uid, status, signed, None, None)
            for i, uid in enumerate(volunteer_ids)
        ),
    )
    leader_of = {sid: team_of[j].leader_id for j, sid in enumerate(shift_ids)}
    return shift_ids, live_shift_of, leader_of


class _Activities:
    """Published activities made on demand, one per (team, campaign, district)."""

    def __init__(self, w: _Writer, now: datetime, description: str = "") -> None:
        self.w = w
        self.now = now
        self.description = description
        self.next_id = w.next_id(Activity.__tablename__) + 1
        self.ids: dict[tuple[int, int, int], int] = {}
        self.rows: list[tuple] = []

    def known(self, key: tuple[int, int, int], activity_id: int) -> None:
        self.ids[key] = activity_id

    def id_for(self, team: _TeamRow, campaign: Campaign, district_id: int) -> int:
        key = (team.id, campaign.id, district_id)
        if key not in self.ids:
            activity_id = self.next_id
            self.next_id += 1
            self.ids[key] = activity_id
            category = CATEGORIES[activity_id % len(CATEGORIES)]
            self.rows.append(
                _activity_row(
                    self.w,
                    activity_id,
                    team,
                    campaign.id,
                    district_id,
                    category,
                    ActivityStatus.published,
                    self.now - timedelta(days=3),
                    description=self.description,
                )
            )
        return self.ids[key]

    def write(self) -> None:
        self.w.insert(Activity.__tablename__, ACTIVITY_COLUMNS, self.rows)
        self.rows = []


def _write_future(
    w: _Writer,
    scale: Scale,
    teams: list[_TeamRow],
    districts: list[District],
    campaigns: _Campaigns,
    now: datetime,
) -> tuple[list[int], tuple[int, date]]:
    """Open shifts in every district on each of the next days, in daytime (07:00 to 22:00
    local) so that they never meet a live shift, which ends by 03:00 tomorrow."""
    today = local_day(now)
    per_day = scale.future_shifts_per_district_day
    activities = _Activities(w, now)
    shift_first = w.next_id(Shift.__tablename__) + 1
    rows: list[tuple] = []
    by_district: dict[int, list[_TeamRow]] = {}
    for team in teams:
        by_district.setdefault(team.district_id, []).append(team)
    for d, district in enumerate(districts):
        # A district without a team of its own (tiny scales) borrows any team.
        local_teams = by_district.get(district.id, teams)
        for offset in range(1, scale.future_days + 1):
            day = today + timedelta(days=offset)
            campaign = campaigns.for_day(day)
            for s in range(per_day):
                team = local_teams[((offset + d) * per_day + s) % len(local_teams)]
                activity_id = activities.id_for(team, campaign, district.id)
                # Half-hourly starts; beyond 26 a day, longer shifts keep the times distinct.
                starts_at = local_moment(day, time(7)) + timedelta(minutes=30 * (s % 26))
                ends_at = starts_at + timedelta(minutes=120 + 30 * (s % 2) + 15 * (s // 26))
                rows.append(
                    _shift_row(
                        w,
                        shift_first + len(rows),
                        activity_id,
                        starts_at,
                        ends_at,
                        FUTURE_CAPACITY,
                        0,
                    )
                )
    activities.write()
    w.insert(Shift.__tablename__, SHIFT_COLUMNS, rows)
    return [row[0] for row in rows], (districts[0].id, today + timedelta(days=1))


# Merchants, ledger, tokens, codes ------------------------------------------------------------


def _write_merchants(
    w: _Writer, staff_ids: list[int], districts: list[District], created: datetime
) -> list[tuple[int, int, int]]:
    """A merchant per staff account, with one item of price 1 and unlimited stock."""
    merchant_first = w.next_id(Merchant.__tablename__) + 1
    item_first = w.next_id(CatalogItem.__tablename__) + 1
    stamp = w.stamp(created)
    names = {d.id: d.name for d in districts}
    merchants = [
        (merchant_first + j, districts[j % len(districts)].id) for j in range(len(staff_ids))
    ]
    w.insert(
        Merchant.__tablename__,
        ("id", "name", "kind", "district_id", "address", "contact", "is_active", "created_at"),
        (
            (
                mid,
                f"{names[district_id]}爱心商家{j + 1:04d}",
                (
                    MerchantKind.points_supermarket if j % 4 == 0 else MerchantKind.caring_merchant
                ).value,
                district_id,
                f"{names[district_id]}文明路{j + 1}号",
                staff_phone(j),
                True,
                stamp,
            )
            for j, (mid, district_id) in enumerate(merchants)
        ),
    )
    w.insert(
        MerchantStaff.__tablename__,
        ("user_id", "merchant_id"),
        ((uid, mid) for uid, (mid, _) in zip(staff_ids, merchants, strict=True)),
    )
    w.insert(
        CatalogItem.__tablename__,
        ("id", "merchant_id", "name", "price", "stock", "is_active"),
        (
            (item_first + j, mid, "文明积分兑换券", 1, None, True)
            for j, (mid, _) in enumerate(merchants)
        ),
    )
    return [
        (mid, uid, item_first + j)
        for j, (uid, (mid, _)) in enumerate(zip(staff_ids, merchants, strict=True))
    ]


def _write_ledger(
    w: _Writer,
    volunteer_ids: list[int],
    merchants: list[tuple[int, int, int]],
    office_id: int,
    opened: datetime,
) -> None:
    """Accounts and an opening balance for every volunteer, each one entry from the issuance
    account, so that every cached balance equals its entries and all of them sum to zero.

    The entries are adjustments, not earnings, and dated `opened` (long before the past
    shifts): the reminder scan announces every recent earning, and 50,000 "points earned"
    notices would swamp what it is measured on."""
    first = w.next_id(Account.__tablename__) + 1
    issuance = first
    volunteer_first = first + 1
    merchant_first = volunteer_first + len(volunteer_ids)
    stamp = w.stamp(opened)
    kind = AccountKind.volunteer.value

    def accounts() -> Iterator[tuple]:
        issued = -OPENING_BALANCE * len(volunteer_ids)
        yield (issuance, AccountKind.issuance.value, None, None, issued, stamp)
        for i, uid in enumerate(volunteer_ids):
            yield (volunteer_first + i, kind, uid, None, OPENING_BALANCE, stamp)
        for j, (mid, _, _) in enumerate(merchants):
            yield (merchant_first + j, AccountKind.merchant.value, None, mid, 0, stamp)

    w.insert(
        Account.__tablename__,
        ("id", "kind", "owner_id", "merchant_id", "balance", "created_at"),
        accounts(),
    )
    entry_first = w.next_id(LedgerEntry.__tablename__) + 1
    adjust, cause = EntryKind.adjust.value, CauseKind.adjustment.value
    w.insert(
        LedgerEntry.__tablename__,
        (
            "id",
            "from_account_id",
            "to_account_id",
            "amount",
            "kind",
            "cause_kind",
            "cause_id",
            "memo",
            "actor_id",
            "reverses_id",
            "idempotency_key",
            "created_at",
        ),
        (
            (
                entry_first + i,
                issuance,
                volunteer_first + i,
                OPENING_BALANCE,
                adjust,
                cause,
                None,
                "期初积分",
                office_id,
                None,
                f"bench:opening:{uid}",
                stamp,
            )
            for i, uid in enumerate(volunteer_ids)
        ),
    )
    # Each opening balance is one lot, as the ledger would have made it: spending draws lots.
    lot_first = w.next_id(PointsLot.__tablename__) + 1
    w.insert(
        PointsLot.__tablename__,
        ("id", "account_id", "entry_id", "amount", "remaining", "earned_on"),
        (
            (
                lot_first + i,
                volunteer_first + i,
                entry_first + i,
                OPENING_BALANCE,
                OPENING_BALANCE,
                local_day(opened).isoformat(),
            )
            for i in range(len(volunteer_ids))
        ),
    )


def _write_tokens(w: _Writer, user_ids: list[int], now: datetime) -> None:
    first = w.next_id(ApiToken.__tablename__) + 1
    created, expires = w.stamp(now), w.stamp(now + timedelta(days=TOKEN_DAYS))
    w.insert(
        ApiToken.__tablename__,
        ("id", "user_id", "token_hash", "name", "created_at", "expires_at", "revoked_at"),
        (
            (first + i, uid, _token_hash(token_secret(uid)), "bench", created, expires, None)
            for i, uid in enumerate(user_ids)
        ),
    )


def _write_redeem_codes(w: _Writer, volunteer_ids: list[int], now: datetime) -> None:
    first = w.next_id(RedeemCode.__tablename__) + 1
    created, expires = w.stamp(now), w.stamp(now + timedelta(hours=REDEEM_CODE_HOURS))
    w.insert(
        RedeemCode.__tablename__,
        ("id", "user_id", "code", "created_at", "expires_at", "used_at"),
        (
            (first + i, uid, redeem_code_of(uid), created, expires, None)
            for i, uid in enumerate(volunteer_ids)
        ),
    )


# Growth of future shifts for the reminder scan ---------------------------------------------------


def add_future_shifts(count: int, *, now: datetime) -> None:
    """Add `count` shifts over the next 365 days to a seeded database, each with 1 to 3
    confirmed sign-ups, and commit: the reminder scan's growth measurement.

    They are night shifts (00:30 to 05:30 local) of published activities marked GROWTH_MARK,
    so they overlap neither the seeded daytime future shifts that volunteers sign up for nor
    today's live shifts. Calling it again continues where the last call stopped.
    """
    if count <= 0:
        return
    started = timer.perf_counter()
    today = local_day(now)
    office = db.session.scalars(
        select(User).where(User.role == Role.office).order_by(User.id)
    ).first()
    if office is None:
        raise ValueError("seed the database first")
    for year in (today.year, (today + timedelta(days=366)).year):
        events.create_standard_year(office, year)
    campaigns = _Campaigns(office)
    teams = _load_teams()
    volunteer_ids = list(
        db.session.scalars(select(User.id).where(User.role == Role.volunteer).order_by(User.id))
    )
    w = _Writer()
    activities = _Activities(w, now, description=GROWTH_MARK)
    for activity_id, team_id, campaign_id, district_id in db.session.execute(
        select(Activity.id, Activity.team_id, Activity.campaign_id, Activity.district_id).where(
            Activity.description == GROWTH_MARK
        )
    ):
        activities.known((team_id, campaign_id, district_id), activity_id)
    growth_shifts = select(Shift.id).join(Activity).where(Activity.description == GROWTH_MARK)
    base = db.session.scalar(select(func.count()).select_from(growth_shifts.subquery()))
    taken = db.session.scalar(
        select(func.count()).select_from(SignUp).where(SignUp.shift_id.in_(growth_shifts))
    )
    # A night shift starting before the live shifts end (a late `now`) moves a year on.
    earliest = now - LIVE_STARTED_AGO + LIVE_LENGTH + timedelta(minutes=10)
    night: dict[date, datetime] = {}
    shift_first = w.next_id(Shift.__tablename__) + 1
    shifts: list[tuple] = []
    sign_ups: list[tuple[int, int]] = []
    for k in range(base, base + count):
        day = today + timedelta(days=1 + k % 365)
        rounds = k // 365
        team = teams[rounds % len(teams)]
        # Distinct (team, day, start) until 365 * teams * 120 shifts: the unique key holds.
        minute = (rounds // len(teams)) % 120
        if day not in night:
            night[day] = local_moment(day, time(0, 30))
        starts_at = night[day] + timedelta(minutes=minute)
        if starts_at < earliest:
            day += timedelta(days=365)
            starts_at = local_moment(day, time(0, 30)) + timedelta(minutes=minute)
        ends_at = starts_at + timedelta(hours=1 + k % 3)
        activity_id = activities.id_for(team, campaigns.for_day(day), team.district_id)
        places = 1 + (k // 2) % 3
        shift_id = shift_first + len(shifts)
        shifts.append(
            _shift_row(w, shift_id, activity_id, starts_at, ends_at, GROWTH_CAPACITY, places)
        )
        for _ in range(places):
            # Round-robin over all volunteers: one volunteer's places are far apart in time.
            sign_ups.append((shift_id, volunteer_ids[taken % len(volunteer_ids)]))
            taken += 1
    db.session.flush()
    activities.write()
    w.insert(Shift.__tablename__, SHIFT_COLUMNS, shifts, check_references_after=True)
    first = w.next_id(SignUp.__tablename__) + 1
    signed, status = w.stamp(now), SignUpStatus.confirmed.value
    w.insert(
        SignUp.__tablename__,
        SIGN_UP_COLUMNS,
        (
            (first + i, shift_id, uid, status, signed, None, None)
            for i, (shift_id, uid) in enumerate(sign_ups)
        ),
        check_references_after=True,
    )
    w.reset_sequences()
    db.session.commit()
    log.info("%d future shifts added in %.2f s", count, timer.perf_counter() - started)


def _load_teams() -> list[_TeamRow]:
    """The approved teams and their leaders, members left out (growth shifts need neither)."""
    rows = db.session.execute(
        select(Team.id, Team.district_id, Membership.user_id)
        .join(Membership, Membership.team_id == Team.id)
        .where(
            Team.status == TeamStatus.approved,
            Membership.role == MembershipRole.leader,
            Membership.status == MembershipStatus.active,
        )
        .order_by(Team.id, Membership.id)
    )
    teams: dict[int, _TeamRow] = {}
    for team_id, district_id, leader_id in rows:
        teams.setdefault(team_id, _TeamRow(team_id, district_id, leader_id, [leader_id]))
    if not teams:
        raise ValueError("seed the database first")
    return list(teams.values())
