"""Points expiry (积分有效期): the city's policy, the nightly expiry of what is due, the
warnings ahead of it and the office's figures.

A lot's expiry day is never stored: it follows from the day the lot counts from,
max(earned_on, policy.since), and the policy in force. That day grows with the day a lot counts
from, so the lots expired on a day are exactly those counted from no later than a cutoff day,
and every query here is a range over `earned_on`. Switching the policy writes a new version and
rewrites no lot: it races with nothing, and since points earned before it count from the day of
the switch, it expires nothing earlier than the new rule's time after the switch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select

from core.auth.models import User
from core.auth.services import require_office
from core.clock import local_day, local_moment
from core.errors import ValidationFailed
from core.extensions import db
from points.lot_models import ExpiryPolicy, ExpiryRule, PointsLot
from points.models import Account, AccountKind, CauseKind, EntryKind, LedgerEntry
from points.services.ledger import Posting, post, system_account

MIN_MONTHS, MAX_MONTHS = 1, 120
# Volunteers see what expires within this many days beside their balance.
SOON_DAYS = 30
# The warnings: once when a lot's expiry day is this many days away or fewer, for each.
WARNING_DAYS = (30, 7)
FIGURE_MONTHS = 12


@dataclass(frozen=True)
class Policy:
    """The rule in force, as arithmetic on days (never: no Policy at all)."""

    rule: ExpiryRule
    months: int | None
    since: date

    def counted_from(self, earned_on: date) -> date:
        """Points earned before the policy count from the day it was set."""
        return max(earned_on, self.since)

    def expires_on(self, earned_on: date) -> date:
        """The first local day on which points earned on `earned_on` are expired: N months
        after the day they count from (clipped to a shorter month's end), or January 1 of the
        second year after it (usable through December 31 of the following year)."""
        start = self.counted_from(earned_on)
        if self.rule is ExpiryRule.months:
            return start + relativedelta(months=self.months)
        return date(start.year + 2, 1, 1)

    def cutoff(self, today: date) -> date:
        """The last day a lot may count from and be expired on `today`: the greatest day d
        whose expiry day is `today` or earlier."""
        if self.rule is ExpiryRule.following_year_end:
            return date(today.year - 2, 12, 31)
        # Month ends clip (Jan 29, 30 and 31 all expire on Feb 28 a month on), so going back
        # N months may land a few days short of the last day that qualifies.
        step = relativedelta(months=self.months)
        day = today - step
        while day + timedelta(days=1) + step <= today:
            day += timedelta(days=1)
        return day


def current_policy() -> ExpiryPolicy | None:
    """The newest version of the policy (the one in force); None: points never expire."""
    return db.session.scalar(select(ExpiryPolicy).order_by(ExpiryPolicy.id.desc()).limit(1))


def policy_in_force() -> Policy | None:
    """The policy in force as arithmetic, or None when points never expire."""
    row = current_policy()
    if row is None or row.rule is ExpiryRule.never:
        return None
    return Policy(row.rule, row.months, row.since)


@dataclass(frozen=True)
class PolicyVersion:
    policy: ExpiryPolicy
    set_by: str | None  # the office account's name


def policy_history(office: User) -> list[PolicyVersion]:
    """Every version of the policy, newest (the one in force) first, with who set it.
    Raises Forbidden (not office)."""
    require_office(office)
    rows = db.session.execute(
        select(ExpiryPolicy, User.display_name)
        .outerjoin(User, User.id == ExpiryPolicy.set_by_id)
        .order_by(ExpiryPolicy.id.desc())
    ).all()
    return [PolicyVersion(policy, name) for policy, name in rows]


def set_policy(
    office: User, *, rule: ExpiryRule, months: int | None, now: datetime
) -> ExpiryPolicy:
    """Put a policy in force from today (local): never, `months` months after earning (1 to
    120), or the end of the following calendar year. Points earned before today count from
    today. Setting the policy in force again changes nothing (a new version would move its
    day forward and postpone what is due). Returns the version in force.

    Raises Forbidden (not office), ValidationFailed (no such rule; months missing or out of
    range for the months rule, given for another).
    """
    require_office(office)
    if not isinstance(rule, ExpiryRule):
        raise ValidationFailed(errors={"rule": [str(_l("Choose one of the rules."))]})
    if rule is ExpiryRule.months:
        if months is None or not MIN_MONTHS <= months <= MAX_MONTHS:
            message = _l(
                "Enter a number of months from %(low)d to %(high)d.",
                low=MIN_MONTHS,
                high=MAX_MONTHS,
            )
            raise ValidationFailed(errors={"months": [str(message)]})
    elif months is not None:
        message = _l("Only the rule of a number of months takes months.")
        raise ValidationFailed(errors={"months": [str(message)]})
    current = current_policy()
    if current is not None and (current.rule, current.months) == (rule, months):
        return current
    version = ExpiryPolicy(
        rule=rule, months=months, since=local_day(now), set_by_id=office.id, set_at=now
    )
    db.session.add(version)
    db.session.flush()
    return version


# The nightly expiry ---------------------------------------------------------------------


def _expired_lots(policy: Policy, today: date) -> list | None:
    """The conditions on PointsLot of the open lots expired on `today`; None when none are
    (the policy's day is after the cutoff)."""
    cutoff = policy.cutoff(today)
    if policy.since > cutoff:
        return None
    return [PointsLot.remaining > 0, PointsLot.earned_on <= cutoff]


def _expire(account_id: int, policy: Policy, *, today: date, now: datetime) -> LedgerEntry | None:
    expired_lots = _expired_lots(policy, today)
    if expired_lots is None:
        return None
    # The account's row lock first, and only then the lots: a redemption holds the same lock
    # (its conditional balance UPDATE) until it commits, so whichever comes second sees what
    # the first did and nothing is both spent and expired.
    account = db.session.get(Account, account_id, with_for_update=True, populate_existing=True)
    if account is None or account.kind is not AccountKind.volunteer:
        return None
    due = db.session.scalar(
        select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
            PointsLot.account_id == account_id, *expired_lots
        )
    )
    if not due:
        return None
    earlier = db.session.scalar(
        select(func.count(LedgerEntry.id)).where(
            LedgerEntry.from_account_id == account_id,
            LedgerEntry.kind == EntryKind.expire,
            LedgerEntry.cause_kind == CauseKind.expiry,
        )
    )
    # The ledger spends the lots that expire first, which are exactly the expired ones.
    entry, _ = post(
        Posting(
            from_account=account,
            to_account=system_account(AccountKind.expired),
            amount=int(due),
            kind=EntryKind.expire,
            cause_kind=CauseKind.expiry,
            cause_id=None,
            key=f"expiry:{account_id}:{earlier + 1}",
            memo=today.isoformat(),
        ),
        now=now,
    )
    return entry


def expire_account(account_id: int, *, today: date, now: datetime) -> LedgerEntry | None:
    """Post one entry of the volunteer account's points expired on local day `today` to the
    expired-points account, or nothing (None) when none are due; a second run finds none.
    Holds the account's row lock until the caller commits."""
    policy = policy_in_force()
    if policy is None:
        return None
    return _expire(account_id, policy, today=today, now=now)


def expire_points(*, now: datetime, after_each: Callable[[], None] | None = None) -> int:
    """Expire what is due on the local day of `now` in every volunteer's account, one entry
    per volunteer; returns how many volunteers had points expire. A run after days down
    expires everything due by now; a second run expires nothing. `after_each` (the job's
    commit) runs after each account, so that a run cut short keeps what it did and holds one
    account's lock at a time."""
    policy = policy_in_force()
    if policy is None:
        return 0
    today = local_day(now)
    expired_lots = _expired_lots(policy, today)
    if expired_lots is None:
        return 0
    account_ids = db.session.scalars(
        select(PointsLot.account_id).where(*expired_lots).distinct().order_by(PointsLot.account_id)
    ).all()
    expired = 0
    for account_id in account_ids:
        if _expire(account_id, policy, today=today, now=now) is not None:
            expired += 1
        if after_each is not None:
            after_each()
    return expired


# What is about to expire -----------------------------------------------------------------


def _open_lots_expiring(policy: Policy, after: date | None, until: date, *columns) -> Select | None:
    """`columns` of the open lots that expire after `after` (None: whenever, those due and
    not yet taken included) and on or before `until`; None when no lot can."""
    high = policy.cutoff(until)
    low = policy.cutoff(after) if after is not None else None
    if policy.since > high or (low is not None and low >= high):
        return None
    query = select(*columns).where(PointsLot.remaining > 0, PointsLot.earned_on <= high)
    # Lots earned before the policy count from its day: when that day is in the range, all of
    # them are; otherwise only those earned in it.
    if low is not None and policy.since <= low:
        query = query.where(PointsLot.earned_on > low)
    return query


class ExpiringSoon(NamedTuple):
    amount: int
    first_day: date  # the first day on which some of them are expired


def expiring_soon(user: User, *, now: datetime, days: int = SOON_DAYS) -> ExpiringSoon | None:
    """How many of the volunteer's points expire within `days` days, and the first day some
    of them do; None when none do (or points never expire)."""
    policy = policy_in_force()
    if policy is None:
        return None
    today = local_day(now)
    # From the beginning: points due that the nightly job has not taken yet are expiring too.
    query = _open_lots_expiring(
        policy,
        None,
        today + timedelta(days=days),
        func.sum(PointsLot.remaining),
        func.min(PointsLot.earned_on),
    )
    if query is None:
        return None
    amount, first = db.session.execute(
        query.join(Account, Account.id == PointsLot.account_id).where(
            Account.kind == AccountKind.volunteer, Account.owner_id == user.id
        )
    ).one()
    if not amount:
        return None
    return ExpiringSoon(int(amount), max(policy.expires_on(first), today))


class Expiring(NamedTuple):
    user_id: int
    expires_on: date
    amount: int


def expiring_between(today: date, until: date) -> list[Expiring]:
    """Every volunteer's open points that expire after `today` and on or before `until`, by
    volunteer and expiry day (the database sums by earning day; days map to expiry days
    here)."""
    policy = policy_in_force()
    if policy is None:
        return []
    query = _open_lots_expiring(
        policy, today, until, Account.owner_id, PointsLot.earned_on, func.sum(PointsLot.remaining)
    )
    if query is None:
        return []
    rows = db.session.execute(
        query.join(Account, Account.id == PointsLot.account_id)
        .where(Account.kind == AccountKind.volunteer)
        .group_by(Account.owner_id, PointsLot.earned_on)
    ).all()
    found: dict[tuple[int, date], int] = defaultdict(int)
    for user_id, earned_on, amount in rows:
        found[(user_id, policy.expires_on(earned_on))] += int(amount)
    return [Expiring(u, day, amount) for (u, day), amount in sorted(found.items())]


# The office's figures --------------------------------------------------------------------


def _first_of_next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class ExpiryFigures:
    next_month: date  # its first day
    expiring_next_month: int
    # (first day of the month, points expired in it), the last FIGURE_MONTHS months, oldest
    # first, this month last.
    expired_by_month: list[tuple[date, int]]


def expiry_figures(office: User, *, now: datetime) -> ExpiryFigures:
    """Points that expire next calendar month (as the lots stand now), and points expired in
    each of the last 12 months, this one included, by the local day the nightly job took
    them. Raises Forbidden (not office)."""
    require_office(office)
    today = local_day(now)
    this_month = today.replace(day=1)
    next_month = _first_of_next(this_month)
    expiring = 0
    policy = policy_in_force()
    if policy is not None:
        query = _open_lots_expiring(
            policy,
            next_month - timedelta(days=1),
            _first_of_next(next_month) - timedelta(days=1),
            func.coalesce(func.sum(PointsLot.remaining), 0),
        )
        expiring = int(db.session.scalar(query)) if query is not None else 0
    months = [this_month]
    while len(months) < FIGURE_MONTHS:
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    bounds = [local_moment(m) for m in [*months, next_month]]
    # One row of twelve sums: the moments of local month boundaries are the same on SQLite and
    # PostgreSQL, where grouping by a local month of a UTC column is not.
    sums = [
        func.coalesce(
            func.sum(
                case(
                    (
                        (LedgerEntry.created_at >= start) & (LedgerEntry.created_at < end),
                        LedgerEntry.amount,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        for start, end in pairwise(bounds)
    ]
    expired = db.session.execute(
        select(*sums).where(
            LedgerEntry.kind == EntryKind.expire,
            LedgerEntry.cause_kind == CauseKind.expiry,
            LedgerEntry.created_at >= bounds[0],
            LedgerEntry.created_at < bounds[-1],
        )
    ).one()
    return ExpiryFigures(
        next_month=next_month,
        expiring_next_month=expiring,
        expired_by_month=[(m, int(points)) for m, points in zip(months, expired, strict=True)],
    )
