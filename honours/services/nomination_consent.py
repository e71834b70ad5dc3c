"""Consent (同意) to publishing a nomination: before anything of it is published, a clerk of the
nominee's region or the city records who answered (the nominee; a guardian for a child under
14; a close relative when the nominee has died), how (a signed form's scan, or a phone that
proved itself with an SMS code) and whether they agreed. An agreement takes the nomination to
the panel; a refusal archives it for good (declined); a later withdrawal is a new answer that
hides it from every public view at once, and after the honour also from the roll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import SmsCode, SmsPurpose, User
from core.auth.sms import SmsGateway
from core.auth.sms_services import request_code, use_code
from core.clock import local_day
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.settings import Settings
from core.uploads.content import FileType
from core.uploads.models import Upload
from core.uploads.services import register_kind, store_upload
from honours.models import Person, PersonStatus
from honours.nomination_models import (
    ConsentGiver,
    ConsentMethod,
    Nomination,
    NominationConsent,
    Stage,
    StepAction,
)
from honours.services import persons
from honours.services.pipeline import (
    NO_SUCH_NOMINATION,
    get_nomination,
    latest_consent,
    may_read,
    record_step,
    require_stage,
)
from honours.services.privacy import mask_phone
from honours.services.scope import scope_of

FORM_KIND = "nomination_consent_form"
# PIPL art. 31: a child under 14 answers through a guardian.
GUARDIAN_BELOW_AGE = 14
NAME_MAX, RELATION_MAX = 64, 32
# Where a later answer (a withdrawal, or an agreement given again) may still be recorded:
# from the panel on, the first answer was an agreement.
LATER_STAGES = (Stage.panel, Stage.notice, Stage.approved)


def _may_read_form(user: User | None, upload: Upload, now: datetime) -> bool:
    """A signed form shows the giver's signature: the clerks of the nominee's region and the
    city see it, no one else (not the panel, not the nominator)."""
    if user is None:
        return False
    region_id = db.session.scalar(
        select(Nomination.region_id)
        .join(NominationConsent, NominationConsent.nomination_id == Nomination.id)
        .where(NominationConsent.form_upload_id == upload.id)
    )
    return region_id is not None and scope_of(user, now).acts_in(region_id)


register_kind(
    FORM_KIND,
    may_read=_may_read_form,
    accepts=frozenset({FileType.image, FileType.pdf}),
    sensitive=True,
)


@dataclass(frozen=True)
class Scan:
    """A signed form's file as the client sent it."""

    stream: BinaryIO
    filename: str | None


NO_BIRTH_DATE = _l(
    "The nominee's birth date is not in the register: enter it first, so that it is known "
    "whether a guardian answers for them."
)
GIVER_REFUSALS = {
    ConsentGiver.guardian: _l(
        "The nominee is under 14: a guardian answers for them, with their name and relation."
    ),
    ConsentGiver.relative: _l(
        "The nominee has died: a close relative answers, with their name and relation."
    ),
    ConsentGiver.nominee: _l(
        "The nominee is 14 or over and alive: they answer for themselves, not a guardian or a "
        "relative."
    ),
}


def required_giver(person: Person, day: date) -> ConsentGiver:
    """Who answers for the nominee on `day`: a close relative when the register says they have
    died, a guardian while they are under 14, else the nominee. Raises ValidationFailed when
    the register has no birth date, since then no one can tell whether a guardian must answer."""
    if person.status is PersonStatus.deceased:
        return ConsentGiver.relative
    if person.birth_date is None:
        raise ValidationFailed(NO_BIRTH_DATE, errors={"giver": [str(NO_BIRTH_DATE)]})
    if persons.age_on(person.birth_date, day) < GUARDIAN_BELOW_AGE:
        return ConsentGiver.guardian
    return ConsentGiver.nominee


def _nomination_for_consent(user: User, nomination_id: int, now: datetime, *, lock: bool):
    """The nomination if the user records consent for it: a clerk whose region holds the
    nominee's, or the city. NotFound for one who may not read it; Forbidden for a reader who
    is no such clerk (a nominator, a panel reviewer)."""
    nomination = get_nomination(nomination_id, lock=lock)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    if not scope_of(user, now).acts_in(nomination.region_id):
        raise Forbidden(_l("Consent is recorded by a clerk of the nominee's region or the city."))
    return nomination


