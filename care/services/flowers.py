"""Flowers on Lei Feng day (学雷锋日送鲜花): delivery tasks, who delivers them, and what
each deliverer may see.

A flowers campaign's list becomes one task per living person on it. A clerk of the person's
region (or the city) plans each task for a day, to a courier company (an approved card
partner of kind `courier`) or to a shift of a volunteer team. Whoever delivers, and only they,
sees the recipient's address and phone (each such view logged as a whole view of sensitive
fields): the courier's staff for their company's tasks, the team's leaders and the volunteers
signed up for the shift for its tasks. They record a delivery with a photo (stored without its
location data) or a failure with the reason; a clerk plans a failed one again. Every step is
appended to the task's attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, or_, select, update
from sqlalchemy.orm import joinedload

from care.flower_models import (
    AttemptOutcome,
    DeliveryStatus,
    FailReason,
    FlowerAttempt,
    FlowerDelivery,
)
from care.models import CareCampaign, CareKind, CareTarget
from care.services.campaigns import NO_CAMPAIGN, in_scope, require_campaign_of_kind
from core.auth.models import User
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, insert_unless_present, read_slice
from core.uploads.models import Upload
from core.uploads.services import register_kind
from events.models import Activity, Shift, SignUp, SignUpStatus
from honours.card_models import Partner, PartnerKind, PartnerStatus
from honours.models import Person, PersonStatus, SensitiveField, ViewChannel
from honours.services.partner_staff import partners_of
from honours.services.privacy import log_view
from honours.services.scope import require_clerk, scope_of
from volunteer.services import led_team_ids

NO_DELIVERY = _l("No such delivery.")
CHANGED_MEANWHILE = _l("This delivery changed meanwhile: reload it and try again.")
PHOTO_KIND = "care_flower_photo"
MAX_NOTE = 500


def _courier_ids(user: User, now: datetime) -> set[int]:
    return {p.id for p in partners_of(user, now) if p.kind is PartnerKind.courier}


def _shift_ids(user: User):
    """The shifts whose deliveries the user makes: those of the teams they lead, and those
    they hold a seat on."""
    led = select(Shift.id).join(Activity).where(Activity.team_id.in_(led_team_ids(user)))
    seated = select(SignUp.shift_id).where(
        SignUp.user_id == user.id, SignUp.status == SignUpStatus.confirmed
    )
    return led.union(seated)


def delivers(user: User, now: datetime):
    """A condition on FlowerDelivery: the tasks the user delivers (the one rule of who
    delivers what)."""
    couriers = _courier_ids(user, now)
    return or_(
        FlowerDelivery.courier_id.in_(sorted(couriers)) if couriers else literal(False),
        FlowerDelivery.shift_id.in_(_shift_ids(user)),
    )


def _may_read_photo(user: User | None, upload: Upload, now: datetime) -> bool:
    """A delivery's photo: whoever delivers it, the clerks of the person's region, the city."""
    if user is None:
        return False
    delivery = db.session.scalar(
        select(FlowerDelivery).where(FlowerDelivery.photo_upload_id == upload.id)
    )
    if delivery is None:
        return upload.uploaded_by_id == user.id
    scope = scope_of(user, now)
    if scope.acts_in(delivery.target.person.region_id):
        return True
    return bool(
        db.session.scalar(
            select(FlowerDelivery.id).where(FlowerDelivery.id == delivery.id, delivers(user, now))
        )
    )


register_kind(PHOTO_KIND, may_read=_may_read_photo)


def make_deliveries(actor: User, care_campaign_id: int, *, now: datetime) -> int:
    """One delivery task for each living person on a flowers campaign's list who has none
    yet (a clerk or the city; each acts for their regions); returns how many were made.
    Making them again adds nobody twice. Flushes. Raises NotFound, ValidationFailed (not a
    flowers campaign)."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    care = get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    require_campaign_of_kind(care, CareKind.flowers)
    made = db.session.execute(
        insert_unless_present(FlowerDelivery, "target_id")
        .from_select(
            ["care_campaign_id", "target_id", "status", "attempt", "created_at", "updated_at"],
            select(
                literal(care.id),
                CareTarget.id,
                literal(DeliveryStatus.planned.value),
                literal(1),
                literal(now, FlowerDelivery.created_at.type),
                literal(now, FlowerDelivery.updated_at.type),
            )
            .join(Person, Person.id == CareTarget.person_id)
            .where(
                CareTarget.care_campaign_id == care.id,
                CareTarget.skip_reason.is_(None),
                Person.status != PersonStatus.deceased,
                in_scope(scope, Person.region_id),
            ),
        )
        .returning(FlowerDelivery.id)
    ).all()
    db.session.flush()
    # Counted from RETURNING: an INSERT ... SELECT's row count is -1 on PostgreSQL.
    return len(made)


