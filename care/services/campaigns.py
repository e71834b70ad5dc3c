"""Care campaigns (关爱活动) and their lists of people (慰问对象名单).

The office makes a care campaign from one of the year's seasonal campaigns and makes its list
by one of three rules: every active honour of a level and above, everyone with a hardship
profile, or a list uploaded as Excel. Making a list again adds only who is new: a person is on
a campaign's list once (a unique key, and inserts that skip who is there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from zipfile import BadZipFile

import openpyxl
from flask_babel import lazy_gettext as _l
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import joinedload, selectinload

from care.models import CareCampaign, CareKind, CareTarget, ListRule
from core.auth.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, insert_unless_present, read_slice
from events.models import Campaign
from honours.models import Honour, HonourLevel, HonourType, Person, PersonStatus
from honours.services.persons import normalize_id_number
from honours.services.scope import Scope, require_acts_in, require_city, require_clerk, scope_of

NO_CAMPAIGN = _l("No such care campaign.")
NO_TARGET = _l("No such person on this campaign's list.")
MAX_NAME = 120
MAX_PLAN = 4000
MAX_REASON = 500
MAX_UPLOAD_ROWS = 5000


@dataclass(frozen=True)
class CampaignDetails:
    """What making a care campaign takes."""

    campaign_id: int
    kind: CareKind
    name: str
    rule: ListRule
    plan: str = ""
    min_level: HonourLevel | None = None


def _checked(details: CampaignDetails) -> dict:
    errors: dict[str, list[str]] = {}
    name = (details.name or "").strip()
    if not name:
        errors["name"] = [str(_l("Give the campaign a name."))]
    elif len(name) > MAX_NAME:
        errors["name"] = [str(_l("At most %(count)d characters.", count=MAX_NAME))]
    plan = (details.plan or "").strip()
    if len(plan) > MAX_PLAN:
        errors["plan"] = [str(_l("At most %(count)d characters.", count=MAX_PLAN))]
    if details.rule is ListRule.honour_level and details.min_level is None:
        errors["min_level"] = [str(_l("Choose the lowest honour level on the list."))]
    if db.session.get(Campaign, details.campaign_id) is None:
        errors["campaign_id"] = [str(_l("No such seasonal campaign."))]
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "campaign_id": details.campaign_id,
        "kind": details.kind,
        "name": name,
        "plan": plan,
        "rule": details.rule,
        "min_level": details.min_level if details.rule is ListRule.honour_level else None,
    }


def create_care_campaign(actor: User, details: CampaignDetails, *, now: datetime) -> CareCampaign:
    """Make a care campaign from a seasonal campaign (the office only). Flushes.
    Raises Forbidden, ValidationFailed."""
    require_city(scope_of(actor, now))
    care = CareCampaign(**_checked(details), created_by_id=actor.id, created_at=now)
    db.session.add(care)
    db.session.flush()
    return care


def get_care_campaign(actor: User, care_campaign_id: int, *, now: datetime) -> CareCampaign:
    """A care campaign for any clerk (each sees and acts on their region's part of it);
    NotFound for anyone else."""
    require_clerk(scope_of(actor, now))
    return get_or_not_found(
        CareCampaign,
        care_campaign_id,
        NO_CAMPAIGN,
        options=(joinedload(CareCampaign.campaign), selectinload(CareCampaign.budgets)),
    )


def list_care_campaigns(
    actor: User, *, now: datetime, year: int | None = None
) -> list[CareCampaign]:
    """The care campaigns, newest season first, for any clerk; NotFound for anyone else."""
    require_clerk(scope_of(actor, now))
    query = (
        select(CareCampaign)
        .join(Campaign)
        .options(joinedload(CareCampaign.campaign), selectinload(CareCampaign.budgets))
        .order_by(Campaign.starts_on.desc(), CareCampaign.id.desc())
    )
    if year is not None:
        query = query.where(Campaign.year == year)
    return list(db.session.scalars(query))


def _listable():
    # Who may be on a list: a live record (not merged), not moved away; the deceased stay on
    # it, flagged, so that the visit goes to a relative or is skipped with a reason.
    return and_(Person.merged_into_id.is_(None), Person.status != PersonStatus.moved_away)


def _candidates(care: CareCampaign):
    """Who the campaign's rule puts on its list: a condition on Person."""
    if care.rule is ListRule.honour_level:
        assert care.min_level is not None
        levels = [level for level in HonourLevel if level.rank <= care.min_level.rank]
        held = (
            select(Honour.id)
            .join(HonourType)
            .where(
                Honour.person_id == Person.id,
                Honour.revoked_at.is_(None),
                HonourType.level.in_(levels),
            )
            .exists()
        )
        return and_(_listable(), held)
    if care.rule is ListRule.hardship:
        return and_(_listable(), func.length(func.trim(Person.hardship_notes)) > 0)
    raise ValidationFailed(
        _l("This campaign's list is uploaded as Excel."), code="list_is_uploaded"
    )


def _add(care: CareCampaign, who, actor: User, now: datetime) -> int:
    """Put the persons matching `who` on the list, skipping those on it already; how many."""
    # One INSERT ... SELECT; only the new ids come back. (Its SELECT always has a WHERE, which
    # SQLite needs to tell ON CONFLICT from a join's ON.)
    added = db.session.execute(
        insert_unless_present(CareTarget, "care_campaign_id", "person_id")
        .from_select(
            ["care_campaign_id", "person_id", "added_by_rule", "added_by_id", "added_at"],
            select(
                literal(care.id),
                Person.id,
                literal(care.rule.value),
                literal(actor.id),
                literal(now, CareTarget.added_at.type),
            ).where(who),
        )
        .returning(CareTarget.id)
    ).all()
    db.session.flush()
    # Counted from RETURNING: an INSERT ... SELECT's row count is -1 on PostgreSQL.
    return len(added)


def make_list(actor: User, care_campaign_id: int, *, now: datetime) -> int:
    """Make (or make again) the campaign's list by its rule (the office only): adds who the
    rule finds and is not on it yet, and returns how many were added; nobody is added twice,
    also by two requests at once. Flushes. Raises Forbidden, NotFound, ValidationFailed (a
    list that is uploaded)."""
    require_city(scope_of(actor, now))
    care = get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    return _add(care, _candidates(care), actor, now)


@dataclass(frozen=True)
class UploadedList:
    """What an uploaded list did: how many people it added and how many were on it already."""

    added: int
    already: int


ID_HEADERS = {"身份证号", "身份证号码", "id number", "id_number"}


def _rows(stream: BinaryIO) -> list[tuple[int, str]]:
    """The ID numbers of an Excel sheet's rows (line number, as typed), read from the column
    headed 身份证号 in its first row."""
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed(
            errors={"file": [str(_l("This is not an Excel workbook (.xlsx)."))]}
        ) from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip().lower() for cell in next(lines, ())]
    column = next((i for i, name in enumerate(header) if name in ID_HEADERS), None)
    if column is None:
        raise ValidationFailed(
            errors={"file": [str(_l("The first row must name a column 身份证号."))]}
        )
    rows = []
    for number, line in enumerate(lines, start=2):
        value = line[column] if column < len(line) else None
        if value is None or not str(value).strip():
            continue
        rows.append((number, str(value).strip()))
        if len(rows) > MAX_UPLOAD_ROWS:
            raise ValidationFailed(
                errors={"file": [str(_l("At most %(count)d rows.", count=MAX_UPLOAD_ROWS))]}
            )
    return rows


