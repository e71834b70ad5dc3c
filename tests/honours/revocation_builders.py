"""Builders for revocation: a good person holding a courtesy card and a certificate of their
honour, and a revocation of it through the service. They add and flush, and never commit."""

from __future__ import annotations

from datetime import datetime

from certificates import services as certificates
from certificates.models import DocumentKind, IssuedDocument, SubjectKind
from core.auth.models import User
from core.extensions import db
from core.regions import Region
from core.settings import current_settings
from honours.card_models import CourtesyCard
from honours.models import Honour, Person
from honours.revocation_models import Revocation
from honours.services.revocation import revoke_honours
from tests.honours.builders import NOW
from tests.honours.card_builders import make_card, make_honoured

REASON = "经查实，本人被列为失信被执行人，违反《秦皇岛好人礼遇管理办法》退出条款第三条。"


def certify(office: User, person: Person, honour: Honour, now: datetime = NOW) -> IssuedDocument:
    """The honour's certificate (荣誉证书) in the register of issued documents, its number on
    the honour, as a round's decision leaves them."""
    settings = current_settings().certificates
    document = certificates.issue_document(
        office,
        DocumentKind.honour_certificate,
        subject_kind=SubjectKind.person,
        subject_id=person.id,
        content={
            "name": person.name,
            "masked_name": certificates.mask_name(person.name),
            "honour": honour.honour_type.name,
            "category": "助人为乐",
            "round": "“秦皇岛好人”月评",
            "decision_number": "秦文明委〔2025〕11号",
            "decided_on": honour.awarded_on.isoformat(),
            "issuer": settings.issuer,
            "contact": settings.contact,
            "issued_on": honour.awarded_on.isoformat(),
        },
        now=now,
        settings=settings,
    )
    honour.certificate_number = document.number
    db.session.flush()
    return document


def make_holder(
    place: Region, office: User, *, user: User | None = None, **values
) -> tuple[Person, Honour, CourtesyCard, IssuedDocument]:
    """A good person of `place` (秦皇岛好人) with an active card and the honour's certificate."""
    person = make_honoured(place, office, user=user, **values)
    honour = person.honours[0]
    document = certify(office, person, honour)
    return person, honour, make_card(person, office), document


def revoke(
    office: User,
    person: Person,
    honours: list[Honour] | None = None,
    *,
    now: datetime = NOW,
    reason: str = REASON,
) -> Revocation:
    """Revoke the person's honours (all by default) as the city, with the demo's reason."""
    chosen = honours if honours is not None else person.honours
    return revoke_honours(
        office,
        person.id,
        [h.id for h in chosen],
        reason=reason,
        decision_number="秦文明〔2026〕12号",
        now=now,
    )
