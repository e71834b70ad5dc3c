"""Benefits given by application (申请类礼遇: 就业帮扶, 子女入学): applying (the honoured person on
their card's page, or a clerk of their community, street or district on their behalf), the
district's proposal (推荐) or refusal, the city's approval (审批) or refusal, the department's
acknowledgement (受理) and its closing with an outcome (办结); the lists of the clerks, of the
person and of the department's staff; the steps the person is to be told of.

Who takes each step: the district clerk of the person's district proposes or declines an
application just made; the city (the office, the city office staff) approves or declines a
proposed one; the staff of the department named acknowledge an approved one and close it. An
application waits for one step at a time: a step out of order is a Conflict, also when two
take it at the same moment (a conditional update on the status).

The clerks' pages show the ID number and phone masked; the department's staff see the name,
the ID number's last 4 digits, the phone masked and what is asked. No whole view happens here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from honours.application_models import (
    OPEN_STATUSES,
    ApplicationResult,
    ApplicationStatus,
    ApplicationStep,
    BenefitApplication,
)
from honours.card_models import Benefit, BenefitKind, CheckOutcome, Partner, PartnerStatus
from honours.models import Person, PersonStatus
from honours.services.card_codes import check_outcome, highest_level, level_reaches, live_card
from honours.services.partner_staff import NOT_PARTNER_STAFF, partners_of
from honours.services.privacy import mask_id_number, mask_phone
from honours.services.scope import Scope, require_city, require_clerk

ASKED_MAX = 500
OPINION_MAX = 1000
OUTCOME_MAX = 1000
# What the department's staff read: an application the city approved, and what came of it.
DEPARTMENT_STATUSES = (
    ApplicationStatus.approved,
    ApplicationStatus.in_hand,
    ApplicationStatus.closed,
)

FIRST_PAGE = Window()
NO_APPLICATION = _l("No such application.")
NO_PERSON = _l("No such record in the register.")
NOT_HOLDER = _l("Your account is not linked to an honoured person of the register.")
OUT_OF_ORDER = _l("This application does not wait for this step now.")
NOT_DISTRICT = _l("Only the district clerk of the person's district proposes or declines it now.")
NOT_CITY = _l("Only the city's civilization office approves or declines it now.")
CARD_NOT_VALID = _l(
    "The person's courtesy card is not valid (not handed over yet, lost, expired or revoked): "
    "a benefit is applied for with a valid card."
)
LEVEL_TOO_LOW = _l("This benefit is for holders of higher honours than the person's.")
OPEN_ALREADY = _l("This person has an application for this benefit that is not closed yet.")


# What is applied for --------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A benefit given by application and a department that handles it, as the forms offer
    them together; `reached`: whether the person's honour level gives it."""

    benefit: Benefit
    department: Partner
    reached: bool = True

    @property
    def key(self) -> str:
        return f"{self.benefit.id}:{self.department.id}"


def offers(person_id: int | None = None) -> list[Offer]:
    """The active benefits given by application, each with each approved partner that handles
    it, by area and name; for a person, whether their honour level reaches each."""
    benefits = db.session.scalars(
        select(Benefit)
        .where(Benefit.kind == BenefitKind.application, Benefit.is_active.is_(True))
        .options(selectinload(Benefit.partners))
        .order_by(Benefit.area, Benefit.name, Benefit.id)
    ).all()
    level = highest_level(person_id) if person_id is not None else None
    return [
        Offer(
            benefit,
            partner,
            person_id is None or level_reaches(level, benefit.lowest_level),
        )
        for benefit in benefits
        for partner in benefit.partners
        if partner.status is PartnerStatus.approved
    ]


def application_benefits() -> list[Benefit]:
    """Every benefit given by application, active or not, by name (the clerks' filter)."""
    return list(
        db.session.scalars(
            select(Benefit)
            .where(Benefit.kind == BenefitKind.application)
            .order_by(Benefit.name, Benefit.id)
        )
    )


@dataclass(frozen=True)
class ApplicationDetails:
    """What an application takes: the benefit, the department of the benefit's partners that
    is to handle it, and what is asked (text, kept short; no child's ID number)."""

    benefit_id: int
    department_id: int
    asked: str


