"""Visits with condolence funds and goods (走访慰问): recorded by the clerks of the person's
region, verified by the district, locked by the city.

planned → done → verified → locked. Until verification an edit changes the visit and keeps
what it changed as a version (who, when, each field before and after); a verified or locked
visit is not edited. After locking, a correction is a reversal with a reason (its cash goes
back to the budget) and, where the visit happened otherwise, a new visit that points at it.
Every yuan of cash is charged to the campaign's budget for its fund source when it is
recorded (care.services.budgets), so that cash never passes the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from care.models import (
    CareCampaign,
    CareKind,
    FundSource,
    ReceiptKind,
    Recipient,
    Visit,
    VisitGood,
    VisitPhoto,
    VisitPlace,
    VisitReversal,
    VisitStatus,
    VisitVersion,
)
from care.services import budgets
from care.services.campaigns import NO_CAMPAIGN, in_scope, require_campaign_of_kind, target_of
from core.auth.models import User
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, read_slice
from core.uploads.content import FileType
from core.uploads.models import Upload
from core.uploads.services import register_kind
from honours.models import Person, PersonStatus
from honours.services.scope import (
    Scope,
    require_acts_in,
    require_city,
    require_clerk,
    scope_of,
)

NO_VISIT = _l("No such visit.")
NO_PERSON = _l("No such person in the register.")
CHANGED_MEANWHILE = _l(
    "Someone changed this visit meanwhile, or it was verified: reload it and try again."
)
MAX_TEXT = 2000
MAX_SHORT = 200
MAX_GOODS = 20
MAX_PHOTOS = 9
# Ten thousand yuan: more than one visit's cash ever is; a typo of a zero too many is refused.
VISIT_CASH_MAX_FEN = 1_000_000
GOOD_VALUE_MAX_FEN = 1_000_000
RECEIPT_KIND = "care_receipt"
PHOTO_KIND = "care_photo"


def _may_read_visit_file(user: User | None, upload: Upload, now: datetime) -> bool:
    """A visit's receipt and photos: the clerks of the person's region and the city."""
    if user is None:
        return False
    scope = scope_of(user, now)
    if scope.is_city:
        return True
    region_id = db.session.scalar(
        select(Person.region_id)
        .join(Visit, Visit.person_id == Person.id)
        .outerjoin(VisitPhoto, VisitPhoto.visit_id == Visit.id)
        .where((Visit.receipt_upload_id == upload.id) | (VisitPhoto.upload_id == upload.id))
        .limit(1)
    )
    if region_id is None:
        # Uploaded and not yet attached: its uploader's until it is.
        return upload.uploaded_by_id == user.id
    return scope.acts_in(region_id)


# A receipt is a signature drawn on the phone (an image) or a scanned list (an image or PDF).
register_kind(
    RECEIPT_KIND,
    may_read=_may_read_visit_file,
    accepts=frozenset({FileType.image, FileType.pdf}),
    sensitive=True,
)
register_kind(PHOTO_KIND, may_read=_may_read_visit_file)


@dataclass(frozen=True)
class GoodLine:
    """Goods given: the item, how many, their value in fen."""

    item: str
    quantity: int
    value_fen: int


@dataclass(frozen=True)
class VisitDetails:
    """What recording or editing a visit takes. Cash in fen, with its fund source."""

    visit_on: date
    place: VisitPlace
    visitors: str
    recipient: Recipient = Recipient.person
    relative_name: str | None = None
    relative_relation: str | None = None
    cash_fen: int = 0
    fund_source: FundSource | None = None
    needs: str = ""
    follow_up: str = ""
    goods: tuple[GoodLine, ...] = field(default_factory=tuple)


def _too_long(limit: int) -> list[str]:
    return [str(_l("At most %(count)d characters.", count=limit))]


def _clean(details: VisitDetails, person: Person) -> dict[str, Any]:
    """The visit's fields as they are stored, or ValidationFailed naming each field wrong."""
    errors: dict[str, list[str]] = {}
    visitors = (details.visitors or "").strip()
    if not visitors:
        errors["visitors"] = [str(_l("Say who visits."))]
    elif len(visitors) > MAX_SHORT:
        errors["visitors"] = _too_long(MAX_SHORT)
    relative_name = (details.relative_name or "").strip() or None
    relative_relation = (details.relative_relation or "").strip() or None
    if details.recipient is Recipient.relative:
        if relative_name is None:
            errors["relative_name"] = [str(_l("Name the relative who received the visit."))]
        elif len(relative_name) > 64:
            errors["relative_name"] = _too_long(64)
        if relative_relation is not None and len(relative_relation) > 32:
            errors["relative_relation"] = _too_long(32)
    else:
        relative_name = relative_relation = None
        if person.status is PersonStatus.deceased:
            errors["recipient"] = [
                str(
                    _l(
                        "This person has died: the visit goes to a relative on record, or "
                        "mark them not reached with the reason."
                    )
                )
            ]
    if not 0 <= details.cash_fen <= VISIT_CASH_MAX_FEN:
        errors["cash_yuan"] = [str(_l("The value is too large."))]
    fund_source = details.fund_source if details.cash_fen else None
    if details.cash_fen and fund_source is None:
        errors["fund_source"] = [str(_l("Say which fund the cash comes from."))]
    needs, follow_up = (details.needs or "").strip(), (details.follow_up or "").strip()
    if len(needs) > MAX_TEXT:
        errors["needs"] = _too_long(MAX_TEXT)
    if len(follow_up) > MAX_TEXT:
        errors["follow_up"] = _too_long(MAX_TEXT)
    goods = []
    if len(details.goods) > MAX_GOODS:
        errors["goods"] = [str(_l("At most %(count)d lines of goods.", count=MAX_GOODS))]
    for line in details.goods[:MAX_GOODS]:
        item = (line.item or "").strip()
        if not item or len(item) > 60:
            errors["goods"] = [str(_l("Name the item of each line (at most 60 characters)."))]
        elif not 1 <= line.quantity <= 10_000 or not 0 <= line.value_fen <= GOOD_VALUE_MAX_FEN:
            errors["goods"] = [str(_l("Each line of goods has a quantity and a value in yuan."))]
        else:
            goods.append((item, line.quantity, line.value_fen))
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "visit_on": details.visit_on,
        "place": details.place,
        "visitors": visitors,
        "recipient": details.recipient,
        "relative_name": relative_name,
        "relative_relation": relative_relation,
        "cash_fen": details.cash_fen,
        "fund_source": fund_source,
        "needs": needs,
        "follow_up": follow_up,
        "goods": goods,
    }


