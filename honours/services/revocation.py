"""Revoking honours (撤销荣誉称号) and taking back the card and certificates (收回好人卡和证书).

The city decides a revocation, in one unit of work: the honours are revoked, the person's
live courtesy card is revoked at once (a check one instant later answers invalid on every
server: the card's row is the only state a check reads), the certificates of the honours are
marked revoked in the register of issued documents, and a recall task opens for the person's
district. The honour roll hides a person with a revoked honour by its own rule
(honours.services.publication); points, hours and service records are not touched. Nothing is
deleted: the revocation is a record of its own, the person's history shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from certificates.models import IssuedDocument
from certificates.services.register import MAX_REVOCATION_REASON
from core.auth.models import User
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from honours.card_models import CardStatus, CourtesyCard
from honours.models import Honour, Person
from honours.revocation_models import (
    RecallStatus,
    RecallTask,
    Reinstatement,
    Revocation,
    RevocationHonour,
)
from honours.services.card_codes import LIVE
from honours.services.cards import keeps_any, may_keep, require_keeper
from honours.services.decision import certificate_of
from honours.services.publication import sync_roll_photos
from honours.services.scope import Scope, require_city, require_clerk, scope_of

REASON_MAX = 2000
NUMBER_MAX = 60
NOTE_MAX = 500
# The card's own note of why it ended (courtesy_card.end_note) holds this much of the reason.
CARD_NOTE_MAX = 500

NO_PERSON = _l("No such record in the register.")
NO_TASK = _l("No such recall task.")
ONLY_CITY = _l("Only the city's civilization office revokes honours.")
REVOKED_ALREADY = _l("An honour named is revoked already: nothing was changed.")
REINSTATED_ALREADY = _l("These honours were given back already: nothing was changed.")


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            errors={"reason": [str(_l("Give the reason: the clause broken and what was found."))]}
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            errors={"reason": [str(_l("At most %(n)d characters.", n=REASON_MAX))]}
        )
    return reason


def _checked_number(number: str | None) -> str | None:
    number = (number or "").strip()
    if len(number) > NUMBER_MAX:
        raise ValidationFailed(
            errors={"decision_number": [str(_l("At most %(n)d characters.", n=NUMBER_MAX))]}
        )
    return number or None


def _named_honours(person: Person, honour_ids: Sequence[int]) -> list[Honour]:
    """The honours named, each the person's. Raises ValidationFailed (none named, or one
    unknown or another's), Conflict (one revoked already)."""
    wanted = sorted(set(honour_ids))
    if not wanted:
        raise ValidationFailed(errors={"honour_ids": [str(_l("Choose the honours to revoke."))]})
    honours = list(
        db.session.scalars(
            select(Honour).where(Honour.id.in_(wanted)).options(joinedload(Honour.honour_type))
        )
    )
    if len(honours) != len(wanted) or any(h.person_id != person.id for h in honours):
        raise ValidationFailed(
            errors={"honour_ids": [str(_l("Choose honours this person holds."))]}
        )
    if any(h.is_revoked for h in honours):
        raise Conflict(REVOKED_ALREADY, code="revoked_already")
    return honours