def _load(actor: User, delivery_id: int, now: datetime, *, lock: bool = False) -> FlowerDelivery:
    delivery = db.session.get(
        FlowerDelivery,
        delivery_id,
        options=(joinedload(FlowerDelivery.target).joinedload(CareTarget.person),),
        with_for_update={"of": FlowerDelivery} if lock else None,
        populate_existing=lock,
    )
    if delivery is None:
        raise NotFound(NO_DELIVERY)
    return delivery


def _for_clerk(actor: User, delivery_id: int, now: datetime) -> FlowerDelivery:
    scope = scope_of(actor, now)
    require_clerk(scope)
    delivery = _load(actor, delivery_id, now, lock=True)
    if not scope.acts_in(delivery.target.person.region_id):
        raise NotFound(NO_DELIVERY)
    return delivery


def _for_deliverer(actor: User, delivery_id: int, now: datetime) -> FlowerDelivery:
    """The delivery if the actor delivers it; NotFound otherwise (another courier's task is
    not theirs to know of)."""
    found = db.session.scalar(
        select(FlowerDelivery.id).where(FlowerDelivery.id == delivery_id, delivers(actor, now))
    )
    if found is None:
        raise NotFound(NO_DELIVERY)
    return _load(actor, delivery_id, now, lock=True)


def _deliverer(courier_id: int | None, shift_id: int | None) -> tuple[int | None, int | None]:
    if (courier_id is None) == (shift_id is None):
        raise ValidationFailed(
            errors={"courier_id": [str(_l("Choose a courier company or a shift, one of them."))]}
        )
    if courier_id is not None:
        courier = db.session.get(Partner, courier_id)
        if (
            courier is None
            or courier.kind is not PartnerKind.courier
            or courier.status is not PartnerStatus.approved
        ):
            raise ValidationFailed(
                errors={"courier_id": [str(_l("No such approved courier company."))]}
            )
    elif db.session.get(Shift, shift_id) is None:
        raise ValidationFailed(errors={"shift_id": [str(_l("No such shift."))]})
    return courier_id, shift_id


def plan_delivery(
    actor: User,
    delivery_id: int,
    *,
    deliver_on: date,
    courier_id: int | None = None,
    shift_id: int | None = None,
    now: datetime,
) -> FlowerDelivery:
    """Plan a delivery not yet made, or plan a failed one again (a clerk of the person's
    region or the city): to a courier company or a shift, for a day. Planning a failed one
    again counts a new attempt. Flushes. Raises NotFound, ValidationFailed, Conflict
    (delivered already)."""
    delivery = _for_clerk(actor, delivery_id, now)
    courier_id, shift_id = _deliverer(courier_id, shift_id)
    if delivery.status is DeliveryStatus.delivered:
        raise Conflict(_l("These flowers were delivered already."), code="delivered")
    if delivery.status is DeliveryStatus.failed:
        delivery.attempt += 1
    delivery.status = DeliveryStatus.planned
    delivery.courier_id, delivery.shift_id, delivery.deliver_on = courier_id, shift_id, deliver_on
    delivery.fail_reason = delivery.fail_note = None
    delivery.updated_at = now
    _append(delivery, actor, AttemptOutcome.planned, now)
    return delivery


def _append(
    delivery: FlowerDelivery,
    actor: User,
    outcome: AttemptOutcome,
    now: datetime,
    *,
    note: str | None = None,
) -> None:
    db.session.add(
        FlowerAttempt(
            delivery_id=delivery.id,
            attempt=delivery.attempt,
            outcome=outcome,
            courier_id=delivery.courier_id,
            shift_id=delivery.shift_id,
            deliver_on=delivery.deliver_on,
            photo_upload_id=delivery.photo_upload_id
            if outcome is AttemptOutcome.delivered
            else None,
            fail_reason=delivery.fail_reason if outcome is AttemptOutcome.failed else None,
            note=note,
            by_id=actor.id,
            at=now,
        )
    )
    db.session.flush()


