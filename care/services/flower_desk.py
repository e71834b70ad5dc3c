"""What the flowers pages and API need beside care.services.flowers: the couriers and upcoming
shifts a clerk plans to, planning several tasks at once, a deliverer's photo stored and the
delivery recorded with it, whether a user has tasks to deliver, and the register's persons a
clerk names when accepting a recommendation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from care.flower_models import DeliveryStatus, FlowerDelivery
from care.services import flowers
from core.auth.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.rows import Slice, Window
from core.settings import UploadSettings
from core.uploads.models import Upload
from core.uploads.services import find_upload, store_upload
from events.models import Activity, Shift, ShiftStatus
from honours.card_models import Partner, PartnerKind, PartnerStatus
from honours.models import Person
from honours.services.persons import PersonFilter, list_persons
from honours.services.scope import require_clerk, scope_of

# How far ahead the shifts offered to plan deliveries to reach, and how many are offered.
SHIFT_DAYS = 30
MAX_SHIFTS = 100
MAX_PLANNED = 200
MAX_CANDIDATES = 10


def list_couriers() -> list[Partner]:
    """The approved courier companies (card partners of kind courier), by name."""
    return list(
        db.session.scalars(
            select(Partner)
            .where(Partner.kind == PartnerKind.courier, Partner.status == PartnerStatus.approved)
            .order_by(Partner.name, Partner.id)
        )
    )


def upcoming_shifts(now: datetime) -> list[Shift]:
    """The scheduled shifts starting in the next SHIFT_DAYS days (at most MAX_SHIFTS, the
    soonest first), with their activity and team, for a clerk to plan deliveries to."""
    return list(
        db.session.scalars(
            select(Shift)
            .join(Activity)
            .options(joinedload(Shift.activity).joinedload(Activity.team))
            .where(
                Shift.status == ShiftStatus.scheduled,
                Shift.starts_at >= now,
                Shift.starts_at < now + timedelta(days=SHIFT_DAYS),
            )
            .order_by(Shift.starts_at, Shift.id)
            .limit(MAX_SHIFTS)
        )
    )


def plan_deliveries(
    actor: User,
    delivery_ids: list[int],
    *,
    deliver_on: date,
    courier_id: int | None = None,
    shift_id: int | None = None,
    now: datetime,
) -> int:
    """Plan several deliveries at once to one courier company or shift for a day (each as
    flowers.plan_delivery does, in one unit of work: one refused refuses them all); returns
    how many. Raises NotFound, ValidationFailed, Conflict."""
    wanted = sorted(set(delivery_ids))
    if not wanted:
        raise ValidationFailed(errors={"delivery_ids": [str(_l("Choose the tasks to plan."))]})
    if len(wanted) > MAX_PLANNED:
        raise ValidationFailed(
            errors={"delivery_ids": [str(_l("At most %(count)d at once.", count=MAX_PLANNED))]}
        )
    for delivery_id in wanted:
        flowers.plan_delivery(
            actor,
            delivery_id,
            deliver_on=deliver_on,
            courier_id=courier_id,
            shift_id=shift_id,
            now=now,
        )
    return len(wanted)


def store_photo(
    actor: User,
    delivery_id: int,
    stream: BinaryIO,
    filename: str | None,
    *,
    now: datetime,
    settings: UploadSettings,
) -> Upload:
    """Store a photo of a delivery the actor may read (its deliverer, to record it delivered
    with), without its location data. Flushes. Raises NotFound, ValidationFailed (not an
    image, too large)."""
    flowers.get_delivery(actor, delivery_id, now=now)
    return store_upload(
        actor,
        kind=flowers.PHOTO_KIND,
        stream=stream,
        filename=filename,
        now=now,
        settings=settings,
        field="photo",
    )


def deliver_with_photo(
    actor: User,
    delivery_id: int,
    stream: BinaryIO | None,
    filename: str | None,
    *,
    now: datetime,
    settings: UploadSettings,
) -> FlowerDelivery:
    """The deliverer records the flowers handed over with the photo they took now (the
    phone's camera). Raises NotFound, Conflict, ValidationFailed (no photo, not an image)."""
    if stream is None:
        raise ValidationFailed(
            errors={"photo": [str(_l("Take a photo of the flowers handed over."))]}
        )
    photo = store_photo(actor, delivery_id, stream, filename, now=now, settings=settings)
    return flowers.record_delivered(actor, delivery_id, photo, now=now)


def deliver_with_key(
    actor: User, delivery_id: int, photo_key: str, *, now: datetime
) -> FlowerDelivery:
    """The deliverer records the flowers handed over with a photo stored before (its key).
    Raises NotFound, Conflict, ValidationFailed (no such photo of theirs)."""
    photo = find_upload(photo_key)
    if photo is None:
        raise ValidationFailed(errors={"photo_key": [str(_l("Upload the file again."))]})
    return flowers.record_delivered(actor, delivery_id, photo, now=now)


def has_tasks(user: User, now: datetime) -> bool:
    """Whether the user delivers any flowers (a courier's staff, a team's leader or a
    volunteer with a seat on a shift that has tasks), for the way to their page."""
    # flowers.delivers is the one rule of who delivers what; asked here without reading
    # any address, so nothing is logged.
    return (
        db.session.scalar(select(FlowerDelivery.id).where(flowers.delivers(user, now)).limit(1))
        is not None
    )


def person_candidates(actor: User, name: str, *, now: datetime) -> Slice[Person]:
    """The register's persons of the clerk's regions whose name holds `name` (at most
    MAX_CANDIDATES), to name the one a recommendation means. NotFound for a non-clerk."""
    scope = scope_of(actor, now)
    require_clerk(scope)
    return list_persons(
        scope, PersonFilter(q=(name or "").strip() or None), Window(0, MAX_CANDIDATES)
    )


def clerks_for(actor: User, delivery: FlowerDelivery, *, now: datetime) -> bool:
    """Whether the actor is a clerk of the delivery's person's region, or the city."""
    return scope_of(actor, now).acts_in(delivery.target.person.region_id)


def may_plan(actor: User, delivery: FlowerDelivery, *, now: datetime) -> bool:
    """Whether the actor may plan the delivery now: a clerk of the person's region or the
    city, while the flowers are not delivered."""
    return delivery.status is not DeliveryStatus.delivered and clerks_for(actor, delivery, now=now)
