"""What the care pages show beside the records: whom a new visit is for and whether they are
on the list, who on a list has been visited, and what a reader may do with a visit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from care.models import CareCampaign, CareTarget, Visit, VisitReversal, VisitStatus
from care.services.campaigns import get_care_campaign, target_of
from care.services.visits import NO_PERSON
from core.auth.models import User
from core.errors import NotFound
from core.extensions import db
from honours.models import Person
from honours.services.scope import require_acts_in, scope_of


@dataclass(frozen=True)
class VisitSubject:
    """The campaign and the person a visit is about to be recorded for, and their place on
    the campaign's list (None: off the list, so the visit needs a reason)."""

    care: CareCampaign
    person: Person
    target: CareTarget | None


def get_visit_subject(
    actor: User, care_campaign_id: int, person_id: int, *, now: datetime
) -> VisitSubject:
    """Whom a clerk of the person's region (or the city) is about to visit for the campaign.
    Raises NotFound (no campaign for a clerk, no such person), Forbidden (another region)."""
    care = get_care_campaign(actor, care_campaign_id, now=now)
    person = db.session.get(Person, person_id)
    if person is None or person.is_merged:
        raise NotFound(NO_PERSON)
    require_acts_in(scope_of(actor, now), person.region_id)
    return VisitSubject(care, person, target_of(care.id, person.id))


def latest_visits(care_campaign_id: int, person_ids: Iterable[int]) -> dict[int, Visit]:
    """The latest visit of the campaign to each of these persons that was not reversed, by
    person: what a list of people shows as visited, planned or not yet."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Visit)
        .outerjoin(VisitReversal, VisitReversal.visit_id == Visit.id)
        .where(
            Visit.care_campaign_id == care_campaign_id,
            Visit.person_id.in_(wanted),
            VisitReversal.id.is_(None),
        )
        .order_by(Visit.visit_on, Visit.id)
    )
    # Later rows replace earlier ones: the latest of each person stays.
    return {visit.person_id: visit for visit in found}


def manages_campaigns(actor: User, *, now: datetime) -> bool:
    """Whether the user makes campaigns, budgets and lists and locks visits (the city)."""
    return scope_of(actor, now).is_city


@dataclass(frozen=True)
class VisitActions:
    """What the reader of a visit may do with it now, as the services would allow it."""

    may_edit: bool
    may_mark_done: bool
    may_verify: bool
    may_complete_follow_up: bool
    may_reverse: bool


def actions_on(actor: User, visit: Visit, *, now: datetime) -> VisitActions:
    """What the user, who may read the visit, may do with it: edit it and add files while it
    is planned or done, mark a planned one done, verify a done one (the district or the
    city), complete its follow-up once, reverse a locked one (the city)."""
    scope = scope_of(actor, now)
    return VisitActions(
        may_edit=visit.status.is_editable,
        may_mark_done=visit.status is VisitStatus.planned,
        may_verify=visit.status is VisitStatus.done and scope.sees_whole(visit.person.region_id),
        may_complete_follow_up=bool(visit.follow_up) and visit.follow_up_done_at is None,
        may_reverse=(
            scope.is_city and visit.status is VisitStatus.locked and visit.reversal is None
        ),
    )
