"""The committee's decision on a round (评选结果): after the public notice closed, the city office
records the civilization committee's decision (文明委决定) with its document number; each entry
still on notice is approved, and its honour is made in the register with a certificate (荣誉证书)
entered in the register of issued documents, whose number the honour carries. The honoured
person's certificate is read by the clerks of their region and by the person themself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from certificates import pdf
from certificates.models import DocumentKind, IssuedDocument, SubjectKind
from certificates.services.register import issue_document, mask_name, print_document
from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, DomainError, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found
from core.settings import CertificateSettings
from honours.models import Honour, HonourCategory, HonourSource, Person, Round
from honours.nomination_models import (
    Nomination,
    Objection,
    RoundDecision,
    RoundNotice,
    Stage,
    StepAction,
)
from honours.services.honours import award_honour
from honours.services.persons import record_consent
from honours.services.pipeline import latest_consent, record_step
from honours.services.scope import require_city, require_clerk, scope_of

DOCUMENT_NUMBER_MAX = 60
NO_ROUND = _l("No such round.")
NO_CERTIFICATE = _l("No such certificate.")
# The certificate prints in Chinese whatever the reader's language (certificates.pdf).
CATEGORY_NAMES = {
    HonourCategory.helping_others: "助人为乐",
    HonourCategory.bravery: "见义勇为",
    HonourCategory.honesty: "诚实守信",
    HonourCategory.dedication: "敬业奉献",
    HonourCategory.filial_piety: "孝老爱亲",
}


def _clean_number(value: str | None) -> str:
    number = (value or "").strip()
    if not number:
        message = _l("Give the decision's document number, such as 秦文明委〔2026〕12号.")
        raise ValidationFailed(errors={"document_number": [str(message)]})
    if len(number) > DOCUMENT_NUMBER_MAX:
        message = _l("Enter at most %(n)d characters.", n=DOCUMENT_NUMBER_MAX)
        raise ValidationFailed(errors={"document_number": [str(message)]})
    return number


def _require_notice_closed(round_: Round, now: datetime) -> RoundNotice:
    notice = db.session.scalar(select(RoundNotice).where(RoundNotice.round_id == round_.id))
    if notice is None:
        raise Conflict(_l("The round's public notice has not been opened: nothing is decided yet."))
    if notice.closes_at > now:
        raise Conflict(
            _l(
                "The public notice runs until %(end)s: the decision is recorded after it closed.",
                end=local_day(notice.closes_at).isoformat(),
            ),
            code="notice_open",
        )
    return notice


def _require_decided_on(decided_on: date | None, notice: RoundNotice, now: datetime) -> date:
    if not isinstance(decided_on, date):
        message = _l("Give the date of the decision.")
    elif decided_on > local_day(now):
        message = _l("The decision date cannot be in the future.")
    elif decided_on < local_day(notice.closes_at):
        message = _l(
            "The decision comes after the notice closed on %(day)s.",
            day=local_day(notice.closes_at).isoformat(),
        )
    else:
        return decided_on
    raise ValidationFailed(errors={"decided_on": [str(message)]})


def _entries_on_notice(round_: Round) -> list[Nomination]:
    """The round's nominations at the notice stage, locked in id order (so that two writers
    take them in the same order); a row whose objection was upheld meanwhile has left."""
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.round_id == round_.id, Nomination.stage == Stage.notice)
            .options(selectinload(Nomination.person))
            .order_by(Nomination.id)
            .with_for_update(of=Nomination)
            .execution_options(populate_existing=True)
        )
    )


def _require_objections_answered(entries: list[Nomination]) -> None:
    waiting = db.session.scalars(
        select(Nomination.nominee_name)
        .join(Objection, Objection.nomination_id == Nomination.id)
        .where(
            Nomination.id.in_([entry.id for entry in entries]),
            Objection.outcome.is_(None),
        )
        .distinct()
        .order_by(Nomination.nominee_name)
    ).all()
    if waiting:
        raise Conflict(
            _l(
                "Objections to %(names)s are not answered yet: the decision waits for them.",
                names="、".join(waiting),
            ),
            code="objection_pending",
        )


def _require_unique_number(number: str) -> None:
    taken = db.session.scalar(
        select(RoundDecision.round_id).where(RoundDecision.document_number == number)
    )
    if taken is not None:
        message = _l("Another decision holds this document number.")
        raise Conflict(message, errors={"document_number": [str(message)]})


def _keep_decision(decision: RoundDecision) -> None:
    # Two rounds decided at the same moment under one number: the unique constraint decides,
    # and the later one is told (its whole unit of work is then rolled back).
    try:
        with db.session.begin_nested():
            db.session.add(decision)
    except IntegrityError:
        message = _l("Another decision holds this document number.")
        raise Conflict(message, errors={"document_number": [str(message)]}) from None


def certificate_content(
    person: Person,
    round_: Round,
    category: HonourCategory,
    decision: RoundDecision,
    *,
    issued_on: date,
    settings: CertificateSettings,
) -> dict[str, Any]:
    """What an honour certificate prints, as plain JSON values: the person named (masked for
    the verification page), the honour and its category, the round, the decision's document
    number and date, the issuer and the date of issue. No ID number, no phone."""
    return {
        "name": person.name,
        "masked_name": mask_name(person.name),
        "honour": round_.honour_type.name,
        "category": CATEGORY_NAMES[category],
        "round": round_.name,
        "decision_number": decision.document_number,
        "decided_on": decision.decided_on.isoformat(),
        "issuer": settings.issuer,
        "contact": settings.contact,
        "issued_on": issued_on.isoformat(),
    }


def _require_printable(entries: list[Nomination], round_: Round, settings) -> None:
    texts = [round_.name, round_.honour_type.name, settings.issuer, settings.contact]
    names = [entry.person.name for entry in entries if entry.person is not None]
    if missing := pdf.missing_characters(*texts, *names):
        raise ValidationFailed(
            _l(
                "The certificates cannot print %(characters)s; correct the name first.",
                characters=" ".join(missing),
            )
        )


def _honour(
    user: User,
    entry: Nomination,
    round_: Round,
    decision: RoundDecision,
    *,
    now: datetime,
    settings: CertificateSettings,
) -> Honour:
    """Make the entry's honour with its certificate; a refusal of the register names the
    nominee."""
    person = entry.person
    document = issue_document(
        user,
        DocumentKind.honour_certificate,
        subject_kind=SubjectKind.person,
        subject_id=person.id,
        content=certificate_content(
            person,
            round_,
            entry.category,
            decision,
            issued_on=local_day(now),
            settings=settings,
        ),
        now=now,
        settings=settings,
    )
    values = {
        "person_id": person.id,
        "honour_type_id": round_.honour_type_id,
        "category": entry.category,
        "awarded_on": decision.decided_on,
        "certificate_number": document.number,
        "decision_number": decision.document_number,
        "source": HonourSource.round,
        "round_id": round_.id,
        "source_name": round_.name,
    }
    try:
        return award_honour(user, scope_of(user, now), values, now=now)
    except DomainError as error:
        said = [message for messages in error.errors.values() for message in messages]
        raise Conflict(
            _l(
                "%(name)s cannot be honoured: %(reason)s",
                name=entry.nominee_name,
                reason=" ".join(said) or str(error.message),
            ),
            code="register",
        ) from None


def require_decider(user: User, now: datetime) -> None:
    """Raise NotFound for one who is no clerk, Forbidden for a clerk below the city: the city
    office records the decision."""
    require_city(scope_of(user, now), _l("The city's civilization office records the decision."))


def record_decision(
    user: User,
    round_id: int,
    *,
    document_number: str | None,
    decided_on: date | None,
    now: datetime,
    settings: CertificateSettings,
) -> RoundDecision:
    """Record the committee's decision on a round (the city office), once, after its public
    notice closed: every entry still on notice is approved (a kept step) and honoured in the
    register (the round's honour, the entry's category, awarded on the decision's date, with
    the decision's number and a certificate whose number the honour carries); the person's
    consent to publication is recorded from the nomination's, so that the roll shows them.

    Raises NotFound (no such round; not a clerk), Forbidden (not the city), Conflict (no
    notice, or it has not closed; an objection not answered, naming the nominees; decided
    already; the document number taken; nothing on notice; the register refuses an honour,
    naming the nominee), ValidationFailed (document number, date; a name the certificate
    cannot print)."""
    require_decider(user, now)
    round_ = get_or_not_found(Round, round_id, NO_ROUND, lock=True)
    number = _clean_number(document_number)
    notice = _require_notice_closed(round_, now)
    decided_on = _require_decided_on(decided_on, notice, now)
    if find_decision(round_.id) is not None:
        raise Conflict(_l("The decision on this round is recorded already."), code="decided")
    _require_unique_number(number)
    entries = _entries_on_notice(round_)
    if not entries:
        raise Conflict(
            _l("No entry of this round stands on notice: there is nothing to decide."),
            code="nothing_on_notice",
        )
    _require_objections_answered(entries)
    _require_printable(entries, round_, settings)
    decision = RoundDecision(
        round_id=round_.id,
        document_number=number,
        decided_on=decided_on,
        recorded_by_id=user.id,
        recorded_at=now,
    )
    _keep_decision(decision)
    scope = scope_of(user, now)
    for entry in entries:
        honour = _honour(user, entry, round_, decision, now=now, settings=settings)
        record_step(entry, StepAction.approved, Stage.approved, user, now=now, opinion=number)
        entry.honour_id = honour.id
        consent = latest_consent(entry)
        if consent is not None and consent.agreed and not entry.person.has_publication_consent:
            record_consent(user, scope, entry.person_id, is_given=True, now=now)
    db.session.flush()
    return decision


def find_decision(round_id: int) -> RoundDecision | None:
    """The decision recorded on the round, or None."""
    return db.session.scalar(select(RoundDecision).where(RoundDecision.round_id == round_id))


@dataclass(frozen=True)
class Approved:
    """An honour a round's decision made, with the nomination it came from."""

    nomination: Nomination
    honour: Honour


@dataclass(frozen=True)
class Waiting:
    """An entry on notice the decision waits for, and whether an objection to it is not
    answered yet (which holds the decision)."""

    nomination: Nomination
    has_unanswered_objection: bool


@dataclass(frozen=True)
class DecisionView:
    """A round's decision as the office reads it: the round, its notice, the decision (None
    until it is recorded), the honours it made, and the entries on notice waiting for it."""

    round: Round
    notice: RoundNotice | None
    decision: RoundDecision | None
    approved: list[Approved]
    waiting: list[Waiting]

    @property
    def notice_closes_at(self) -> datetime | None:
        return self.notice.closes_at if self.notice is not None else None


def read_decision(user: User, round_id: int, *, now: datetime) -> DecisionView:
    """The round's decision and what it made, or the entries waiting for it: any clerk reads
    the decision, and the entries whose nominees live in their region (the city all of
    them). Raises NotFound."""
    scope = scope_of(user, now)
    require_clerk(scope)
    round_ = get_or_not_found(Round, round_id, NO_ROUND)
    decision = find_decision(round_id)
    query = (
        select(Nomination)
        .where(
            Nomination.round_id == round_id,
            Nomination.stage.in_((Stage.notice, Stage.approved)),
        )
        .options(selectinload(Nomination.district))
        .order_by(Nomination.id)
    )
    if not scope.is_city:
        query = query.where(Nomination.region_id.in_(scope.regions))
    rows = db.session.scalars(query).all()
    honours = {
        honour.id: honour
        for honour in db.session.scalars(
            select(Honour)
            .where(Honour.id.in_([row.honour_id for row in rows if row.honour_id]))
            .options(selectinload(Honour.honour_type))
        )
    }
    waiting = [row for row in rows if row.stage is Stage.notice]
    objected = set(
        db.session.scalars(
            select(Objection.nomination_id).where(
                Objection.nomination_id.in_([row.id for row in waiting]),
                Objection.outcome.is_(None),
            )
        )
    )
    return DecisionView(
        round=round_,
        notice=db.session.scalar(select(RoundNotice).where(RoundNotice.round_id == round_id)),
        decision=decision,
        approved=[
            Approved(row, honours[row.honour_id])
            for row in rows
            if row.stage is Stage.approved and row.honour_id in honours
        ],
        waiting=[Waiting(row, row.id in objected) for row in waiting],
    )


# Certificates --------------------------------------------------------------------------------


def certificate_of(honour: Honour) -> IssuedDocument | None:
    """The honour's certificate in the register of issued documents, by the number the honour
    carries, or None (no number, or a paper certificate of an external listing)."""
    if not honour.certificate_number:
        return None
    return db.session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.kind == DocumentKind.honour_certificate,
            IssuedDocument.number == honour.certificate_number,
        )
    )