def _require_changed(nomination: Nomination, agreed: bool) -> None:
    """From the panel on, an answer must change the one that holds: a withdrawal, or an
    agreement given again."""
    holding = latest_consent(nomination)
    if holding is not None and holding.agreed == agreed:
        raise Conflict(
            _l("Consent is given already.")
            if agreed
            else _l("Consent has been withdrawn already."),
            code="consent_unchanged",
        )


def _text(values: dict[str, Any], field: str, limit: int, errors: dict) -> str | None:
    value = (values.get(field) or "").strip()
    if len(value) > limit:
        errors[field] = [str(_l("Enter at most %(n)d characters.", n=limit))]
    return value or None


def _checked(values: dict[str, Any], required: ConsentGiver, scan: Scan | None) -> dict:
    """The answer's fields, or ValidationFailed naming every field that is wrong. Writes
    nothing: a code is used only after these checks."""
    errors: dict[str, list[str]] = {}
    agreed = values.get("agreed")
    if not isinstance(agreed, bool):
        errors["agreed"] = [str(_l("Say whether they agreed or declined."))]
    giver = _member(ConsentGiver, values.get("giver"))
    if giver is None:
        errors["giver"] = [str(_l("Choose who answered."))]
    elif giver is not required:
        errors["giver"] = [str(GIVER_REFUSALS[required])]
    name = _text(values, "giver_name", NAME_MAX, errors)
    relation = _text(values, "relation", RELATION_MAX, errors)
    if giver in (ConsentGiver.guardian, ConsentGiver.relative) and giver is required:
        if not name and "giver_name" not in errors:
            errors["giver_name"] = [str(_l("Give the name of the one who answered."))]
        if not relation and "relation" not in errors:
            errors["relation"] = [str(_l("Give their relation to the nominee, such as 母亲."))]
    method = _member(ConsentMethod, values.get("method"))
    if method is None:
        errors["method"] = [str(_l("Choose how they answered."))]
    elif method is ConsentMethod.signed_form and scan is None:
        errors["form"] = [str(_l("Attach the scan of the signed form (an image or a PDF)."))]
    elif method is ConsentMethod.verified_phone:
        if not (values.get("phone") or "").strip():
            errors["phone"] = [str(_l("Give the phone the code was sent to."))]
        if not (values.get("code") or "").strip():
            errors["code"] = [str(_l("Enter the code of the text message."))]
    if errors:
        raise ValidationFailed(errors=errors)
    named = giver is not ConsentGiver.nominee
    return {
        "agreed": agreed,
        "giver": giver,
        "giver_name": name if named else None,
        "relation": relation if named else None,
        "method": method,
    }


def _member(enum_class, value):
    if isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        return None


def record_consent(
    user: User,
    nomination_id: int,
    values: dict[str, Any],
    *,
    now: datetime,
    settings: Settings,
    scan: Scan | None = None,
) -> NominationConsent:
    """Record an answer about publishing the nomination (the notice, the roll and media use),
    by a clerk of the nominee's region or the city: `agreed`, who answered (`giver`: the
    nominee; a guardian while the nominee is under 14 on the day, by the register's birth date;
    a close relative when the register says they died; the last two with `giver_name` and
    `relation`), and how (`method`: a signed form's `scan`, an image or a PDF; or the `phone`
    that received a consent code with the `code` from its message).

    At the consent stage an agreement moves the nomination to the panel (consent_given) and a
    refusal archives it as declined (consent_declined). From the panel on, a withdrawal (or an
    agreement given again) is a new answer that leaves the stage alone: the latest answer holds,
    and every public view filters by it; after the approval the person's consent to the roll
    follows it.

    Raises NotFound (not readable), Forbidden (no clerk of the region), Conflict (not at a
    stage taking this answer), ValidationFailed (a field; a wrong code, whose try is kept)."""
    nomination = _nomination_for_consent(user, nomination_id, now, lock=True)
    require_stage(nomination, Stage.consent, *LATER_STAGES)
    person = nomination.person
    fields = _checked(values, required_giver(person, local_day(now)), scan)
    if nomination.stage is not Stage.consent:
        _require_changed(nomination, fields["agreed"])
    answer = NominationConsent(
        nomination_id=nomination.id, recorded_by_id=user.id, recorded_at=now, **fields
    )
    if fields["method"] is ConsentMethod.verified_phone:
        # The first write of all: a wrong code's refusal keeps its try (and nothing else).
        answer.phone = use_code(
            values["phone"], SmsPurpose.consent, values["code"], now=now, settings=settings.sms
        )
    else:
        answer.form_upload_id = store_upload(
            user,
            kind=FORM_KIND,
            stream=scan.stream,
            filename=scan.filename,
            now=now,
            settings=settings.uploads,
            field="form",
        ).id
    db.session.add(answer)
    db.session.flush()
    if nomination.stage is Stage.consent:
        if answer.agreed:
            record_step(nomination, StepAction.consent_given, Stage.panel, user, now=now)
        else:
            record_step(nomination, StepAction.consent_declined, Stage.declined, user, now=now)
    elif nomination.stage is Stage.approved and person.has_publication_consent != answer.agreed:
        persons.record_consent(
            user, scope_of(user, now), person.id, is_given=answer.agreed, now=now
        )
    return answer


