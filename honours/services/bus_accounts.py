"""A bus partner's service account (服务账号): the account the bus company's system fetches the
list of card numbers as, with tokens limited to that use (TokenScope.bus_list) that the office
makes (shown once) and revokes on the partner's page.

The account is a user who cannot sign in on the web or by SMS: its number is no mainland mobile
number (a 9 and the partner's id in ten digits), and every way in (password, SMS code, the
token exchange) starts from a mobile number, so none finds it; its password hash is no hash,
so it matches no password either. It stays enabled, since a token works only for an enabled
account (disabling it revokes every token at once, as for anyone). It holds the partner's
staff assignment, which is what lets it read the partner's list; the token's scope keeps it
from everything else the staff may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core.auth.assignments import AssignmentKind, grant_assignment
from core.auth.models import ApiToken, Role, TokenScope, User
from core.auth.services import issue_token
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from honours.bus_models import BusListFetch, BusServiceAccount
from honours.card_models import Partner
from honours.services.bus_list import office_bus_partner

# Not an argon2 hash: verifying any password against it fails.
NO_PASSWORD = "!service-account"
NAME_MAX = 64
DAYS_MAX = 730
NO_SUCH_TOKEN = _l("No such service token of this partner.")


def service_phone(partner_id: int) -> str:
    """The account's number: unique as the partner's id is, 11 characters as the column takes,
    and never a mainland mobile number (those start with 1; closed accounts' with 0)."""
    return f"9{partner_id:010d}"


def service_account_of(partner_id: int) -> BusServiceAccount | None:
    """The partner's service account, if the office made one."""
    return db.session.scalar(
        select(BusServiceAccount)
        .where(BusServiceAccount.partner_id == partner_id)
        .options(joinedload(BusServiceAccount.user))
    )


def _ensure_account(office: User, partner: Partner, now: datetime) -> BusServiceAccount:
    account = service_account_of(partner.id)
    if account is not None:
        return account
    user = User(
        phone=service_phone(partner.id),
        password_hash=NO_PASSWORD,
        display_name=f"{partner.name}（服务账号）"[:64],
        role=Role.volunteer,
        created_at=now,
    )
    account = BusServiceAccount(
        partner_id=partner.id, user=user, created_at=now, created_by_id=office.id or None
    )
    try:
        # The unique partner (and number) decide between two offices making it at once.
        with db.session.begin_nested():
            db.session.add_all([user, account])
    except IntegrityError:
        raise Conflict(
            _l("The partner's service account was made meanwhile: please try again."),
            code="made_meanwhile",
        ) from None
    grant_assignment(office, user.id, AssignmentKind.partner_staff, now=now, partner_id=partner.id)
    return account


def _checked(name: str | None, days: int | None) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [str(_l("Enter a name of at most 64 characters."))]
    if days is None or not 1 <= days <= DAYS_MAX:
        errors["days"] = [str(_l("Enter a number of days from 1 to %(n)d.", n=DAYS_MAX))]
    if errors:
        raise ValidationFailed(errors=errors)
    return name, days


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: the row, and the secret, shown this once and never stored."""

    token: ApiToken
    secret: str
    account: BusServiceAccount


def issue_service_token(
    office: User, partner_id: int, *, name: str | None, days: int | None, now: datetime
) -> IssuedToken:
    """Make a token of the bus partner's service account (making the account the first time),
    limited to reading the partner's list and valid for `days` (the office). Raises Forbidden,
    NotFound (no such partner, or not a bus company), ValidationFailed (the name, the days),
    Conflict (the account made meanwhile)."""
    partner = office_bus_partner(office, partner_id)
    name, days = _checked(name, days)
    account = _ensure_account(office, partner, now)
    token, secret = issue_token(
        account.user, now=now, days=days, name=name, scope=TokenScope.bus_list, created_by=office
    )
    return IssuedToken(token, secret, account)


@dataclass(frozen=True)
class ServiceToken:
    """One of a partner's service tokens as the office lists it, with its last use (its last
    fetch of the list)."""

    token: ApiToken
    last_used_at: datetime | None
    is_usable: bool


def _account_token(account: BusServiceAccount | None, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if (
        account is None
        or token is None
        or token.user_id != account.user_id
        or token.scope is not TokenScope.bus_list
    ):
        raise NotFound(NO_SUCH_TOKEN)
    return token


def list_service_tokens(office: User, partner_id: int, *, now: datetime) -> list[ServiceToken]:
    """The partner's service tokens, revoked and expired ones included (until they are purged),
    the newest first, each with who made and revoked it and its last use (the office). Raises
    Forbidden, NotFound."""
    office_bus_partner(office, partner_id)
    account = service_account_of(partner_id)
    if account is None:
        return []
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == account.user_id, ApiToken.scope == TokenScope.bus_list)
        .options(joinedload(ApiToken.created_by), joinedload(ApiToken.revoked_by))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    used = dict(
        db.session.execute(
            select(BusListFetch.token_id, func.max(BusListFetch.fetched_at))
            .where(BusListFetch.token_id.in_([t.id for t in tokens]))
            .group_by(BusListFetch.token_id)
        ).all()
    )
    return [ServiceToken(token, used.get(token.id), token.is_usable(now)) for token in tokens]


def revoke_service_token(
    office: User, partner_id: int, token_id: int, *, now: datetime
) -> ApiToken:
    """Revoke one of the partner's service tokens (the office): the next request with it is
    refused, on every server. Raises Forbidden, NotFound (not a service token of this partner),
    Conflict (revoked already)."""
    office_bus_partner(office, partner_id)
    token = _account_token(service_account_of(partner_id), token_id)
    # Conditional: of two revocations at once, one counts and keeps its name and time.
    done = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=office.id or None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(_l("This token has been revoked already."), code="revoked_already")
    db.session.refresh(token)
    return token