def revoke_honours(
    actor: User,
    person_id: int,
    honour_ids: Sequence[int],
    *,
    reason: str,
    now: datetime,
    decision_number: str | None = None,
) -> Revocation:
    """Revoke the named honours of the person (撤销), as the city decided, in one unit of
    work (flushed, not committed): the honours are revoked; the person's live card (to print,
    printed or active) is revoked at once with who and why; the honours' certificates in the
    register are marked revoked; the roll hides the person by its own rule (its photo made
    private); a recall task opens for the person's district. Points, hours and service
    records stay as they are.

    Raises NotFound (no such person), Forbidden (not the city), ValidationFailed (no reason,
    no honour named, an honour unknown or another's, a merged record, a number too long),
    Conflict (an honour revoked already, also by another decider at the same moment; then
    nothing is changed)."""
    scope = scope_of(actor, now)
    require_city(scope, ONLY_CITY)
    reason = _checked_reason(reason)
    number = _checked_number(decision_number)
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound(NO_PERSON)
    if person.is_merged:
        raise ValidationFailed(
            _l("This record was merged into No. %(id)d: change that one.", id=person.merged_into_id)
        )
    honours = _named_honours(person, honour_ids)
    ids = [honour.id for honour in honours]
    try:
        # A savepoint: a refusal below leaves nothing of this revocation in the caller's
        # unit of work, whatever the caller does next.
        with db.session.begin_nested():
            revocation = _record(actor, person, ids, reason, number, now)
    except IntegrityError:
        # Another decider's revocation of one of these honours committed first.
        raise Conflict(REVOKED_ALREADY, code="revoked_already") from None
    for honour in honours:
        db.session.refresh(honour)
    sync_roll_photos()
    return revocation


