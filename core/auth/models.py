"""Users, their sign-in sessions and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db import UTCDateTime, enum_column
from core.extensions import db


class Role(enum.Enum):
    """The account's role. A team leader (队长) is a volunteer leading a team, kept on the
    team membership, not here."""

    volunteer = "volunteer"
    merchant_staff = "merchant_staff"
    office = "office"


class User(UserMixin, db.Model):
    """Someone who signs in with a mainland mobile number: volunteer (志愿者), merchant staff or
    office (文明办)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.volunteer)
    email: Mapped[str | None] = mapped_column(String(254))
    # When the holder of `email` last proved it by opening the link sent to it; None while
    # unproved. Changing the address clears it. Only a proved address may receive a reset link.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str | None] = mapped_column(String(8))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the holder of the number last proved it with an SMS code (registration, sign-in or
    # password reset by code); None for accounts made otherwise and never proved.
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the holder closed the account (注销): personal data was anonymised then and the
    # account disabled; its hours, points and issued certificates stay.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", foreign_keys="ApiToken.user_id"
    )

    # The key of the sign-in session (UserSession) this object was loaded through, if any; not
    # a column. Flask-Login keeps it in the session and remember cookies in place of the user's
    # id (see `get_session_key`), so that ending the row ends every copy of those cookies.
    session_key = None

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def get_session_key(self) -> str | None:
        """What Flask-Login stores in the cookies (its `id_attribute`)."""
        return self.session_key

    @property
    def is_office(self) -> bool:
        return self.role is Role.office

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class TokenScope(enum.Enum):
    """The one use a token may be limited to. A scoped token authenticates only the routes that
    declare they accept its scope (core.auth.access); everywhere else it is refused."""

    # The bus company's list of card numbers, fetched by its system through a partner's
    # service account (honours.bus_api).
    bus_list = "bus_list"


class ApiToken(db.Model):
    """A bearer token for a phone client or another system; only the SHA-256 of the token is
    stored. A token with a `scope` works for that use only; without one (every token a user
    gets by signing in) it works wherever its user may go."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[TokenScope | None] = mapped_column(enum_column(TokenScope))
    # Who made it for its user (the office, for a service account) and who revoked it; None:
    # the user themself (signing in, signing out), or everything at once (a new password).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="tokens", foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class UserSession(db.Model):
    """One browser sign-in: the session and "keep me signed in" cookies carry its key, and only
    the SHA-256 of the key is stored. Signing out, a password change, "sign out everywhere" and
    disabling the account end it here, so a copied cookie is refused on every app server."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    is_remembered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


class SmsPurpose(enum.Enum):
    """What an SMS code (短信验证码) is for; each has a template of its own at the provider.
    A consent code proves that a phone belongs to one answering for a nominee (the nominee, a
    guardian or a relative): a clerk asks for it and takes it from them, so it must be no
    credential of the number's account."""

    sign_in = "sign_in"
    register = "register"
    reset_password = "reset_password"
    consent = "consent"


# The purposes anyone may ask a code for, on the pages and the API; a consent code is asked for
# by the clerk who records the answer, through the service that records it.
PUBLIC_SMS_PURPOSES = (SmsPurpose.sign_in, SmsPurpose.register, SmsPurpose.reset_password)


class SmsCode(db.Model):
    """A six-digit code sent by SMS, of which only a keyed hash is stored. At most one per
    number and purpose is live (not ended): asking again ends the old one; using it ends it.
    Rows stay after they end, so that the codes of the last day can be counted. A row with
    `is_sent` False stands for a code that was never sent (an unknown or disabled number asked
    for a sign-in or reset code): it is answered and counted like any other and never matches.
    """

    __tablename__ = "sms_code"
    __table_args__ = (
        Index("ix_sms_code_phone_created_at", "phone", "created_at"),
        Index("ix_sms_code_created_at", "created_at"),
        Index(
            "ix_sms_code_live",
            "phone",
            "purpose",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[SmsPurpose] = mapped_column(enum_column(SmsPurpose))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    is_sent: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkPurpose(enum.Enum):
    """What a one-time link (OneTimeLink) does when it is opened."""

    reset_password = "reset_password"
    verify_email = "verify_email"


class OneTimeLink(db.Model):
    """A link sent by email or handed out by the office that works once and for a short time:
    setting a new password, or proving an email address. Only the SHA-256 of its secret is
    stored, like sessions and API tokens. At most one per user and purpose is live: issuing a
    new one ends the old; using it, or a new password, ends it. `created_by_id` is the office
    account that made a reset link (None: the user asked for it, or it proves an address)."""

    __tablename__ = "one_time_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The address a verification link proves (the user may have changed it since).
    email: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


class AuditAction(enum.Enum):
    """What an entry of the audit log records."""

    viewed_phone = "viewed_phone"
    disabled = "disabled"
    enabled = "enabled"
    reset_link_created = "reset_link_created"
    password_reset = "password_reset"
    password_set = "password_set"
    office_granted = "office_granted"
    office_withdrawn = "office_withdrawn"
    staff_linked = "staff_linked"
    staff_unlinked = "staff_unlinked"
    audit_exported = "audit_exported"
    data_exported = "data_exported"
    account_closed = "account_closed"
    assignment_granted = "assignment_granted"
    assignment_withdrawn = "assignment_withdrawn"


class AuditEntry(db.Model):
    """One action on user accounts: who (None: the operator's command line), what, on whom,
    with what details, when. Append-only: rows are never changed (the database refuses an
    UPDATE) and nothing in the app deletes them."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_target_id_created_at", "target_id", "created_at"),
        Index("ix_audit_log_actor_id_created_at", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target: Mapped[User | None] = relationship(foreign_keys=[target_id])
