"""Breach cases (违规线索/案件): reporting that an honoured person broke a conduct clause, and
reading cases. A case is received from the public (real name, a verified phone), the media, a
card partner's staff, or entered by a clerk for an agency, a caller or themselves; it cites
the clauses in force that day and is assigned at once to the person's district ("whoever
recommended is answerable").

Cases are handled and read by the district clerks of the person's district and by the city;
to anyone else a case does not exist. The steps a case goes through are
honours.services.breach_case_steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core.auth.assignments import AssignmentKind, assignments_of
from core.auth.models import User
from core.clock import local_day, local_zone
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, read_slice
from core.settings import ConductSettings, UploadSettings
from core.uploads.content import FileType
from core.uploads.models import Upload
from core.uploads.services import register_kind, store_upload
from core.workdays import WorkCalendar, working_day_deadline
from honours.conduct_models import (
    OPEN_STAGES,
    BreachCase,
    BreachCaseClause,
    BreachCaseFile,
    BreachCaseStep,
    CaseStage,
    SourceKind,
    StepAction,
)
from honours.models import Person
from honours.services import clauses
from honours.services.partner_staff import staff_partner
from honours.services.publication import on_roll
from honours.services.scope import Scope, require_clerk, scope_of

EVIDENCE_KIND = "breach_evidence"
EVIDENCE_MAX = 10
DESCRIPTION_MAX = 4000
NAME_MAX = 64
SOURCE_MAX = 120

NO_CASE = _l("No such breach case.")
NO_PERSON = _l("No such person on the roll of good people.")
PHONE_NOT_VERIFIED = _l(
    "A report in your own name needs a verified mobile number: verify yours first."
)
NOT_HANDLER = _l("Breach cases are handled by the person's district and by the city.")
NOT_MEDIA = _l("Only an editor of the media group reports as the media.")
ONLY_CLERKS = _l("Reports of an agency or a clerk are entered by a clerk of the person's region.")


# Who may ----------------------------------------------------------------------------------------


def handles(scope: Scope, case: BreachCase) -> bool:
    """Whether the user handles and reads the case: the city, and the district clerks of the
    person's district (who see the register whole there)."""
    return scope.sees_whole(case.person.region_id)


def handles_any(scope: Scope) -> bool:
    """Whether the user handles the cases of some district (the list is theirs)."""
    return scope.is_city or bool(scope.whole_regions)


def in_regions(column, regions: frozenset[int]):
    """The SQL condition that `column` (a region id) is one of `regions`."""
    return column.in_(sorted(regions) or [-1])


def load_case(scope: Scope, case_id: int, *, lock: bool = False) -> BreachCase:
    """The case, for one who handles it (locked for update when `lock`). Raises NotFound for
    anyone else, the same as for an id that names no case."""
    query = select(BreachCase).where(BreachCase.id == case_id)
    if lock:
        query = query.with_for_update()
    case = db.session.scalar(query)
    if case is None or not handles(scope, case):
        raise NotFound(NO_CASE)
    return case


def require_stage(case: BreachCase, *stages: CaseStage) -> None:
    """Raise Conflict, naming where the case stands, unless it is at one of `stages`."""
    if case.stage not in stages:
        raise Conflict(
            _l("This case is at “%(stage)s”: that step is not open now.", stage=case.stage.label),
            code="wrong_stage",
        )


# Evidence files ---------------------------------------------------------------------------------


def _case_of_upload(upload: Upload) -> BreachCase | None:
    return db.session.scalar(
        select(BreachCase)
        .join(BreachCaseFile, BreachCaseFile.case_id == BreachCase.id)
        .where(BreachCaseFile.upload_id == upload.id)
    )


def _may_read_evidence(user: User | None, upload: Upload, now: datetime) -> bool:
    if user is None:
        return False
    case = _case_of_upload(upload)
    return case is not None and handles(scope_of(user, now), case)


# Evidence may show people and their papers: never kept in a browser's cache.
register_kind(
    EVIDENCE_KIND, may_read=_may_read_evidence, accepts=frozenset(FileType), sensitive=True
)


@dataclass(frozen=True)
class Evidence:
    """An evidence file sent with a report or added later, before it is stored."""

    stream: BinaryIO
    filename: str | None


