"""Demo revocation (撤销): one good person of 海港区 whose card was handed over and never used
was found on the list of dishonest judgment debtors (失信被执行人); the city revoked their
honour three weeks ago, and the district's task to take back the card and certificate is still
open for the district clerk (13500000003)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select

from core.auth.services import find_user_by_phone
from core.clock import local_day, utcnow
from core.demo import OFFICE
from core.districts import District
from core.extensions import db
from honours.card_models import CardStatus, CardUse, CourtesyCard
from honours.models import Honour, HonourSource, Person
from honours.revocation_models import Revocation
from honours.services.revocation import revoke_honours

DISTRICT = "haigang"
DECIDED_AGO = timedelta(days=21)
REASON = (
    "经人民法院裁定，本人被列入失信被执行人名单，违反《秦皇岛市好人礼遇管理办法》第四章"
    "退出条款。经市文明委研究，决定撤销其荣誉称号，收回好人卡和荣誉证书。"
)


def load() -> list[tuple[str, str, str]]:
    """Revoke the honours of one demo card holder unless this revocation exists; no accounts."""
    if db.session.scalar(select(Revocation.id).where(Revocation.reason == REASON)) is not None:
        return []
    now = utcnow()
    decided_at = now - DECIDED_AGO
    person = db.session.scalar(
        select(Person)
        .join(CourtesyCard, CourtesyCard.person_id == Person.id)
        .join(District, District.id == Person.district_id)
        .where(
            District.code == DISTRICT,
            CourtesyCard.status == CardStatus.active,
            CourtesyCard.activated_at < decided_at,
            ~exists().where(CardUse.person_id == Person.id),
            # Not one of the rounds' honoured, whom the demo shows on the roll.
            ~exists().where(Honour.person_id == Person.id, Honour.source == HonourSource.round),
        )
        .order_by(Person.id)
        .limit(1)
    )
    if person is None:
        return []
    honours = db.session.scalars(
        select(Honour.id).where(Honour.person_id == person.id, Honour.revoked_at.is_(None))
    ).all()
    revoke_honours(
        find_user_by_phone(OFFICE[0]),
        person.id,
        list(honours),
        reason=REASON,
        decision_number=f"秦文明〔{local_day(decided_at).year}〕12号",
        now=decided_at,
    )
    return []
