"""User administration by the office (文明办) and the audit log of it: finding accounts,
disabling and enabling them, granting and withdrawing the office role, showing a whole mobile
number, and reading and exporting the log. Every action on an account goes into the audit log
(`record_action`), which is only ever appended to.

Two rules keep the office able to act: nobody disables or demotes their own account, and the
last enabled office account is never disabled or demoted (checked with the office rows locked,
so two offices disabling each other at once cannot both succeed).

Team memberships and merchant staff links are the `volunteer` and `points` packages' rules
(`core` imports no feature package); `points.services.merchants` writes its link changes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from core.auth.models import AuditAction, AuditEntry, Role, User
from core.auth.services import normalize_phone, require_office, sign_out_everywhere
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found

PAGE_SIZE = 20
# An absurd page number would overflow the database's OFFSET.
MAX_PAGE = 100_000
SEARCH_MAX = 20
# What one export holds at most; the page says so when a filter matches more.
EXPORT_MAX = 50_000

NO_SUCH_USER = _l("No such user.")


def masked_phone(phone: str) -> str:
    """139****0001: enough to tell accounts apart on a list, not to call them."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "***"


def _actor_id(actor: User | None) -> int | None:
    # The command line's stand-in for the office (core.auth.cli.office_actor) is never saved
    # and has id 0: its entries have no actor.
    return actor.id if actor is not None and actor.id else None


