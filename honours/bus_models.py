"""The bus company's list of card numbers (公交免费乘车名单): each night, for each approved bus
partner, the numbers of the cards that ride free and those that stopped since the partner's
previous list; who fetched which list and when; and the service account (服务账号) through
which the bus company's system fetches it with a token limited to that use.

A list is written once and never changed: what the bus company was told on a night stays
answerable. Only card numbers are kept, no names or ID numbers: a validator needs no more.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import ApiToken, User
from core.db import UTCDateTime, enum_column
from core.extensions import db
from honours.card_models import CourtesyCard, Partner


class BusServiceAccount(db.Model):
    """The account a bus partner's system signs in as (one per partner): a user who holds the
    partner's staff assignment and cannot sign in on the web, whose tokens the office makes
    and revokes on the partner's page."""

    __tablename__ = "bus_service_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("card_partner.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    partner: Mapped[Partner] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ListMaker(enum.Enum):
    """What made a list: the scheduler's nightly job or the operator's command."""

    job = "job"
    command = "command"

    @property
    def label(self) -> str:
        return str(LIST_MAKER_LABELS[self])


LIST_MAKER_LABELS = {ListMaker.job: _l("Nightly job"), ListMaker.command: _l("Command line")}


class BusListExport(db.Model):
    """One night's list of a bus partner: at most one per partner and night (a second run the
    same night, or two at once, make nothing). `previous_id` is the partner's list before it,
    against which the numbers no longer valid were found."""

    __tablename__ = "bus_list_export"
    __table_args__ = (
        UniqueConstraint("partner_id", "night"),
        CheckConstraint("valid_count >= 0 AND invalid_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("card_partner.id"))
    # The local day the list is for.
    night: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by: Mapped[ListMaker] = mapped_column(enum_column(ListMaker))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("bus_list_export.id"))
    valid_count: Mapped[int]
    invalid_count: Mapped[int]

    partner: Mapped[Partner] = relationship()


class BusListLine(db.Model):
    """A number on a list: valid (rides free) or invalid (valid on the previous list, not now:
    lost, replaced, expired, revoked, or the holder's honour no longer reaches the benefit)."""

    __tablename__ = "bus_list_line"

    export_id: Mapped[int] = mapped_column(ForeignKey("bus_list_export.id"), primary_key=True)
    number: Mapped[str] = mapped_column(String(10), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("courtesy_card.id"), index=True)
    is_valid: Mapped[bool]

    card: Mapped[CourtesyCard] = relationship()


class FetchChannel(enum.Enum):
    """How a list was fetched: by the API (the bus company's system) or downloaded on the
    partner's page."""

    api = "api"
    download = "download"

    @property
    def label(self) -> str:
        return str(FETCH_CHANNEL_LABELS[self])


FETCH_CHANNEL_LABELS = {FetchChannel.api: _l("API"), FetchChannel.download: _l("Download")}


class BusListFetch(db.Model):
    """Someone (or a system, through its token) fetched a list, with the numbers invalid since
    an older list (`since_id`) if asked. The office reads who fetched what and when; a token's
    last use is its last fetch."""

    __tablename__ = "bus_list_fetch"

    id: Mapped[int] = mapped_column(primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("bus_list_export.id"), index=True)
    since_id: Mapped[int | None] = mapped_column(ForeignKey("bus_list_export.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Emptied when the token, long expired or revoked, is purged (reminders.jobs.purge).
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_token.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[FetchChannel] = mapped_column(enum_column(FetchChannel))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    token: Mapped[ApiToken | None] = relationship()