def send_consent_code(
    user: User,
    nomination_id: int,
    phone: str,
    *,
    now: datetime,
    settings: Settings,
    gateway: SmsGateway,
) -> SmsCode:
    """Send a consent code by SMS to the phone of the one who answers, for a clerk recording
    their answer (the same clerks, at the same stages, as `record_consent`); the code comes
    back to the clerk from the giver and proves the phone is theirs.

    Raises NotFound, Forbidden, Conflict (no answer is taken at this stage), and what
    core.auth.sms_services.request_code raises (a number that is no mainland mobile, a cap
    reached, the provider down)."""
    nomination = _nomination_for_consent(user, nomination_id, now, lock=False)
    require_stage(nomination, Stage.consent, *LATER_STAGES)
    return request_code(phone, SmsPurpose.consent, now=now, settings=settings.sms, gateway=gateway)


@dataclass(frozen=True)
class ShownConsent:
    """One recorded answer as a clerk reads it: the phone masked."""

    answer: NominationConsent
    phone: str | None


@dataclass(frozen=True)
class ConsentState:
    """What the nomination's consent section shows a clerk who records consent: the answers,
    newest first, whether the latest is an agreement, who must answer today (None when the
    register cannot tell), and whether an answer may be recorded now."""

    answers: list[ShownConsent]
    holds: bool
    required: ConsentGiver | None
    may_record: bool


def list_consents(user: User, nomination_id: int, *, now: datetime) -> list[ShownConsent]:
    """The answers recorded about publishing the nomination, newest first, for a clerk of the
    nominee's region or the city; phones masked. Raises NotFound, Forbidden."""
    nomination = _nomination_for_consent(user, nomination_id, now, lock=False)
    return _shown(nomination)


def _shown(nomination: Nomination) -> list[ShownConsent]:
    answers = db.session.scalars(
        select(NominationConsent)
        .where(NominationConsent.nomination_id == nomination.id)
        .order_by(NominationConsent.recorded_at.desc(), NominationConsent.id.desc())
    )
    return [shown_answer(answer) for answer in answers]


def shown_answer(answer: NominationConsent) -> ShownConsent:
    """The answer as a clerk reads it: its phone masked."""
    return ShownConsent(answer, mask_phone(answer.phone))


def consent_state(user: User, nomination: Nomination, now: datetime) -> ConsentState | None:
    """The consent section of the nomination's page for the user, or None where there is
    nothing for them there (they record no consent for it, or it has not reached consent)."""
    reached = nomination.stage in (Stage.consent, Stage.declined, *LATER_STAGES)
    if not reached or not scope_of(user, now).acts_in(nomination.region_id):
        return None
    return _state(nomination, now)


def get_consent_state(
    user: User, nomination_id: int, *, now: datetime
) -> tuple[Nomination, ConsentState]:
    """The nomination and its consent as the page recording answers shows them, for a clerk
    of the nominee's region or the city. Raises NotFound, Forbidden."""
    nomination = _nomination_for_consent(user, nomination_id, now, lock=False)
    return nomination, _state(nomination, now)


def _state(nomination: Nomination, now: datetime) -> ConsentState:
    answers = _shown(nomination)
    try:
        required = required_giver(nomination.person, local_day(now))
    except ValidationFailed:
        required = None
    return ConsentState(
        answers=answers,
        holds=bool(answers) and answers[0].answer.agreed,
        required=required,
        may_record=nomination.stage in (Stage.consent, *LATER_STAGES),
    )