def _person(scope: Scope, person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.is_merged:
        raise ValidationFailed(errors={"person_id": [str(NO_PERSON)]})
    require_acts_in(scope, person.region_id)
    return person


def _goods_rows(lines: Sequence[tuple[str, int, int]]) -> list[VisitGood]:
    return [
        VisitGood(position=n, item=item, quantity=quantity, value_fen=value)
        for n, (item, quantity, value) in enumerate(lines)
    ]


def record_visit(
    actor: User,
    care_campaign_id: int,
    person_id: int,
    details: VisitDetails,
    *,
    now: datetime,
    done: bool,
    off_list_reason: str | None = None,
    corrects_id: int | None = None,
) -> Visit:
    """Record a visit planned, or paid already (`done`), by a clerk of the person's region or
    the city; its cash is charged to the campaign's budget for its fund source at once. A
    person not on the campaign's list is visited only with `off_list_reason`, kept and shown.
    `corrects_id` names a reversed visit this one records anew. Flushes.

    Raises NotFound (no campaign), Forbidden (not the person's region), ValidationFailed
    (fields; a campaign of flowers; off the list without a reason; the cash over what the
    budget has left; a deceased person as the recipient)."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    care = get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    require_campaign_of_kind(care, CareKind.visits)
    person = _person(scope, person_id)
    values = _clean(details, person)
    target = target_of(care.id, person.id)
    reason = (off_list_reason or "").strip() or None
    if target is None and reason is None:
        raise ValidationFailed(
            errors={
                "off_list_reason": [
                    str(_l("This person is not on the campaign's list: say why they are visited."))
                ]
            },
            code="off_list",
        )
    if reason is not None and len(reason) > MAX_TEXT:
        raise ValidationFailed(errors={"off_list_reason": _too_long(MAX_TEXT)})
    if corrects_id is not None:
        _check_corrected(corrects_id, care.id, person.id)
    goods = values.pop("goods")
    if values["cash_fen"]:
        budgets.charge(care.id, values["fund_source"], values["cash_fen"], "cash_yuan")
    visit = Visit(
        care_campaign_id=care.id,
        person_id=person.id,
        target_id=target.id if target is not None else None,
        off_list_reason=reason if target is None else None,
        status=VisitStatus.done if done else VisitStatus.planned,
        visited_at=now if done else None,
        corrects_id=corrects_id,
        created_by_id=actor.id,
        created_at=now,
        goods=_goods_rows(goods),
        **values,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def _check_corrected(corrects_id: int, care_campaign_id: int, person_id: int) -> None:
    corrected = db.session.get(Visit, corrects_id)
    if (
        corrected is None
        or corrected.reversal is None
        or corrected.care_campaign_id != care_campaign_id
        or corrected.person_id != person_id
    ):
        raise ValidationFailed(
            errors={"corrects_id": [str(_l("Only a reversed visit of this person is corrected."))]}
        )


def _load(scope: Scope, visit_id: int, *, lock: bool = False) -> Visit:
    require_clerk(scope)
    visit = get_or_not_found(
        Visit,
        visit_id,
        NO_VISIT,
        lock=lock,
        options=(joinedload(Visit.person), selectinload(Visit.goods)),
    )
    if not scope.acts_in(visit.person.region_id):
        raise NotFound(NO_VISIT)
    return visit


def get_visit(actor: User, visit_id: int, *, now: datetime) -> Visit:
    """A visit, for the clerks of the person's region and the city; NotFound otherwise."""
    return _load(scope_of(actor, now), visit_id)


def _shown(value: Any) -> Any:
    """A field's value as a version keeps it (JSON): enums by value, dates as ISO text."""
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _bump(visit: Visit, expected_version: int) -> None:
    """Take the next version, or Conflict when another edit or the verification came first:
    a conditional update, so two clerks editing at once cannot both win."""
    bumped = db.session.execute(
        update(Visit)
        .where(
            Visit.id == visit.id,
            Visit.version == expected_version,
            Visit.status.in_((VisitStatus.planned, VisitStatus.done)),
        )
        .values(version=Visit.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bumped != 1:
        raise Conflict(CHANGED_MEANWHILE, code="changed_meanwhile")
    visit.version = expected_version + 1


def _write_version(actor: User, visit: Visit, changes: dict[str, Any], now: datetime) -> None:
    db.session.add(
        VisitVersion(
            visit_id=visit.id,
            version=visit.version,
            changes=changes,
            changed_by_id=actor.id,
            changed_at=now,
        )
    )
    db.session.flush()


def _require_editable(visit: Visit) -> None:
    if not visit.status.is_editable:
        raise Conflict(
            _l("A verified or locked visit is not edited: the city reverses a locked one."),
            code="not_editable",
        )


def edit_visit(
    actor: User, visit_id: int, details: VisitDetails, *, expected_version: int, now: datetime
) -> Visit:
    """Change a planned or done visit (a clerk of the person's region or the city), keeping
    what changed as a new version; the budget follows the cash (the old amount given back to
    its fund, the new one charged). `expected_version` is the version the editor saw.
    Flushes. Raises NotFound, Forbidden, ValidationFailed (fields; over budget), Conflict
    (verified or locked; changed by someone else meanwhile)."""
    scope = scope_of(actor, now)
    visit = _load(scope, visit_id)
    _require_editable(visit)
    values = _clean(details, visit.person)
    goods = values.pop("goods")
    old_goods = [(g.item, g.quantity, g.value_fen) for g in visit.goods]
    changes = {
        name: [_shown(getattr(visit, name)), _shown(value)]
        for name, value in values.items()
        if getattr(visit, name) != value
    }
    if goods != old_goods:
        changes["goods"] = [[list(g) for g in old_goods], [list(g) for g in goods]]
    if not changes:
        return visit
    _bump(visit, expected_version)
    if "cash_fen" in changes or "fund_source" in changes:
        if visit.cash_fen:
            budgets.release(visit.care_campaign_id, visit.fund_source, visit.cash_fen)
        if values["cash_fen"]:
            budgets.charge(
                visit.care_campaign_id, values["fund_source"], values["cash_fen"], "cash_yuan"
            )
    for name, value in values.items():
        setattr(visit, name, value)
    if "goods" in changes:
        visit.goods = _goods_rows(goods)
    _write_version(actor, visit, changes, now)
    return visit


def mark_done(actor: User, visit_id: int, *, expected_version: int, now: datetime) -> Visit:
    """A planned visit paid now (a clerk of the region or the city): done at `now`, kept as a
    version. Raises NotFound, Conflict (not planned; changed meanwhile)."""
    visit = _load(scope_of(actor, now), visit_id)
    if visit.status is not VisitStatus.planned:
        raise Conflict(_l("This visit is not a planned one."), code="not_planned")
    _bump(visit, expected_version)
    visit.status, visit.visited_at = VisitStatus.done, now
    _write_version(actor, visit, {"status": ["planned", "done"]}, now)
    return visit


def attach_receipt(
    actor: User,
    visit_id: int,
    upload: Upload,
    kind: ReceiptKind,
    *,
    expected_version: int,
    now: datetime,
) -> Visit:
    """Attach the receipt (a signature drawn on the phone, or a scanned list) to a visit not
    yet verified, kept as a version. The upload must be the actor's own, of the receipt kind.
    Raises NotFound, Conflict, ValidationFailed."""
    visit = _load(scope_of(actor, now), visit_id)
    _require_editable(visit)
    _require_own_upload(actor, upload, RECEIPT_KIND, "receipt")
    _bump(visit, expected_version)
    old = visit.receipt.public_key if visit.receipt is not None else None
    visit.receipt_upload_id, visit.receipt_kind = upload.id, kind
    _write_version(actor, visit, {"receipt": [old, upload.public_key]}, now)
    return visit


def add_photo(actor: User, visit_id: int, upload: Upload, *, now: datetime) -> VisitPhoto:
    """Add a photo (stored without its location data) to a visit not yet verified.
    Raises NotFound, Conflict, ValidationFailed (not the actor's photo; too many)."""
    visit = _load(scope_of(actor, now), visit_id, lock=True)
    _require_editable(visit)
    _require_own_upload(actor, upload, PHOTO_KIND, "photo")
    if len(visit.photos) >= MAX_PHOTOS:
        raise ValidationFailed(
            errors={"photo": [str(_l("At most %(count)d photos.", count=MAX_PHOTOS))]}
        )
    photo = VisitPhoto(visit_id=visit.id, upload_id=upload.id, position=len(visit.photos))
    db.session.add(photo)
    db.session.flush()
    return photo


def _require_own_upload(actor: User, upload: Upload, kind: str, name: str) -> None:
    taken = db.session.scalar(
        select(Visit.id).where(Visit.receipt_upload_id == upload.id).limit(1)
    ) or db.session.scalar(select(VisitPhoto.id).where(VisitPhoto.upload_id == upload.id).limit(1))
    if upload.kind != kind or upload.uploaded_by_id != actor.id or taken:
        raise ValidationFailed(errors={name: [str(_l("Upload the file again."))]})


def verify_visit(actor: User, visit_id: int, *, now: datetime) -> Visit:
    """The district verifies a visit paid (区级核实): a district clerk of the person's
    district or the city. A visit with cash needs its receipt first. From then on it is not
    edited. Raises NotFound, Forbidden, Conflict (not done; verified meanwhile),
    ValidationFailed (no receipt)."""
    scope = scope_of(actor, now)
    visit = _load(scope, visit_id)
    if not scope.sees_whole(visit.person.region_id):
        raise Forbidden(_l("The district verifies visits."))
    if visit.status is not VisitStatus.done:
        raise Conflict(_l("Only a visit paid and not yet verified is verified."), code="not_done")
    if visit.cash_fen and visit.receipt_upload_id is None:
        raise ValidationFailed(
            errors={"receipt": [str(_l("A visit with cash is verified with its receipt."))]}
        )
    changed = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.status == VisitStatus.done)
        .values(status=VisitStatus.verified, verified_by_id=actor.id, verified_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(CHANGED_MEANWHILE, code="changed_meanwhile")
    db.session.refresh(visit)
    return visit


def lock_visits(actor: User, care_campaign_id: int, *, now: datetime) -> int:
    """The city locks every verified visit of the campaign (锁定); returns how many. From then
    on a correction is a reversal. Raises Forbidden, NotFound."""
    require_city(scope_of(actor, now))
    get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    locked = db.session.execute(
        update(Visit)
        .where(Visit.care_campaign_id == care_campaign_id, Visit.status == VisitStatus.verified)
        .values(status=VisitStatus.locked, locked_by_id=actor.id, locked_at=now)
        # The visits this session holds learn they are locked (a reversal next sees it).
        .execution_options(synchronize_session="fetch")
    ).rowcount
    db.session.flush()
    return locked


def reverse_visit(actor: User, visit_id: int, reason: str, *, now: datetime) -> VisitReversal:
    """Reverse a locked visit (冲销, the city only), with the reason: its cash goes back to
    the budget and it counts no more in the totals; the visit stays as it was. Once per
    visit, also under two requests at once. Flushes. Raises NotFound, Forbidden,
    ValidationFailed (no reason), Conflict (not locked; reversed already)."""
    scope = scope_of(actor, now)
    require_city(scope)
    visit = _load(scope, visit_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Say why the visit is reversed."))]})
    if len(reason) > MAX_TEXT:
        raise ValidationFailed(errors={"reason": _too_long(MAX_TEXT)})
    if visit.status is not VisitStatus.locked:
        raise Conflict(
            _l("Only a locked visit is reversed; edit one that is not verified yet."),
            code="not_locked",
        )
    reversal = VisitReversal(
        visit_id=visit.id,
        cash_fen=visit.cash_fen,
        reason=reason,
        reversed_by_id=actor.id,
        reversed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reversal)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("This visit was reversed already."), code="reversed_already") from None
    if visit.cash_fen:
        budgets.release(visit.care_campaign_id, visit.fund_source, visit.cash_fen)
    db.session.flush()
    return reversal


def complete_follow_up(actor: User, visit_id: int, *, now: datetime) -> Visit:
    """Mark the follow-up of the needs found as done (a clerk of the region or the city),
    once; the visit's record of what was paid stays as it is. Raises NotFound, Conflict."""
    visit = _load(scope_of(actor, now), visit_id)
    if not visit.follow_up:
        raise Conflict(_l("This visit has no follow-up."), code="no_follow_up")
    done = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id, Visit.follow_up_done_at.is_(None))
        .values(follow_up_done_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Conflict(_l("This follow-up was done already."), code="follow_up_done")
    db.session.refresh(visit)
    return visit


@dataclass(frozen=True)
class VisitFilter:
    """Which visits a list shows."""

    status: VisitStatus | None = None
    person_id: int | None = None


def list_visits(
    actor: User, care_campaign_id: int, filters: VisitFilter, window: Window, *, now: datetime
) -> Slice[Visit]:
    """The campaign's visits the user acts for (the city: all; a clerk: their regions'),
    latest first. NotFound for a non-clerk or no such campaign."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    query = (
        select(Visit)
        .join(Person, Person.id == Visit.person_id)
        .options(joinedload(Visit.person), joinedload(Visit.reversal))
        .where(Visit.care_campaign_id == care_campaign_id, in_scope(scope, Person.region_id))
        .order_by(Visit.visit_on.desc(), Visit.id.desc())
    )
    if filters.status is not None:
        query = query.where(Visit.status == filters.status)
    if filters.person_id is not None:
        query = query.where(Visit.person_id == filters.person_id)
    return read_slice(query, window)