def upload_list(
    actor: User, care_campaign_id: int, stream: BinaryIO, *, now: datetime
) -> UploadedList:
    """Add the people of an uploaded Excel list (the office only), found in the register by
    their ID numbers. Every row must name a live person; otherwise nothing is added and the
    answer names each line that did not. Flushes. Raises Forbidden, NotFound,
    ValidationFailed."""
    require_city(scope_of(actor, now))
    care = get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    rows = _rows(stream)
    if not rows:
        raise ValidationFailed(errors={"file": [str(_l("The list names nobody."))]})
    wanted = {line: normalize_id_number(value) for line, value in rows}
    found = dict(
        db.session.execute(
            select(Person.id_number, Person.id).where(
                _listable(), Person.id_number.in_({n for n in wanted.values() if n})
            )
        ).all()
    )
    missing = [str(line) for line, number in wanted.items() if number not in found]
    if missing:
        raise ValidationFailed(
            errors={
                "file": [
                    str(
                        _l(
                            "No live person has the ID number of line(s) %(lines)s.",
                            lines=", ".join(missing[:20]),
                        )
                    )
                ]
            }
        )
    ids = sorted({found[number] for number in wanted.values()})
    added = _add(care, Person.id.in_(ids), actor, now)
    return UploadedList(added=added, already=len(ids) - added)


def in_scope(scope: Scope, region_column):
    """A condition keeping the rows a scope acts on: every row for the city, else those of
    its regions."""
    return literal(True) if scope.is_city else region_column.in_(sorted(scope.regions))


def list_targets(
    actor: User,
    care_campaign_id: int,
    window: Window,
    *,
    now: datetime,
    person_name: str | None = None,
) -> Slice[CareTarget]:
    """The people on the campaign's list whom the user acts for (the city: all; a clerk:
    their regions), by name. NotFound for a non-clerk or no such campaign."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    query = (
        select(CareTarget)
        .join(Person)
        .options(joinedload(CareTarget.person))
        .where(CareTarget.care_campaign_id == care_campaign_id, in_scope(scope, Person.region_id))
        .order_by(Person.name, CareTarget.id)
    )
    if person_name:
        query = query.where(Person.name.contains(person_name.strip(), autoescape=True))
    return read_slice(query, window)


def skip_target(actor: User, target_id: int, reason: str, *, now: datetime) -> CareTarget:
    """Record why a person on the list was not reached (未走访原因: declined, moved, in hospital
    far away, deceased with no relative), by a clerk of their region or the city. Flushes.
    Raises NotFound, Forbidden, ValidationFailed."""
    scope = scope_of(actor, now)
    target = get_or_not_found(CareTarget, target_id, NO_TARGET, lock=True)
    require_acts_in(scope, target.person.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Say why they were not reached."))]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            errors={"reason": [str(_l("At most %(count)d characters.", count=MAX_REASON))]}
        )
    target.skip_reason = reason
    target.skipped_by_id = actor.id
    target.skipped_at = now
    db.session.flush()
    return target


def target_of(care_campaign_id: int, person_id: int) -> CareTarget | None:
    """The person's place on the campaign's list, if they are on it."""
    return db.session.scalar(
        select(CareTarget).where(
            CareTarget.care_campaign_id == care_campaign_id, CareTarget.person_id == person_id
        )
    )


def require_campaign_of_kind(care: CareCampaign, kind: CareKind) -> None:
    """Refuse, with a clear answer, an act a campaign of another kind does not have."""
    if care.kind is not kind:
        raise ValidationFailed(
            _l("This is a campaign of %(kind)s.", kind=care.kind.label), code="wrong_kind"
        )
