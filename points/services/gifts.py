"""Gifting points (积分转赠): family links, gifts to a linked family member or a charity pool
within a monthly cap, the office's awards from a pool, and the pools' balances.

A gift locks the accounts it moves points between, in id order, before it reads anything it
decides on (the giver's balance, what they gave this month, an earlier gift with the same key):
two gifts of one giver run one after the other, so together they can pass neither the balance
nor the cap, and A→B and B→A at once wait for each other instead of deadlocking.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.auth.models import Role, User
from core.auth.services import find_user_by_phone, normalize_phone, require_office
from core.clock import local_day
from core.collation import in_pinyin_order
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from points.gift_models import (
    MAX_AWARD_REASON,
    MAX_GIFT_NOTE,
    FamilyLink,
    GiftKind,
    LinkStatus,
    PointsGift,
    PoolAward,
    Relation,
)
from points.models import Account, AccountKind, CauseKind, EntryKind
from points.services.ledger import (
    MAX_ADJUSTMENT,
    InsufficientBalance,
    Posting,
    lock_accounts,
    pool_account,
    post,
    volunteer_account,
)
from volunteer.models import Membership, MembershipStatus, Team, TeamStatus

LIVE = (LinkStatus.requested, LinkStatus.confirmed)


class GiftCapReached(Conflict):
    code = "monthly_cap"
    default_message = _l("This is more than you may still give this month.")


def _require_giving_volunteer(user: User) -> None:
    if user.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers give points."))
    if not user.is_enabled:
        raise Forbidden(_l("This account is disabled."), code="account_disabled")


def _clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed(errors={"key": [str(_l("A request key is needed."))]})
    return key


def _digest(*values) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


def _balance(account: Account) -> int:
    return db.session.scalar(select(Account.balance).where(Account.id == account.id))


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or not 1 <= amount <= MAX_ADJUSTMENT:
        message = _l("Enter a whole number from 1 to %(n)d.", n=MAX_ADJUSTMENT)
        raise ValidationFailed(errors={"amount": [str(message)]})


# Family links ---------------------------------------------------------------------------------


def _live_link(first_id: int, second_id: int) -> FamilyLink | None:
    low, high = sorted((first_id, second_id))
    return db.session.scalar(
        select(FamilyLink).where(
            FamilyLink.user_low_id == low,
            FamilyLink.user_high_id == high,
            FamilyLink.status.in_(LIVE),
        )
    )


def _already_linked() -> Conflict:
    return Conflict(
        _l("You are linked with this volunteer already, or a request between you is waiting."),
        code="link_exists",
    )


def request_link(requester: User, *, phone: str, relation: Relation, now: datetime) -> FamilyLink:
    """Ask the volunteer with this mobile number to confirm that they are family; gifts go
    only along a confirmed link. Returns the waiting request.

    Raises Forbidden (not a volunteer, or disabled), ValidationFailed (phone: malformed, one's
    own, or no volunteer's), Conflict (link_exists: a live link or request between the two).
    """
    _require_giving_volunteer(requester)
    relative = find_user_by_phone(normalize_phone(phone))
    if relative is None or relative.role is not Role.volunteer or not relative.is_enabled:
        raise ValidationFailed(errors={"phone": [str(_l("No volunteer has this mobile number."))]})
    if relative.id == requester.id:
        raise ValidationFailed(errors={"phone": [str(_l("This is your own number."))]})
    if _live_link(requester.id, relative.id) is not None:
        raise _already_linked()
    link = FamilyLink(
        requester_id=requester.id,
        relative_id=relative.id,
        user_low_id=min(requester.id, relative.id),
        user_high_id=max(requester.id, relative.id),
        relation=relation,
        status=LinkStatus.requested,
        created_at=now,
    )
    try:
        # Two requests between the same pair at once: the live-pair index lets one in.
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:
        raise _already_linked() from None
    return link


def _party_link(user: User, link_id: int) -> FamilyLink:
    """The link, locked, if `user` is one of its pair. Raises NotFound."""
    link = db.session.get(FamilyLink, link_id, with_for_update=True, populate_existing=True)
    if link is None or user.id not in (link.requester_id, link.relative_id):
        raise NotFound(_l("No such family link."))
    return link


def answer_link(user: User, link_id: int, *, accept: bool, now: datetime) -> FamilyLink:
    """The relative asked confirms (`accept`) or declines the request. The same answer again
    changes nothing.

    Raises NotFound (not one of the pair), Forbidden (the one who asked), Conflict
    (link_answered: answered otherwise already, or ended).
    """
    link = _party_link(user, link_id)
    if user.id != link.relative_id:
        raise Forbidden(_l("Only the family member asked can answer this request."))
    answer = LinkStatus.confirmed if accept else LinkStatus.declined
    if link.status is answer:
        return link
    if link.status is not LinkStatus.requested:
        raise Conflict(_l("This request is no longer waiting."), code="link_answered")
    link.status = answer
    link.answered_at = now
    db.session.flush()
    return link


def end_link(user: User, link_id: int, *, now: datetime) -> FamilyLink:
    """Either of the pair ends a confirmed link; the one who asked may withdraw a request still
    waiting. Ending again changes nothing; gifts made stay.

    Raises NotFound (not one of the pair), Conflict (link_waiting: the relative answers a
    request rather than ending it; link_answered: it was declined).
    """
    link = _party_link(user, link_id)
    if link.status is LinkStatus.ended:
        return link
    if link.status is LinkStatus.declined:
        raise Conflict(_l("This request was declined."), code="link_answered")
    if link.status is LinkStatus.requested and user.id != link.requester_id:
        raise Conflict(_l("Confirm or decline this request."), code="link_waiting")
    link.status = LinkStatus.ended
    link.ended_at = now
    db.session.flush()
    return link


def family_of(user: User) -> list[FamilyLink]:
    """The user's live links, confirmed and waiting, newest first, with both people loaded."""
    return list(
        db.session.scalars(
            select(FamilyLink)
            .where(
                or_(FamilyLink.requester_id == user.id, FamilyLink.relative_id == user.id),
                FamilyLink.status.in_(LIVE),
            )
            .options(selectinload(FamilyLink.requester), selectinload(FamilyLink.relative))
            .order_by(FamilyLink.created_at.desc(), FamilyLink.id.desc())
        )
    )


def family_members(user: User) -> list[User]:
    """Those the user may give points to: the other one of each confirmed link, if enabled."""
    others = [link.other(user) for link in family_of(user) if link.status is LinkStatus.confirmed]
    return [other for other in others if other.is_enabled]


def donation_teams(user: User) -> list[Team]:
    """The approved teams the user is an active member of, whose pools the give page offers
    (the API takes any approved team)."""
    return list(
        db.session.scalars(
            select(Team)
            .join(Membership, Membership.team_id == Team.id)
            .where(
                Membership.user_id == user.id,
                Membership.status == MembershipStatus.active,
                Team.status == TeamStatus.approved,
            )
            .order_by(in_pinyin_order(Team.name))
        )
    )


# Gifts ----------------------------------------------------------------------------------------


def pool_name(team: Team | None) -> str:
    """The name a pool goes by: a team's, or the city's."""
    if team is None:
        return str(_l("City charity pool"))
    return str(_l("%(team)s charity pool", team=team.name))


def given_this_month(giver: User, *, now: datetime) -> int:
    """What the giver gave (to family and pools) in the local month of `now`."""
    first = local_day(now).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    given = db.session.scalar(
        select(func.coalesce(func.sum(PointsGift.amount), 0)).where(
            PointsGift.giver_id == giver.id,
            PointsGift.given_on >= first,
            PointsGift.given_on < following,
        )
    )
    return int(given)


def gift_allowance(giver: User, *, now: datetime, monthly_cap: int) -> int:
    """What the giver may still give in the local month of `now`."""
    return max(0, monthly_cap - given_this_month(giver, now=now))


def find_gift(giver: User, key: str) -> PointsGift | None:
    return db.session.scalar(
        select(PointsGift).where(PointsGift.idempotency_key == f"{giver.id}:{key}")
    )


@dataclass(frozen=True)
class _Target:
    account: Account
    recipient: User | None
    team: Team | None
    cause: CauseKind
    memo: str


def _target(
    giver: User, kind: GiftKind, recipient_id: int | None, team_id: int | None, note: str
) -> _Target:
    """Where a gift goes, checked: a family member of a confirmed link, enabled; an approved
    team's pool; or the city's pool."""
    if kind is GiftKind.family:
        recipient = db.session.get(User, recipient_id) if recipient_id is not None else None
        link = recipient is not None and _live_link(giver.id, recipient.id)
        if not link or link.status is not LinkStatus.confirmed or not recipient.is_enabled:
            message = _l("Points go only to a family member who confirmed the link.")
            raise ValidationFailed(errors={"recipient_id": [str(message)]})
        # The name is not in the memo: each side's history reads it from the gift.
        return _Target(volunteer_account(recipient), recipient, None, CauseKind.gift, note)
    team = None
    if kind is GiftKind.team_pool:
        team = db.session.get(Team, team_id) if team_id is not None else None
        if team is None or team.status is not TeamStatus.approved:
            message = _l("Choose an approved team.")
            raise ValidationFailed(errors={"team_id": [str(message)]})
    return _Target(pool_account(team), None, team, CauseKind.donation, pool_name(team))


def give_points(
    giver: User,
    *,
    kind: GiftKind,
    recipient_id: int | None = None,
    team_id: int | None = None,
    amount: int,
    note: str,
    key: str,
    now: datetime,
    monthly_cap: int,
) -> tuple[PointsGift, bool]:
    """Give points to a family member of a confirmed link (the recipient's lots keep the days
    of the giver's lots they came from) or to a team's or the city's charity pool, within
    `monthly_cap` a local month. Returns the gift and whether it was made now: the same `key`
    again returns the first gift and moves nothing; with another request it is a Conflict.

    Raises Forbidden (not a volunteer, or a disabled account), ValidationFailed (key, amount,
    note too long, recipient not a confirmed family member or disabled, team not approved),
    InsufficientBalance, GiftCapReached, Conflict (key_reused).
    """
    _require_giving_volunteer(giver)
    key = _clean_key(key)
    note = (note or "").strip()
    digest = _digest(kind.value, recipient_id, team_id, amount, note)

    def replay(found: PointsGift) -> tuple[PointsGift, bool]:
        if found.request_hash != digest:
            raise Conflict(
                _l("This request was already used for something else."), code="key_reused"
            )
        return found, False

    # A retry after the answer was lost is answered at once, whatever changed since.
    if (found := find_gift(giver, key)) is not None:
        return replay(found)
    _check_amount(amount)
    if len(note) > MAX_GIFT_NOTE:
        message = _l("Enter a note of at most %(n)d characters.", n=MAX_GIFT_NOTE)
        raise ValidationFailed(errors={"note": [str(message)]})
    target = _target(giver, kind, recipient_id, team_id, note)
    source = volunteer_account(giver)
    lock_accounts(source, target.account)
    # Asked again under the lock: a twin of this request sent at the same moment has waited
    # for the first one's commit and finds its gift here.
    if (found := find_gift(giver, key)) is not None:
        return replay(found)
    if _balance(source) < amount:
        raise InsufficientBalance()
    left = monthly_cap - given_this_month(giver, now=now)
    if amount > left:
        message = _l(
            "You may give at most %(cap)d points a month; %(left)d are left this month.",
            cap=monthly_cap,
            left=max(0, left),
        )
        raise GiftCapReached(message, errors={"amount": [str(message)]})
    gift = PointsGift(
        giver_id=giver.id,
        kind=kind,
        recipient=target.recipient,
        team_id=target.team.id if target.team else None,
        amount=amount,
        note=note,
        idempotency_key=f"{giver.id}:{key}",
        request_hash=digest,
        created_at=now,
    )
    db.session.add(gift)
    db.session.flush()
    entry, _ = post(
        Posting(
            from_account=source,
            to_account=target.account,
            amount=amount,
            kind=EntryKind.gift,
            cause_kind=target.cause,
            cause_id=gift.id,
            key=f"gift:{gift.id}",
            memo=target.memo,
            actor_id=giver.id,
        ),
        now=now,
    )
    gift.entry_id = entry.id
    db.session.flush()
    return gift, True


def gifts_of(user: User, *, window: Window) -> Slice[PointsGift]:
    """The `window` of gifts the user gave or received, newest first, and how many there are."""
    mine = or_(PointsGift.giver_id == user.id, PointsGift.recipient_id == user.id)
    query = (
        select(PointsGift)
        .where(mine)
        .options(
            selectinload(PointsGift.giver),
            selectinload(PointsGift.recipient),
            selectinload(PointsGift.team),
        )
        .order_by(PointsGift.created_at.desc(), PointsGift.id.desc())
    )
    return read_slice(query, window, count=select(PointsGift.id).where(mine))


# Pools and the office's awards -------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    team_id: int | None  # None: the city's pool
    name: str
    balance: int


def pools() -> list[Pool]:
    """The city's pool and every team's pool that has taken a donation, with their balances;
    the city's first, even before its first donation."""
    rows = db.session.execute(
        select(Account.team_id, Account.balance, Team)
        .outerjoin(Team, Team.id == Account.team_id)
        .where(Account.kind == AccountKind.charity_pool)
        .order_by(Account.team_id.is_not(None), in_pinyin_order(Team.name))
    ).all()
    city = next((balance for team_id, balance, _ in rows if team_id is None), 0)
    return [
        Pool(None, pool_name(None), city),
        *(Pool(team.id, pool_name(team), balance) for team_id, balance, team in rows if team_id),
    ]


def find_award(office: User, key: str) -> PoolAward | None:
    return db.session.scalar(
        select(PoolAward).where(PoolAward.idempotency_key == f"{office.id}:{key}")
    )


def award_from_pool(
    office: User,
    *,
    team_id: int | None,
    recipient_id: int,
    amount: int,
    reason: str,
    key: str,
    now: datetime,
) -> tuple[PoolAward, bool]:
    """The office awards points from a team's pool (`team_id`) or the city's (None) to a
    volunteer, with a reason the volunteer sees in their history. Returns the award and whether
    it was made now: the same `key` (the office user's) again returns the first award.

    Raises Forbidden (not office), ValidationFailed (key, reason, amount, team_id: no such team,
    recipient_id: no volunteer or a disabled one), InsufficientBalance (the pool holds less;
    a pool never goes below zero), Conflict (key_reused).
    """
    require_office(office)
    key = _clean_key(key)
    reason = (reason or "").strip()
    digest = _digest(team_id, recipient_id, amount, reason)

    def replay(found: PoolAward) -> tuple[PoolAward, bool]:
        if found.request_hash != digest:
            raise Conflict(
                _l("This request was already used for something else."), code="key_reused"
            )
        return found, False

    if (found := find_award(office, key)) is not None:
        return replay(found)
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Give a reason."))]})
    if len(reason) > MAX_AWARD_REASON:
        message = _l("Enter a reason of at most %(n)d characters.", n=MAX_AWARD_REASON)
        raise ValidationFailed(errors={"reason": [str(message)]})
    _check_amount(amount)
    team = None
    if team_id is not None and (team := db.session.get(Team, team_id)) is None:
        raise ValidationFailed(errors={"team_id": [str(_l("No such team."))]})
    recipient = db.session.get(User, recipient_id)
    if recipient is None or recipient.role is not Role.volunteer or not recipient.is_enabled:
        message = _l("Points go only to a volunteer whose account is enabled.")
        raise ValidationFailed(errors={"recipient_id": [str(message)]})
    pool, account = pool_account(team), volunteer_account(recipient)
    lock_accounts(pool, account)
    if (found := find_award(office, key)) is not None:
        return replay(found)
    held = _balance(pool)
    if held < amount:
        raise InsufficientBalance(_l("The pool holds %(n)d points.", n=held))
    award = PoolAward(
        team_id=team_id,
        recipient=recipient,
        amount=amount,
        reason=reason,
        actor_id=office.id,
        idempotency_key=f"{office.id}:{key}",
        request_hash=digest,
        created_at=now,
    )
    db.session.add(award)
    db.session.flush()
    entry, _ = post(
        Posting(
            from_account=pool,
            to_account=account,
            amount=amount,
            kind=EntryKind.award,
            cause_kind=CauseKind.pool_award,
            cause_id=award.id,
            key=f"pool_award:{award.id}",
            memo=reason,
            actor_id=office.id,
        ),
        now=now,
    )
    award.entry_id = entry.id
    db.session.flush()
    return award, True


def list_awards(office: User, *, window: Window) -> Slice[PoolAward]:
    """The `window` of awards from every pool, newest first (office). Raises Forbidden."""
    require_office(office)
    query = (
        select(PoolAward)
        .options(selectinload(PoolAward.recipient), selectinload(PoolAward.team))
        .order_by(PoolAward.created_at.desc(), PoolAward.id.desc())
    )
    return read_slice(query, window, count=select(PoolAward.id))