def _settle(delivery: FlowerDelivery, now: datetime, **values) -> None:
    """Move a planned delivery to delivered or failed: a conditional update, so that two
    deliverers recording at once settle it once."""
    settled = db.session.execute(
        update(FlowerDelivery)
        .where(
            FlowerDelivery.id == delivery.id,
            FlowerDelivery.status == DeliveryStatus.planned,
            FlowerDelivery.attempt == delivery.attempt,
        )
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if settled != 1:
        raise Conflict(CHANGED_MEANWHILE, code="changed_meanwhile")
    db.session.refresh(delivery)


def record_delivered(
    actor: User, delivery_id: int, photo: Upload, *, now: datetime
) -> FlowerDelivery:
    """The deliverer records the flowers handed over now, with a photo they took (stored
    without its location data, of the kind care_flower_photo, uploaded by them). Raises
    NotFound (not theirs), Conflict (not planned; settled meanwhile), ValidationFailed."""
    delivery = _for_deliverer(actor, delivery_id, now)
    if photo.kind != PHOTO_KIND or photo.uploaded_by_id != actor.id:
        raise ValidationFailed(errors={"photo": [str(_l("Upload the file again."))]})
    if delivery.status is not DeliveryStatus.planned:
        raise Conflict(_l("This delivery is not waiting to be made."), code="not_planned")
    _settle(
        delivery, now, status=DeliveryStatus.delivered, delivered_at=now, photo_upload_id=photo.id
    )
    _append(delivery, actor, AttemptOutcome.delivered, now)
    return delivery


def record_failed(
    actor: User, delivery_id: int, reason: FailReason, *, note: str = "", now: datetime
) -> FlowerDelivery:
    """The deliverer records that the flowers could not be handed over, and why (nobody home,
    declined, a wrong address, other with a note). Raises NotFound, Conflict,
    ValidationFailed."""
    delivery = _for_deliverer(actor, delivery_id, now)
    note = (note or "").strip()
    if reason is FailReason.other and not note:
        raise ValidationFailed(errors={"note": [str(_l("Say what happened."))]})
    if len(note) > MAX_NOTE:
        raise ValidationFailed(
            errors={"note": [str(_l("At most %(count)d characters.", count=MAX_NOTE))]}
        )
    if delivery.status is not DeliveryStatus.planned:
        raise Conflict(_l("This delivery is not waiting to be made."), code="not_planned")
    _settle(delivery, now, status=DeliveryStatus.failed, fail_reason=reason, fail_note=note or None)
    _append(delivery, actor, AttemptOutcome.failed, now, note=note or None)
    return delivery


@dataclass(frozen=True)
class Task:
    """A delivery as its deliverer sees it: the recipient's name, address and phone whole
    (they must find the door), and nothing else of the register."""

    delivery: FlowerDelivery
    name: str
    region: str
    address: str | None
    phone: str | None


def my_tasks(
    actor: User, window: Window, *, now: datetime, place: str, channel: ViewChannel
) -> Slice[Task]:
    """The deliveries the user makes (a courier's staff: their company's; a team's leader or
    a volunteer with a seat: the shift's), to be made first, by day. The addresses and phones
    shown are logged as whole views (`place`: the page or endpoint)."""
    query = (
        select(FlowerDelivery)
        .options(joinedload(FlowerDelivery.target).joinedload(CareTarget.person))
        .where(delivers(actor, now))
        .order_by(
            (FlowerDelivery.status != DeliveryStatus.planned),
            FlowerDelivery.deliver_on,
            FlowerDelivery.id,
        )
    )
    found = read_slice(query, window)
    tasks = []
    for delivery in found.items:
        person = delivery.target.person
        if delivery.status is DeliveryStatus.planned:
            shown = {SensitiveField.address} if person.address else set()
            if person.phone:
                shown.add(SensitiveField.phone)
            log_view(actor.id, person, shown, channel=channel, place=place, now=now)
            address, phone = person.address, person.phone
        else:
            # Settled: the deliverer needs the door no more.
            address = phone = None
        tasks.append(Task(delivery, person.name, person.region.name, address, phone))
    return Slice(tasks, found.total)


def list_deliveries(
    actor: User,
    care_campaign_id: int,
    window: Window,
    *,
    now: datetime,
    status: DeliveryStatus | None = None,
) -> Slice[FlowerDelivery]:
    """A flowers campaign's deliveries the clerk acts for (the city: all), by status and
    day, without addresses. NotFound for a non-clerk or no such campaign."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    get_or_not_found(CareCampaign, care_campaign_id, NO_CAMPAIGN)
    query = (
        select(FlowerDelivery)
        .join(CareTarget)
        .join(Person, Person.id == CareTarget.person_id)
        .options(
            joinedload(FlowerDelivery.target).joinedload(CareTarget.person),
            joinedload(FlowerDelivery.courier),
            joinedload(FlowerDelivery.shift),
        )
        .where(
            and_(
                FlowerDelivery.care_campaign_id == care_campaign_id,
                in_scope(scope, Person.region_id),
            )
        )
        .order_by(FlowerDelivery.status, FlowerDelivery.deliver_on, Person.name)
    )
    if status is not None:
        query = query.where(FlowerDelivery.status == status)
    return read_slice(query, window)


def get_delivery(actor: User, delivery_id: int, *, now: datetime) -> FlowerDelivery:
    """A delivery with its attempts, for the clerks of the person's region and the city, or
    its deliverer; NotFound for anyone else."""
    scope = scope_of(actor, now)
    delivery = _load(actor, delivery_id, now)
    if scope.is_clerk and scope.acts_in(delivery.target.person.region_id):
        return delivery
    return _for_deliverer(actor, delivery_id, now)