def attach_evidence(
    actor: User,
    case: BreachCase,
    evidence: Evidence,
    *,
    now: datetime,
    settings: UploadSettings,
    field: str = "files",
) -> Upload:
    """Store an evidence file (an image or a PDF) and attach it to the case, within
    EVIDENCE_MAX. The caller has checked that the actor may. Raises ValidationFailed under
    `field`."""
    if len(case.files) >= EVIDENCE_MAX:
        message = _l("At most %(n)d evidence files.", n=EVIDENCE_MAX)
        raise ValidationFailed(message, errors={field: [str(message)]})
    upload = store_upload(
        actor,
        kind=EVIDENCE_KIND,
        stream=evidence.stream,
        filename=evidence.filename,
        now=now,
        settings=settings,
        field=field,
    )
    case.files.append(
        BreachCaseFile(upload_id=upload.id, added_by_id=actor.id, added_at=now, upload=upload)
    )
    db.session.flush()
    return upload


def add_evidence(
    actor: User, case_id: int, evidence: Evidence, *, now: datetime, settings: UploadSettings
) -> Upload:
    """Add an evidence file to an open case: its handlers (the district, the city), or whoever
    reported it while the district has not finished investigating. Raises NotFound (not
    theirs), Conflict (the case is closed, or past investigation for the reporter),
    ValidationFailed (the file)."""
    case = db.session.get(BreachCase, case_id)
    if case is None:
        raise NotFound(NO_CASE)
    if handles(scope_of(actor, now), case):
        require_stage(case, *OPEN_STAGES)
    elif case.reported_by_id == actor.id:
        require_stage(case, CaseStage.assigned, CaseStage.investigating)
    else:
        raise NotFound(NO_CASE)
    return attach_evidence(actor, case, evidence, now=now, settings=settings)


# Reporting --------------------------------------------------------------------------------------


def _text(values: dict[str, Any], name: str, limit: int, errors: dict, *, required=True) -> str:
    value = str(values.get(name) or "").strip()
    if required and not value:
        errors[name] = [str(_l("This field is required."))]
    elif len(value) > limit:
        errors[name] = [str(_l("At most %(n)d characters.", n=limit))]
    return value


def _person(person_id: Any) -> Person:
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None or person.is_merged:
        raise ValidationFailed(errors={"person_id": [str(_l("Choose a person of the register."))]})
    return person


def _on_roll(person: Person) -> None:
    # Those who are not clerks name the person from the public roll and learn nothing of
    # anyone else in the register.
    if not db.session.scalar(select(func.count()).where(Person.id == person.id, on_roll())):
        raise ValidationFailed(errors={"person_id": [str(NO_PERSON)]})


def is_media_editor(user: User, now: datetime) -> bool:
    """Whether the user files reports for the media group (媒体推荐群) at `now`."""
    return any(a.kind is AssignmentKind.media_editor for a in assignments_of(user, now))


@dataclass
class Report:
    """What a report says, checked: the source and reporter as the channel fixes them."""

    source_kind: SourceKind
    source_name: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    partner_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _channel(actor: User, person: Person, values: dict[str, Any], now: datetime) -> Report:
    """Who the report is from, by the reporter's place: a clerk of the person's region
    enters any source (naming it); anyone else reports as the public, the media or a
    partner, about a person of the public roll."""
    kind = values.get("source_kind")
    if not isinstance(kind, SourceKind):
        raise ValidationFailed(errors={"source_kind": [str(_l("Choose where it came from."))]})
    scope = scope_of(actor, now)
    report = Report(kind)
    errors = report.errors
    if scope.is_clerk and scope.acts_in(person.region_id):
        report.source_name = _text(values, "source_name", SOURCE_MAX, errors)
        required = kind is SourceKind.public
        report.reporter_name = _text(values, "reporter_name", NAME_MAX, errors, required=required)
        report.reporter_phone = _text(values, "reporter_phone", 20, errors, required=required)
        return report
    _on_roll(person)
    if kind is SourceKind.public:
        if actor.phone_verified_at is None:
            raise Forbidden(PHONE_NOT_VERIFIED, code="phone_not_verified")
        report.reporter_name = _text(values, "reporter_name", NAME_MAX, errors)
        report.reporter_phone = actor.phone
    elif kind is SourceKind.media:
        if not is_media_editor(actor, now):
            raise Forbidden(NOT_MEDIA)
        report.source_name = _text(values, "source_name", SOURCE_MAX, errors)
        report.reporter_name, report.reporter_phone = actor.display_name, actor.phone
    elif kind is SourceKind.partner:
        partner = staff_partner(actor, now, values.get("partner_id"))
        report.partner_id, report.source_name = partner.id, partner.name
        report.reporter_name, report.reporter_phone = actor.display_name, actor.phone
    else:
        raise Forbidden(ONLY_CLERKS)
    return report