def may_have_certificate(user: User, honour: Honour, now: datetime) -> bool:
    """Whether the user may download the honour's certificate: a clerk whose region holds the
    person (the city everywhere), or the honoured person through their linked account."""
    person = honour.person
    if person is None:
        return False
    if user.is_enabled and person.user_id == user.id:
        return True
    return scope_of(user, now).acts_in(person.region_id)


def honour_certificate(user: User, honour_id: int, *, now: datetime) -> IssuedDocument:
    """The honour's certificate for one who may have it. Raises NotFound (no such honour, no
    certificate, or not theirs to know of)."""
    honour = db.session.get(Honour, honour_id)
    if honour is None or not may_have_certificate(user, honour, now):
        raise NotFound(NO_CERTIFICATE)
    document = certificate_of(honour)
    if document is None:
        raise NotFound(NO_CERTIFICATE)
    return document


def print_honour_certificate(
    user: User, honour_id: int, *, now: datetime
) -> tuple[IssuedDocument, bytes]:
    """The honour's certificate and its PDF (a revoked one says so on its face). Raises
    NotFound."""
    document = honour_certificate(user, honour_id, now=now)
    return document, print_document(document)


@dataclass(frozen=True)
class MyCertificate:
    honour: Honour
    document: IssuedDocument


def list_my_honour_certificates(user: User) -> list[MyCertificate]:
    """The certificates of the honours of the user's own record in the register, the newest
    award first."""
    rows = db.session.execute(
        select(Honour, IssuedDocument)
        .join(Person, Person.id == Honour.person_id)
        .join(IssuedDocument, IssuedDocument.number == Honour.certificate_number)
        .where(
            Person.user_id == user.id,
            IssuedDocument.kind == DocumentKind.honour_certificate,
        )
        .options(selectinload(Honour.honour_type))
        .order_by(Honour.awarded_on.desc(), Honour.id.desc())
    ).all()
    return [MyCertificate(honour, document) for honour, document in rows]


@dataclass(frozen=True)
class Outcome:
    """What a nomination's detail page shows of the decision: the honour, the decision, and
    whether the reader may download the certificate."""

    honour: Honour
    decision: RoundDecision | None
    has_certificate: bool


def nomination_outcome(user: User, nomination: Nomination, *, now: datetime) -> Outcome | None:
    """The honour an approved nomination became, for one already reading the nomination;
    None before the decision."""
    if nomination.stage is not Stage.approved or nomination.honour_id is None:
        return None
    honour = db.session.get(Honour, nomination.honour_id)
    if honour is None:
        return None
    return Outcome(
        honour=honour,
        decision=find_decision(nomination.round_id),
        has_certificate=may_have_certificate(user, honour, now)
        and certificate_of(honour) is not None,
    )