def _record(
    actor: User, person: Person, ids: list[int], reason: str, number: str | None, now: datetime
) -> Revocation:
    # Conditional: of two revocations of one honour at the same moment, the second finds it
    # revoked (PostgreSQL re-reads the row the first one locked) and changes nothing.
    revoked = db.session.execute(
        update(Honour)
        .where(Honour.id.in_(ids), Honour.person_id == person.id, Honour.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked != len(ids):
        raise Conflict(REVOKED_ALREADY, code="revoked_already")
    revocation = Revocation(
        person_id=person.id,
        reason=reason,
        decision_number=number,
        decided_by_id=actor.id,
        decided_at=now,
    )
    db.session.add(revocation)
    db.session.flush()
    db.session.add_all(RevocationHonour(revocation_id=revocation.id, honour_id=i) for i in ids)
    card = _revoke_card(actor, person, reason, now)
    _revoke_certificates(actor, ids, reason, number, now)
    db.session.add(
        RecallTask(
            revocation_id=revocation.id,
            person_id=person.id,
            card_id=card.id if card is not None else None,
            status=RecallStatus.open,
            opened_at=now,
        )
    )
    db.session.flush()
    return revocation


def _revoke_card(actor: User, person: Person, reason: str, now: datetime) -> CourtesyCard | None:
    """Revoke the person's live card (at most one), returning it when it had been printed:
    that one is in someone's hands and is to be taken back."""
    card = db.session.scalar(
        select(CourtesyCard)
        .where(CourtesyCard.person_id == person.id, CourtesyCard.status.in_(LIVE))
        .with_for_update()
    )
    if card is None:
        return None
    printed = card.status is not CardStatus.to_print
    card.status = CardStatus.revoked
    card.ended_at = now
    card.ended_by_id = actor.id
    card.end_note = _shortened(reason, CARD_NOTE_MAX)
    db.session.flush()
    return card if printed else None


def _revoke_certificates(
    actor: User, honour_ids: list[int], reason: str, number: str | None, now: datetime
) -> None:
    """Mark the honours' certificates revoked in the register (when, by whom, why), as the
    register's own revocation does; one revoked by the office before stays as it was."""
    said = _shortened(f"{number}: {reason}" if number else reason, MAX_REVOCATION_REASON)
    documents = [
        document
        for honour in db.session.scalars(select(Honour).where(Honour.id.in_(honour_ids)))
        if (document := certificate_of(honour)) is not None
    ]
    for document in documents:
        db.session.execute(
            update(IssuedDocument)
            .where(IssuedDocument.id == document.id, IssuedDocument.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by_id=actor.id, revocation_reason=said)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(document)


def reinstate_honours(
    actor: User, revocation_id: int, *, reason: str, now: datetime
) -> Reinstatement:
    """Give back the honours a revocation took (恢复荣誉称号), as the city decided when a review
    overturned it, in one unit of work (flushed, not committed): the honours count again and
    the roll shows the person again by its own rule. The revoked card and the certificates'
    revocation in the register stay as written: the district issues a new card (the person is
    due one again). Raises NotFound (no such revocation), Forbidden (not the city),
    ValidationFailed (no reason), Conflict (reinstated already, also by another decider at the
    same moment; then nothing is changed)."""
    require_city(scope_of(actor, now), ONLY_CITY)
    reason = _checked_reason(reason)
    revocation = db.session.get(Revocation, revocation_id)
    if revocation is None:
        raise NotFound(_l("No such revocation."))
    try:
        with db.session.begin_nested():
            reinstatement = Reinstatement(
                revocation_id=revocation.id,
                reason=reason,
                decided_by_id=actor.id,
                decided_at=now,
            )
            db.session.add(reinstatement)
            db.session.flush()
    except IntegrityError:
        raise Conflict(REINSTATED_ALREADY, code="reinstated_already") from None
    db.session.execute(
        update(Honour)
        .where(Honour.id.in_([honour.id for honour in revocation.honours]))
        .values(revoked_at=None)
        .execution_options(synchronize_session=False)
    )
    for honour in revocation.honours:
        db.session.refresh(honour)
    sync_roll_photos()
    return reinstatement


# Reading revocations -----------------------------------------------------------------------------


def _in_regions(column, regions: frozenset[int]):
    return column.in_(sorted(regions) or [-1])


def _revocations(scope: Scope):
    """The revocations of the persons of the reader's districts (all for the city)."""
    require_keeper(scope)
    query = select(Revocation).join(Person, Person.id == Revocation.person_id)
    if not scope.is_city:
        query = query.where(_in_regions(Person.region_id, scope.whole_regions))
    return query


_LOADED = (
    joinedload(Revocation.person).joinedload(Person.district),
    joinedload(Revocation.decided_by),
    joinedload(Revocation.recall_task),
    selectinload(Revocation.honours).joinedload(Honour.honour_type),
)


def list_revocations(
    actor: User, *, now: datetime, window: Window, person_id: int | None = None
) -> Slice[Revocation]:
    """The revocations of the persons of the actor's districts (all for the city), the newest
    first, with who decided them and the honours; of one person if `person_id` is given.
    Raises NotFound (not a clerk), Forbidden (a clerk below the district)."""
    query = _revocations(scope_of(actor, now))
    if person_id is not None:
        query = query.where(Revocation.person_id == person_id)
    return read_slice(
        query.options(*_LOADED).order_by(Revocation.decided_at.desc(), Revocation.id.desc()),
        window,
        count=query,
    )


def get_revocation(actor: User, revocation_id: int, *, now: datetime) -> Revocation:
    """A revocation of a person of the actor's districts (any for the city). Raises NotFound
    (also another district's), Forbidden (a clerk below the district)."""
    found = db.session.scalar(
        _revocations(scope_of(actor, now)).where(Revocation.id == revocation_id).options(*_LOADED)
    )
    if found is None:
        raise NotFound(_l("No such revocation."))
    return found


def revocations_of_person(scope: Scope, person: Person) -> list[Revocation]:
    """The revocations of a person the reader may read already (the register's person page,
    its history), oldest first."""
    require_clerk(scope)
    return list(
        db.session.scalars(
            select(Revocation)
            .where(Revocation.person_id == person.id)
            .options(
                joinedload(Revocation.decided_by),
                selectinload(Revocation.honours).joinedload(Honour.honour_type),
            )
            .order_by(Revocation.decided_at, Revocation.id)
        )
    )


def revocable_honours(scope: Scope, person: Person) -> list[Honour]:
    """The person's honours the city may still revoke (none for anyone else)."""
    if not scope.is_city or person.is_merged:
        return []
    return [honour for honour in person.honours if not honour.is_revoked]


def my_revocations(user: User) -> list[Revocation]:
    """The revocations of the signed-in person's own record in the register, newest first
    (their card and honour pages say so)."""
    return list(
        db.session.scalars(
            select(Revocation)
            .join(Person, Person.id == Revocation.person_id)
            .where(Person.user_id == user.id)
            .options(selectinload(Revocation.honours).joinedload(Honour.honour_type))
            .order_by(Revocation.decided_at.desc(), Revocation.id.desc())
        )
    )


# Recall tasks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    """A recall task as the clerks read it: the task, its revocation, and the certificates to
    take back (the revoked honours' numbers)."""

    task: RecallTask
    certificate_numbers: tuple[str, ...]

    @property
    def may_close(self) -> bool:
        return self.task.is_open


def _row(task: RecallTask) -> TaskRow:
    numbers = tuple(h.certificate_number for h in task.revocation.honours if h.certificate_number)
    return TaskRow(task, numbers)


def _task_query():
    return (
        select(RecallTask)
        .join(Person, Person.id == RecallTask.person_id)
        .options(
            joinedload(RecallTask.person).joinedload(Person.district),
            joinedload(RecallTask.card),
            joinedload(RecallTask.closed_by),
            joinedload(RecallTask.revocation).joinedload(Revocation.decided_by),
            joinedload(RecallTask.revocation)
            .selectinload(Revocation.honours)
            .joinedload(Honour.honour_type),
        )
    )


def list_recall_tasks(
    actor: User, *, now: datetime, window: Window, status: RecallStatus | None = None
) -> Slice[TaskRow]:
    """The recall tasks of the persons of the actor's districts (all for the city), in a
    status if given, the oldest open first. Raises NotFound (not a clerk), Forbidden (a clerk
    below the district)."""
    scope = scope_of(actor, now)
    require_keeper(scope)
    query = _task_query()
    count = select(RecallTask).join(Person, Person.id == RecallTask.person_id)
    if not scope.is_city:
        query = query.where(_in_regions(Person.region_id, scope.whole_regions))
        count = count.where(_in_regions(Person.region_id, scope.whole_regions))
    if status is not None:
        query = query.where(RecallTask.status == status)
        count = count.where(RecallTask.status == status)
    found = read_slice(query.order_by(RecallTask.opened_at, RecallTask.id), window, count=count)
    return Slice([_row(task) for task in found.items], found.total)


def get_recall_task(actor: User, task_id: int, *, now: datetime) -> TaskRow:
    """A recall task of a person of the actor's districts (any for the city). Raises NotFound
    (also another district's), Forbidden (a clerk below the district)."""
    scope = scope_of(actor, now)
    require_keeper(scope)
    task = db.session.scalar(_task_query().where(RecallTask.id == task_id))
    if task is None or not may_keep(scope, task.person.region_id):
        raise NotFound(NO_TASK)
    return _row(task)


def close_recall_task(
    actor: User, task_id: int, *, recovered: bool, note: str | None, now: datetime
) -> RecallTask:
    """Close the recall task: the card and certificates were taken back (`recovered`), or they
    cannot be (then `note` says why). The clerk of the person's district or the city closes
    it, once.

    Raises NotFound (no such task, or another district's), Forbidden (a clerk below the
    district), ValidationFailed (not recoverable without a note; a note too long), Conflict
    (closed already, also by another clerk at the same moment)."""
    task = get_recall_task(actor, task_id, now=now).task
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise ValidationFailed(errors={"note": [str(_l("At most %(n)d characters.", n=NOTE_MAX))]})
    if not recovered and note is None:
        raise ValidationFailed(
            errors={"note": [str(_l("Say why the card or certificate cannot be taken back."))]}
        )
    closed = db.session.execute(
        update(RecallTask)
        .where(RecallTask.id == task.id, RecallTask.status == RecallStatus.open)
        .values(
            status=RecallStatus.done if recovered else RecallStatus.not_recoverable,
            closed_at=now,
            closed_by_id=actor.id,
            note=note,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not closed:
        raise Conflict(_l("This recall task is closed already."), code="task_closed")
    db.session.refresh(task)
    return task


def sees_recall_tasks(user: User, now: datetime) -> bool:
    """Whether the user keeps cards somewhere and so sees recall tasks (for the way in)."""
    return keeps_any(scope_of(user, now))