def _text(value: str | None, field: str, most: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(errors={field: [str(_l("This field is required."))]})
    if len(text) > most:
        raise ValidationFailed(errors={field: [str(_l("At most %(n)d characters.", n=most))]})
    return text


def _checked(details: ApplicationDetails) -> tuple[Benefit, Partner, str]:
    errors: dict[str, list[str]] = {}
    asked = (details.asked or "").strip()
    if not asked:
        errors["asked"] = [str(_l("Say what is asked, e.g. the school stage of the child."))]
    elif len(asked) > ASKED_MAX:
        errors["asked"] = [str(_l("At most %(n)d characters.", n=ASKED_MAX))]
    benefit = db.session.get(Benefit, details.benefit_id, options=[selectinload(Benefit.partners)])
    department = None
    if benefit is None or benefit.kind is not BenefitKind.application or not benefit.is_active:
        errors["benefit_id"] = [str(_l("Choose a benefit given by application."))]
    else:
        department = next(
            (
                p
                for p in benefit.partners
                if p.id == details.department_id and p.status is PartnerStatus.approved
            ),
            None,
        )
        if department is None:
            errors["department_id"] = [
                str(_l("Choose one of the departments that handle this benefit."))
            ]
    if errors:
        raise ValidationFailed(errors=errors)
    return benefit, department, asked


def _open_application(person_id: int, benefit_id: int) -> BenefitApplication | None:
    return db.session.scalar(
        select(BenefitApplication).where(
            BenefitApplication.person_id == person_id,
            BenefitApplication.benefit_id == benefit_id,
            BenefitApplication.status.in_(OPEN_STATUSES),
        )
    )


def _apply(
    person: Person, actor: User, details: ApplicationDetails, now: datetime
) -> BenefitApplication:
    if person.is_merged or person.status is not PersonStatus.active:
        raise ValidationFailed(
            _l("Benefits are applied for by living persons of the register only."),
            code="not_eligible",
        )
    benefit, department, asked = _checked(details)
    card = live_card(person.id)
    if card is None or check_outcome(card, local_day(now)) is not CheckOutcome.valid:
        raise ValidationFailed(CARD_NOT_VALID, code="card_not_valid")
    if not level_reaches(highest_level(person.id), benefit.lowest_level):
        raise ValidationFailed(LEVEL_TOO_LOW, code="not_for_level")
    if _open_application(person.id, benefit.id) is not None:
        raise Conflict(OPEN_ALREADY, code="application_open")
    application = BenefitApplication(
        person_id=person.id,
        card_id=card.id,
        benefit_id=benefit.id,
        department_id=department.id,
        asked=asked,
        status=ApplicationStatus.applied,
        applied_at=now,
        applied_by_id=actor.id,
        updated_at=now,
    )
    try:
        # The partial unique index of open applications decides between two made at once.
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError:
        raise Conflict(OPEN_ALREADY, code="application_open") from None
    db.session.add(
        ApplicationStep(
            application_id=application.id,
            actor_id=actor.id,
            at=now,
            from_status=None,
            to_status=ApplicationStatus.applied,
            opinion="",
        )
    )
    db.session.flush()
    return application


def apply_for(
    actor: User, scope: Scope, person_id: int, details: ApplicationDetails, *, now: datetime
) -> BenefitApplication:
    """A clerk of the person's community, street or district (or the city) applies on the
    person's behalf. Raises NotFound (no such person, or outside the clerk's regions),
    ValidationFailed (a benefit not given by application or inactive; a department not among
    its partners; nothing asked or too much; a card not valid; an honour level too low; a
    person not alive or merged), Conflict (an open application for the benefit, also one made
    at the same moment)."""
    require_clerk(scope)
    person = db.session.get(Person, person_id)
    if person is None or not scope.acts_in(person.region_id):
        raise NotFound(NO_PERSON)
    return _apply(person, actor, details, now)


def _holder(user: User) -> Person | None:
    return db.session.scalar(
        select(Person).where(Person.user_id == user.id, Person.merged_into_id.is_(None))
    )


def apply_mine(user: User, details: ApplicationDetails, *, now: datetime) -> BenefitApplication:
    """The honoured person applies from their card's page. Raises NotFound (the account is
    not linked to a person of the register), and what `apply_for` raises."""
    person = _holder(user)
    if person is None:
        raise NotFound(NOT_HOLDER)
    return _apply(person, user, details, now)


# The steps ------------------------------------------------------------------------------------


def _get(application_id: int) -> BenefitApplication:
    application = db.session.get(
        BenefitApplication, application_id, options=[joinedload(BenefitApplication.person)]
    )
    if application is None:
        raise NotFound(NO_APPLICATION)
    return application


def _clerks_application(scope: Scope, application_id: int) -> BenefitApplication:
    """An application of a person of the clerk's regions; NotFound for anyone else's, as if
    it did not exist."""
    require_clerk(scope)
    application = _get(application_id)
    if not scope.acts_in(application.person.region_id):
        raise NotFound(NO_APPLICATION)
    return application


def _is_district(scope: Scope, application: BenefitApplication) -> bool:
    return application.person.region_id in scope.whole_regions


def _step(
    application: BenefitApplication,
    actor: User,
    before: ApplicationStatus,
    after: ApplicationStatus,
    opinion: str,
    now: datetime,
    **values,
) -> BenefitApplication:
    """Move the application from `before` to `after` by a conditional update, so that of two
    steps at one moment one finds it moved; record the step."""
    done = db.session.execute(
        update(BenefitApplication)
        .where(BenefitApplication.id == application.id, BenefitApplication.status == before)
        .values(status=after, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(OUT_OF_ORDER, code="out_of_order")
    db.session.add(
        ApplicationStep(
            application_id=application.id,
            actor_id=actor.id,
            at=now,
            from_status=before,
            to_status=after,
            opinion=opinion,
        )
    )
    db.session.flush()
    db.session.refresh(application)
    return application


def _require_waits(application: BenefitApplication, status: ApplicationStatus) -> None:
    if application.status is not status:
        raise Conflict(OUT_OF_ORDER, code="out_of_order")


def propose(
    actor: User, scope: Scope, application_id: int, *, opinion: str | None, now: datetime
) -> BenefitApplication:
    """The district proposes an application just made to the city, with its opinion (推荐意见).
    Raises NotFound, Forbidden (not the district clerk of the person's district), ValidationFailed
    (no opinion, or too long), Conflict (not waiting for the district)."""
    application = _clerks_application(scope, application_id)
    if not _is_district(scope, application):
        raise Forbidden(NOT_DISTRICT)
    text = _text(opinion, "opinion", OPINION_MAX)
    _require_waits(application, ApplicationStatus.applied)
    return _step(
        application, actor, ApplicationStatus.applied, ApplicationStatus.proposed, text, now
    )


def approve(
    actor: User, scope: Scope, application_id: int, *, opinion: str | None, now: datetime
) -> BenefitApplication:
    """The city approves a proposed application, with its opinion (审批意见); it goes to the
    department. Raises NotFound, Forbidden (not the city), ValidationFailed, Conflict (not
    proposed)."""
    application = _clerks_application(scope, application_id)
    require_city(scope, NOT_CITY)
    text = _text(opinion, "opinion", OPINION_MAX)
    _require_waits(application, ApplicationStatus.proposed)
    return _step(
        application, actor, ApplicationStatus.proposed, ApplicationStatus.approved, text, now
    )


def decline(
    actor: User, scope: Scope, application_id: int, *, opinion: str | None, now: datetime
) -> BenefitApplication:
    """Decline an application, saying why: the district one just made, the city one proposed.
    Raises NotFound, Forbidden (not the one whose step it is), ValidationFailed (no reason),
    Conflict (past the city's approval, or closed)."""
    application = _clerks_application(scope, application_id)
    status = application.status
    if status is ApplicationStatus.applied:
        if not _is_district(scope, application):
            raise Forbidden(NOT_DISTRICT)
    elif status is ApplicationStatus.proposed:
        require_city(scope, NOT_CITY)
    else:
        raise Conflict(OUT_OF_ORDER, code="out_of_order")
    text = _text(opinion, "opinion", OPINION_MAX)
    return _step(application, actor, status, ApplicationStatus.declined, text, now)


def _departments_of(user: User, now: datetime) -> set[int]:
    return {partner.id for partner in partners_of(user, now)}


def _departments_application(user: User, application_id: int, now: datetime):
    """An application the city approved for a department the user works for; NotFound for
    any other, as if it did not exist."""
    own = _departments_of(user, now)
    if not own:
        raise Forbidden(NOT_PARTNER_STAFF)
    application = _get(application_id)
    if application.department_id not in own or application.status not in DEPARTMENT_STATUSES:
        raise NotFound(NO_APPLICATION)
    return application


def acknowledge(
    user: User, application_id: int, *, note: str | None, now: datetime
) -> BenefitApplication:
    """The department's staff acknowledge an approved application (受理): it is in hand.
    Raises Forbidden (not a partner's staff), NotFound (not their department's), ValidationFailed
    (a note too long), Conflict (not approved and waiting)."""
    application = _departments_application(user, application_id, now)
    text = _text(note, "note", OPINION_MAX, required=False)
    _require_waits(application, ApplicationStatus.approved)
    return _step(
        application, user, ApplicationStatus.approved, ApplicationStatus.in_hand, text, now
    )


def close(
    user: User,
    application_id: int,
    *,
    result: ApplicationResult | None,
    outcome: str | None,
    now: datetime,
) -> BenefitApplication:
    """The department's staff close an application in hand with its outcome (办结): granted or
    not, and what was done. Raises Forbidden, NotFound, ValidationFailed (no result or no
    outcome), Conflict (not in hand)."""
    application = _departments_application(user, application_id, now)
    if result is None:
        raise ValidationFailed(errors={"result": [str(_l("Say whether it was granted."))]})
    text = _text(outcome, "outcome", OUTCOME_MAX)
    _require_waits(application, ApplicationStatus.in_hand)
    return _step(
        application,
        user,
        ApplicationStatus.in_hand,
        ApplicationStatus.closed,
        text,
        now,
        result=result,
        outcome=text,
        closed_at=now,
    )


# Reading: the clerks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationFilter:
    status: ApplicationStatus | None = None
    benefit_id: int | None = None
    district_id: int | None = None


@dataclass(frozen=True)
class ApplicationRow:
    """An application as the clerks read it: the ID number and phone masked, and which step
    the reader may take now."""

    application: BenefitApplication
    masked_id_number: str | None
    masked_phone: str | None
    may_propose: bool = False
    may_approve: bool = False
    may_decline: bool = False


def _row(application: BenefitApplication, scope: Scope) -> ApplicationRow:
    status = application.status
    district = _is_district(scope, application)
    return ApplicationRow(
        application,
        mask_id_number(application.person.id_number),
        mask_phone(application.person.phone),
        may_propose=district and status is ApplicationStatus.applied,
        may_approve=scope.is_city and status is ApplicationStatus.proposed,
        may_decline=(district and status is ApplicationStatus.applied)
        or (scope.is_city and status is ApplicationStatus.proposed),
    )


def _clerks_query(scope: Scope, filters: ApplicationFilter, *, with_status: bool = True):
    query = select(BenefitApplication).join(Person, Person.id == BenefitApplication.person_id)
    if not scope.is_city:
        query = query.where(Person.region_id.in_(sorted(scope.regions) or [-1]))
    if with_status and filters.status is not None:
        query = query.where(BenefitApplication.status == filters.status)
    if filters.benefit_id is not None:
        query = query.where(BenefitApplication.benefit_id == filters.benefit_id)
    if filters.district_id is not None:
        query = query.where(Person.district_id == filters.district_id)
    return query


def _loaded(query):
    return query.options(
        joinedload(BenefitApplication.person).joinedload(Person.district),
        joinedload(BenefitApplication.benefit),
        joinedload(BenefitApplication.department),
    )


def list_applications(
    scope: Scope, filters: ApplicationFilter, window: Window
) -> Slice[ApplicationRow]:
    """The applications of the persons of the clerk's regions (all for the city), the latest
    moved first, by status, benefit and district. Raises NotFound for a non-clerk."""
    require_clerk(scope)
    query = _clerks_query(scope, filters)
    found = read_slice(
        _loaded(query).order_by(BenefitApplication.updated_at.desc(), BenefitApplication.id.desc()),
        window,
        count=query,
    )
    return Slice([_row(application, scope) for application in found.items], found.total)


def status_counts(scope: Scope, filters: ApplicationFilter) -> dict[ApplicationStatus, int]:
    """How many applications of the clerk's regions are in each status, by the other
    filters."""
    require_clerk(scope)
    ids = _clerks_query(scope, filters, with_status=False).with_only_columns(BenefitApplication.id)
    counted = dict(
        db.session.execute(
            select(BenefitApplication.status, func.count())
            .where(BenefitApplication.id.in_(ids))
            .group_by(BenefitApplication.status)
        ).all()
    )
    return {status: counted.get(status, 0) for status in ApplicationStatus}


def get_application(scope: Scope, application_id: int) -> ApplicationRow:
    """An application of a person of the clerk's regions, with its steps. Raises NotFound
    (also for another region's)."""
    return _row(_clerks_application(scope, application_id), scope)


# Reading: the person ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MyApplications:
    """The person's applications, the latest first, and what they may apply for."""

    person: Person
    applications: list[BenefitApplication]
    offers: list[Offer]


def my_applications(user: User) -> MyApplications:
    """The signed-in person's applications and the benefits they may apply for. Raises
    NotFound when the account is not linked to a person of the register."""
    person = _holder(user)
    if person is None:
        raise NotFound(NOT_HOLDER)
    applications = db.session.scalars(
        _loaded(select(BenefitApplication))
        .where(BenefitApplication.person_id == person.id)
        .order_by(BenefitApplication.applied_at.desc(), BenefitApplication.id.desc())
    ).all()
    return MyApplications(person, list(applications), offers(person.id))


def my_application(user: User, application_id: int) -> BenefitApplication:
    """One of the signed-in person's applications, with its steps. Raises NotFound for
    anyone else's."""
    person = _holder(user)
    application = db.session.get(BenefitApplication, application_id)
    if person is None or application is None or application.person_id != person.id:
        raise NotFound(NO_APPLICATION)
    return application


# Reading: the department -----------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    """An application as the department's staff read it: the name, the ID number's last 4
    digits, the phone masked, what is asked; and which step they may take."""

    application: BenefitApplication
    id_tail: str | None
    masked_phone: str | None

    @property
    def may_acknowledge(self) -> bool:
        return self.application.status is ApplicationStatus.approved

    @property
    def may_close(self) -> bool:
        return self.application.status is ApplicationStatus.in_hand


def _department_row(application: BenefitApplication) -> DepartmentRow:
    number = application.person.id_number
    return DepartmentRow(
        application, number[-4:] if number else None, mask_phone(application.person.phone)
    )


def list_department_applications(
    user: User,
    *,
    now: datetime,
    status: ApplicationStatus | None = None,
    window: Window = FIRST_PAGE,
) -> Slice[DepartmentRow]:
    """The applications the city approved for the departments the user works for (approved,
    in hand, closed), those waiting first. Raises Forbidden for anyone not a partner's staff,
    ValidationFailed for a status they do not read."""
    own = _departments_of(user, now)
    if not own:
        raise Forbidden(NOT_PARTNER_STAFF)
    if status is not None and status not in DEPARTMENT_STATUSES:
        raise ValidationFailed(errors={"status": [str(_l("Choose approved, in hand or closed."))]})
    wanted = (status,) if status is not None else DEPARTMENT_STATUSES
    query = select(BenefitApplication).where(
        BenefitApplication.department_id.in_(sorted(own)),
        BenefitApplication.status.in_(wanted),
    )
    found = read_slice(
        _loaded(query).order_by(
            (BenefitApplication.status == ApplicationStatus.closed),
            BenefitApplication.updated_at.desc(),
            BenefitApplication.id.desc(),
        ),
        window,
        count=query,
    )
    return Slice([_department_row(a) for a in found.items], found.total)


def get_department_application(user: User, application_id: int, *, now: datetime) -> DepartmentRow:
    """One application of the user's departments. Raises Forbidden (not a partner's staff),
    NotFound (another department's, or not approved by the city)."""
    return _department_row(_departments_application(user, application_id, now))


# Telling the person ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepNotice:
    """A step the person is to be told of (the reminders make it a notification)."""

    step_id: int
    user_id: int
    application_id: int
    benefit: str
    status: ApplicationStatus
    result: ApplicationResult | None

    @property
    def subject(self) -> str:
        return f"application_step:{self.step_id}"


def steps_to_tell(now: datetime, since: datetime) -> Iterable[StepNotice]:
    """The steps taken after `since` up to `now` of applications of persons linked to an
    account, but those the person took themselves (applying on their own page)."""
    rows = db.session.execute(
        select(
            ApplicationStep.id,
            Person.user_id,
            BenefitApplication.id,
            Benefit.name,
            ApplicationStep.to_status,
            BenefitApplication.result,
        )
        .join(BenefitApplication, BenefitApplication.id == ApplicationStep.application_id)
        .join(Person, Person.id == BenefitApplication.person_id)
        .join(Benefit, Benefit.id == BenefitApplication.benefit_id)
        .where(
            ApplicationStep.at > since,
            ApplicationStep.at <= now,
            Person.user_id.is_not(None),
            ApplicationStep.actor_id != Person.user_id,
        )
        .order_by(ApplicationStep.id)
    )
    for step_id, user_id, application_id, benefit, status, result in rows:
        closed = status is ApplicationStatus.closed
        yield StepNotice(
            step_id, user_id, application_id, benefit, status, result if closed else None
        )