def report_case(
    actor: User,
    values: dict[str, Any],
    *,
    now: datetime,
    settings: ConductSettings,
    calendar: WorkCalendar,
    evidence: list[Evidence] = (),
    uploads: UploadSettings | None = None,
) -> BreachCase:
    """Receive a breach report (受理) and assign it to the person's district at once. `values`:
    person_id, clause_ids (cited as the versions in force today), description, source_kind,
    and as the channel asks source_name, reporter_name, reporter_phone, partner_id.

    A clerk of the person's region (or the city) enters a report of any source, naming it; a
    public report needs the reporter's real name and an account with a verified phone (the
    phone is the account's); the media's is filed by an editor of the media group naming the
    outlet; a partner's by its staff. Those who are not clerks name a person of the public
    roll. Raises ValidationFailed (the fields, a file), Forbidden (the phone not verified,
    not a media editor or a partner's staff, an agency's report not by a clerk)."""
    person = _person(values.get("person_id"))
    report = _channel(actor, person, values, now)
    errors = report.errors
    description = _text(values, "description", DESCRIPTION_MAX, errors)
    try:
        versions = clauses.versions_in_force(list(values.get("clause_ids") or []), local_day(now))
    except ValidationFailed as refused:
        errors.update(refused.errors)
    if len(evidence) > EVIDENCE_MAX:
        errors["files"] = [str(_l("At most %(n)d evidence files.", n=EVIDENCE_MAX))]
    if errors:
        raise ValidationFailed(errors=errors)
    due = working_day_deadline(now, settings.investigation_days, calendar, local_zone())
    case = BreachCase(
        person_id=person.id,
        district_id=person.district_id,
        stage=CaseStage.assigned,
        stage_entered_at=now,
        stage_due_at=due,
        source_kind=report.source_kind,
        source_name=report.source_name,
        reporter_name=report.reporter_name,
        reporter_phone=report.reporter_phone,
        partner_id=report.partner_id,
        description=description,
        reported_by_id=actor.id,
        received_at=now,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add_all(BreachCaseClause(case_id=case.id, clause_version_id=v.id) for v in versions)
    db.session.add_all(
        [
            BreachCaseStep(
                case_id=case.id,
                action=StepAction.reported,
                from_stage=None,
                to_stage=CaseStage.received,
                actor_id=actor.id,
                at=now,
            ),
            BreachCaseStep(
                case_id=case.id,
                action=StepAction.assigned,
                from_stage=CaseStage.received,
                to_stage=CaseStage.assigned,
                actor_id=None,
                at=now,
                opinion=person.district.name,
            ),
        ]
    )
    for each in evidence:
        attach_evidence(actor, case, each, now=now, settings=uploads)
    db.session.flush()
    return case


# Reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    stage: CaseStage | None = None
    district_id: int | None = None
    is_overdue: bool | None = None


@dataclass(frozen=True)
class CaseRow:
    """A case as the lists show it, with whether its step is past its time limit."""

    case: BreachCase
    is_overdue: bool


def require_handler_anywhere(scope: Scope) -> None:
    """Raise NotFound for a non-clerk, Forbidden for a clerk below the district."""
    require_clerk(scope)
    if not handles_any(scope):
        raise Forbidden(NOT_HANDLER)


def list_cases(
    actor: User, filters: CaseFilter, window: Window, *, now: datetime
) -> Slice[CaseRow]:
    """The cases of my districts (the city: all), the newest first, by stage, district and
    whether overdue. Raises NotFound (not a clerk), Forbidden (a clerk below the district)."""
    scope = scope_of(actor, now)
    require_handler_anywhere(scope)
    query = select(BreachCase).join(Person, Person.id == BreachCase.person_id)
    if not scope.is_city:
        query = query.where(in_regions(Person.region_id, scope.whole_regions))
    if filters.stage is not None:
        query = query.where(BreachCase.stage == filters.stage)
    if filters.district_id is not None:
        query = query.where(BreachCase.district_id == filters.district_id)
    if filters.is_overdue is not None:
        late = BreachCase.stage_due_at.is_not(None) & (BreachCase.stage_due_at <= now)
        query = query.where(
            late if filters.is_overdue else ~late | BreachCase.stage_due_at.is_(None)
        )
    ordered = query.options(
        joinedload(BreachCase.person), joinedload(BreachCase.district)
    ).order_by(BreachCase.received_at.desc(), BreachCase.id.desc())
    found = read_slice(ordered, window, count=query)
    return Slice([CaseRow(c, is_overdue(c, now)) for c in found.items], found.total)


def stage_counts(actor: User, *, now: datetime) -> dict[CaseStage, int]:
    """How many of my districts' cases stand at each stage."""
    scope = scope_of(actor, now)
    require_handler_anywhere(scope)
    query = (
        select(BreachCase.stage, func.count())
        .join(Person, Person.id == BreachCase.person_id)
        .group_by(BreachCase.stage)
    )
    if not scope.is_city:
        query = query.where(in_regions(Person.region_id, scope.whole_regions))
    counts = dict(db.session.execute(query).all())
    return {stage: counts.get(stage, 0) for stage in CaseStage if stage is not CaseStage.received}


def is_overdue(case: BreachCase, now: datetime) -> bool:
    """Whether the case's current step is past its time limit."""
    return case.stage_due_at is not None and case.stage_due_at <= now


@dataclass(frozen=True)
class CaseDetail:
    """A case as its page shows it to its handlers, with what the viewer may do next."""

    case: BreachCase
    is_overdue: bool
    is_city: bool
    statement_period_over: bool
    may_request_review: bool


def get_case(actor: User, case_id: int, *, now: datetime) -> CaseDetail:
    """The case with its clauses, evidence and steps, for its handlers. Raises NotFound for
    anyone else."""
    scope = scope_of(actor, now)
    case = load_case(scope, case_id)
    db.session.scalars(
        select(BreachCase)
        .where(BreachCase.id == case.id)
        .options(
            selectinload(BreachCase.clause_versions),
            selectinload(BreachCase.files).joinedload(BreachCaseFile.upload),
            selectinload(BreachCase.steps).joinedload(BreachCaseStep.actor),
            selectinload(BreachCase.honours),
        )
    ).all()
    return CaseDetail(
        case=case,
        is_overdue=is_overdue(case, now),
        is_city=scope.is_city,
        statement_period_over=case.statement_due_at is not None and case.statement_due_at <= now,
        may_request_review=(
            case.stage is CaseStage.closed
            and case.review_until is not None
            and case.review_requested_at is None
            and now <= case.review_until
        ),
    )


def _nameable(scope: Scope):
    """Whom a reporter may name: the city anyone, a clerk those of their regions and the
    public roll, anyone else the public roll."""
    if scope.is_city:
        return Person.merged_into_id.is_(None)
    if scope.is_clerk:
        return Person.merged_into_id.is_(None) & or_(
            in_regions(Person.region_id, scope.regions), on_roll()
        )
    return on_roll()


def reportable_persons(actor: User, query: str, *, now: datetime, limit: int = 20) -> list[Person]:
    """Persons a reporter may name, by part of the name (at most `limit`)."""
    text = query.strip()
    if not text:
        return []
    found = select(Person).where(
        _nameable(scope_of(actor, now)), Person.name.contains(text, autoescape=True)
    )
    return list(
        db.session.scalars(
            found.options(joinedload(Person.district)).order_by(Person.name).limit(limit)
        )
    )


def reportable_persons_by_id(actor: User, person_id: int, *, now: datetime) -> list[Person]:
    """The person of that id if the actor may name them in a report, else nothing: a chosen
    person is shown again when a form comes back with errors."""
    query = select(Person).where(Person.id == person_id, _nameable(scope_of(actor, now)))
    return list(db.session.scalars(query.options(joinedload(Person.district))))


def require_entering(actor: User, now: datetime) -> None:
    """Raise NotFound unless the user is a clerk (who enters reports that came to them)."""
    require_clerk(scope_of(actor, now))
