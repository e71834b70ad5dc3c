"""Demo bus list (公交免费乘车名单): the demo's bus company (秦皇岛市公交集团, made by
honours.demo_cards) gets its service account with a token for its fare system, and the lists
of the last four nights, each fetched by that system a few minutes later. A passenger's card
was reported lost two days ago, so the list after it names that number as no longer valid.
The token's secret is not kept: the office makes a new one on the partner's page."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from core.auth.services import find_user_by_phone
from core.clock import local_day, local_moment, utcnow
from core.demo import OFFICE
from core.extensions import db
from honours.bus_models import BusListLine, FetchChannel, ListMaker
from honours.card_models import CardStatus, CourtesyCard, Partner
from honours.demo_cards import PARTNERS
from honours.services import bus_accounts, bus_list, cards
from honours.services.scope import scope_of

BUS_COMPANY = PARTNERS[0][0]
NIGHTS = 4
TOKEN_NAME = "公交集团票务系统（夜间更新）"


def load() -> list[tuple[str, str, str]]:
    """Make the bus company's service account, token and last nights' lists unless they are
    there; no new account signs in (the bus company's staff come with the demo cards)."""
    now = utcnow()
    partner = db.session.scalar(select(Partner).where(Partner.name == BUS_COMPANY))
    if partner is None or bus_accounts.service_account_of(partner.id) is not None:
        return []
    office = find_user_by_phone(OFFICE[0])
    today = local_day(now)
    nights = [
        min(now, local_moment(today - timedelta(days=back), time(1, 0)))
        for back in range(NIGHTS - 1, -1, -1)
    ]
    issued = bus_accounts.issue_service_token(
        office, partner.id, name=TOKEN_NAME, days=365, now=nights[0] - timedelta(days=1)
    )
    for n, night in enumerate(nights):
        export = bus_list.make_export(partner, now=night, made_by=ListMaker.job)
        bus_list.read_list(
            issued.account.user,
            now=night + timedelta(minutes=5),
            channel=FetchChannel.api,
            token_id=issued.token.id,
        )
        if n == 1 and export is not None:
            _lose_a_card(office, export.id, night + timedelta(hours=9))
    return []


def _lose_a_card(office, export_id: int, when) -> None:
    """A passenger reports their card lost in the day: the next night's list names it."""
    card = db.session.scalar(
        select(CourtesyCard)
        .join(BusListLine, BusListLine.card_id == CourtesyCard.id)
        .where(BusListLine.export_id == export_id, BusListLine.is_valid.is_(True))
        # A holder who has not lost a card before: the card demo's replaced one stays in hand.
        .where(CourtesyCard.status == CardStatus.active, CourtesyCard.replaces_id.is_(None))
        .order_by(CourtesyCard.id.desc())
        .limit(1)
    )
    if card is not None:
        cards.report_lost(
            office, scope_of(office, when), card.id, note="乘客在公交车上遗失", now=when
        )