def record_action(
    actor: User | None,
    action: AuditAction,
    target: User | None,
    *,
    now: datetime,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log. `actor` None (or the command line's stand-in) is the
    operator at the command line; `details` must be JSON (names, ids, times as text)."""
    entry = AuditEntry(
        actor_id=_actor_id(actor),
        action=action,
        target_id=target.id if target is not None else None,
        details=dict(details or {}),
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# Finding and showing accounts -----------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_users(office: User, *, query: str = "", page: int = 1, per_page: int = PAGE_SIZE):
    """Accounts whose mobile number or name holds `query` (all of them for an empty one), newest
    first, one page at a time (a Flask-SQLAlchemy Pagination of User). Digits match the number
    (a +86 prefix, spaces and dashes are dropped), anything else the name. Raises Forbidden
    unless `office` is the office's, ValidationFailed for a query over SEARCH_MAX characters."""
    require_office(office)
    query = (query or "").strip()
    if len(query) > SEARCH_MAX:
        message = _l("Enter at most %(n)d characters.", n=SEARCH_MAX)
        raise ValidationFailed(errors={"q": [str(message)]})
    found: Select = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        digits = query.replace(" ", "").replace("-", "").removeprefix("+86")
        if digits.isdigit():
            found = found.where(
                or_(
                    User.phone.like(_like(digits), escape="\\"),
                    User.display_name.like(_like(query), escape="\\"),
                )
            )
        else:
            found = found.where(User.display_name.like(_like(query), escape="\\"))
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(found, page=page, per_page=per_page, max_per_page=100, error_out=False)


def get_user(office: User, user_id: int) -> User:
    """The account, for the office's pages. Raises Forbidden or NotFound."""
    require_office(office)
    return get_or_not_found(User, user_id, NO_SUCH_USER)


def show_phone(office: User, user_id: int, *, now: datetime) -> str:
    """The account's whole mobile number, for the office; the view is written to the audit
    log. Raises Forbidden or NotFound."""
    user = get_user(office, user_id)
    record_action(office, AuditAction.viewed_phone, user, now=now)
    return user.phone


# Rules that keep the office able to act -------------------------------------------------------


def _lock_enabled_offices() -> set[int]:
    """The ids of the enabled office accounts, their rows locked (PostgreSQL; SQLite writes one
    transaction at a time) before any other row, so that two offices acting on each other at
    once take turns, and the second sees what the first changed."""
    return set(
        db.session.scalars(
            select(User.id)
            .where(User.role == Role.office, User.is_enabled.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
    )


def _keep_an_office(offices: set[int], user: User, refusal) -> None:
    """Raise Conflict(refusal) if `user` is the only one of the enabled office accounts."""
    if offices == {user.id}:
        raise Conflict(refusal, code="last_office")


def set_account_enabled(office: User, user_id: int, *, enabled: bool, now: datetime) -> User:
    """Disable or re-enable an account (the office). Disabling signs it out everywhere at once:
    its sessions end and its tokens are revoked; re-enabling brings none of them back. Either
    is written to the audit log; asking for what is so already changes and logs nothing.

    Raises Forbidden (not the office), NotFound (no such user) or Conflict (disabling oneself,
    which would leave nobody to undo it, or the last enabled office account; enabling an
    account its holder closed)."""
    require_office(office)
    offices = _lock_enabled_offices() if not enabled else set()
    user = get_or_not_found(User, user_id, NO_SUCH_USER, lock=True)
    if not enabled and user.id == office.id:
        raise Conflict(_l("You cannot disable your own account."), code="own_account")
    if user.is_enabled == enabled:
        return user
    if enabled and user.closed_at is not None:
        # Its holder closed it and its personal data is gone: there is no one to give it back to.
        raise Conflict(_l("This account was closed by its holder; it stays closed."), code="closed")
    if not enabled:
        _keep_an_office(
            offices, user, _l("This is the last enabled office account; it stays enabled.")
        )
    user.is_enabled = enabled
    if not enabled:
        sign_out_everywhere(user, now=now)
    record_action(office, AuditAction.enabled if enabled else AuditAction.disabled, user, now=now)
    return user


def grant_office(office: User, user_id: int, *, now: datetime) -> User:
    """Make a volunteer account an office account. Raises Forbidden, NotFound, Conflict (not a
    volunteer account: merchant staff keep their counter, an office account is one already)."""
    require_office(office)
    user = get_or_not_found(User, user_id, NO_SUCH_USER, lock=True)
    if user.role is not Role.volunteer:
        raise Conflict(
            _l("Only a volunteer account can be given the office role."), code="not_a_volunteer"
        )
    if not user.is_enabled:
        raise Conflict(_l("Enable the account first."), code="disabled")
    user.role = Role.office
    record_action(office, AuditAction.office_granted, user, now=now)
    return user


def withdraw_office(office: User, user_id: int, *, now: datetime) -> User:
    """Make an office account a volunteer account again. Raises Forbidden, NotFound, Conflict
    (not an office account, one's own, or the last enabled office account)."""
    require_office(office)
    offices = _lock_enabled_offices()
    user = get_or_not_found(User, user_id, NO_SUCH_USER, lock=True)
    if user.role is not Role.office:
        raise Conflict(_l("This is not an office account."), code="not_office")
    if user.id == office.id:
        raise Conflict(_l("You cannot withdraw your own office role."), code="own_account")
    _keep_an_office(
        offices, user, _l("This is the last enabled office account; it keeps its role.")
    )
    user.role = Role.volunteer
    record_action(office, AuditAction.office_withdrawn, user, now=now)
    return user


# Reading the audit log ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: on one user's account, by one actor, of one action (None: any)."""

    target_id: int | None = None
    actor_id: int | None = None
    action: AuditAction | None = None

    def as_query(self) -> dict[str, Any]:
        """The filter as query arguments for links."""
        return {
            key: value
            for key, value in (
                ("user_id", self.target_id),
                ("actor_id", self.actor_id),
                ("action", self.action.value if self.action else None),
            )
            if value is not None
        }


def audit_filter(
    office: User,
    *,
    user_phone: str = "",
    actor_phone: str = "",
    user_id: int | None = None,
    actor_id: int | None = None,
    action: str = "",
) -> AuditFilter:
    """The filter the office asked for: an account by id (links from its page) or by mobile
    number (the form). An unknown number matches no entry. Raises Forbidden, ValidationFailed
    (a malformed number, an unknown action)."""
    require_office(office)

    def by_phone(raw: str, field: str, given: int | None) -> int | None:
        if not (raw or "").strip():
            return given
        try:
            phone = normalize_phone(raw)
        except ValidationFailed as error:
            raise ValidationFailed(errors={field: error.errors["phone"]}) from None
        return db.session.scalar(select(User.id).where(User.phone == phone)) or -1

    chosen = None
    if action:
        try:
            chosen = AuditAction(action)
        except ValueError:
            raise ValidationFailed(
                errors={"action": [str(_l("Choose an action from the list."))]}
            ) from None
    return AuditFilter(
        target_id=by_phone(user_phone, "user", user_id),
        actor_id=by_phone(actor_phone, "actor", actor_id),
        action=chosen,
    )


def _audit_query(chosen: AuditFilter):
    query = select(AuditEntry).options(joinedload(AuditEntry.actor), joinedload(AuditEntry.target))
    if chosen.target_id is not None:
        query = query.where(AuditEntry.target_id == chosen.target_id)
    if chosen.actor_id is not None:
        query = query.where(AuditEntry.actor_id == chosen.actor_id)
    if chosen.action is not None:
        query = query.where(AuditEntry.action == chosen.action)
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def list_audit(office: User, chosen: AuditFilter, *, page: int = 1, per_page: int = PAGE_SIZE):
    """The entries matching the filter, newest first, a page at a time (Pagination of
    AuditEntry, actor and target loaded). Raises Forbidden."""
    require_office(office)
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(
        _audit_query(chosen), page=page, per_page=per_page, max_per_page=100, error_out=False
    )


def export_audit(office: User, chosen: AuditFilter, *, now: datetime) -> list[AuditEntry]:
    """The entries matching the filter, newest first, at most EXPORT_MAX, for a download; the
    export itself is written to the log (with its filter). Raises Forbidden."""
    require_office(office)
    entries = list(db.session.scalars(_audit_query(chosen).limit(EXPORT_MAX)).unique())
    record_action(office, AuditAction.audit_exported, None, now=now, details=chosen.as_query())
    return entries


def recent_on(office: User, user_id: int, *, limit: int = 10) -> list[AuditEntry]:
    """The latest entries on an account, by anyone (for its page). Raises Forbidden."""
    require_office(office)
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(AuditEntry.target_id == user_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
