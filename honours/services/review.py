"""Review level by level (逐级审核): the community, the street or town, the district and the
city each forward a nomination to the level above, return it to the level below with a
reason, or reject it; the city may send a media case down to the community for a local check.
Each step is the reviewer's, with their opinion, their checklist and their declaration of no
conflict of interest. A reviewer may declare a conflict instead, and leaves the nomination to
others from then on. The district forwards within the round's quota for it. Each level has a
time limit in working days: the review queue puts what is overdue first, and
`overdue_nominations` tells the reminders whom to remind."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from core.auth.assignments import CITY_KINDS, RoleAssignment, assignments_of
from core.auth.models import Role, User
from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.regions import ancestors, descendant_ids
from core.rows import Slice, Window
from core.workdays import WorkCalendar, working_day_deadline, working_days_between
from honours.models import RoundQuota
from honours.nomination_models import (
    REVIEW_STAGES,
    Channel,
    ConflictDeclaration,
    Nomination,
    Nominator,
    ReviewStep,
    Stage,
    StepAction,
)
from honours.services import background, rounds
from honours.services.pipeline import (
    NEXT_STAGE,
    NO_SUCH_NOMINATION,
    REVIEWER_OF_STAGE,
    STAGE_BELOW,
    declared_conflict,
    filed_by,
    get_nomination,
    may_read,
    record_step,
    require_no_conflict,
    require_stage,
    reviews_stage,
    sits_on_panel,
)
from honours.services.scope import require_clerk, scope_of

OPINION_MAX = 2000
REASON_MAX = 500


class ReviewAction(enum.Enum):
    """What a reviewer does with a nomination at their level."""

    forward = "forward"
    return_ = "return"  # to the level below, with the reason
    reject = "reject"
    send_down = "send_down"  # the city: a media case to the community for a local check

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    ReviewAction.forward: _l("Forward to the level above"),
    ReviewAction.return_: _l("Return to the level below"),
    ReviewAction.reject: _l("Reject"),
    ReviewAction.send_down: _l("Send down to the community for a local check"),
}
STEP_OF_ACTION = {
    ReviewAction.forward: StepAction.forwarded,
    ReviewAction.return_: StepAction.returned,
    ReviewAction.reject: StepAction.rejected,
    ReviewAction.send_down: StepAction.sent_down,
}


class CheckItem(enum.Enum):
    """The review checklist (审核要点)."""

    identity_confirmed = "identity_confirmed"
    deeds_verified = "deeds_verified"
    not_honoured = "not_honoured"
    background_checked = "background_checked"

    @property
    def label(self) -> str:
        return str(CHECK_ITEM_LABELS[self])


CHECK_ITEM_LABELS = {
    CheckItem.identity_confirmed: _l("Identity confirmed"),
    CheckItem.deeds_verified: _l("Deeds verified on site"),
    CheckItem.not_honoured: _l("Not already honoured at this level"),
    CheckItem.background_checked: _l("Background checks done"),
}
# What each level answers for when it forwards: the community and the street know the nominee
# and see the deeds on site; the district and the city have the agencies' checks made.
CHECKLIST = {
    Stage.community: (
        CheckItem.identity_confirmed,
        CheckItem.deeds_verified,
        CheckItem.not_honoured,
    ),
    Stage.street: (
        CheckItem.identity_confirmed,
        CheckItem.deeds_verified,
        CheckItem.not_honoured,
    ),
    Stage.district: (
        CheckItem.identity_confirmed,
        CheckItem.not_honoured,
        CheckItem.background_checked,
    ),
    Stage.city: (
        CheckItem.identity_confirmed,
        CheckItem.not_honoured,
        CheckItem.background_checked,
    ),
}
# The stage each kind of clerk reviews, and the level that hears of a level's overdue work
# once it is late by a second time limit.
STAGE_OF_KIND = {kind: stage for stage, kind in REVIEWER_OF_STAGE.items()}
LEVEL_ABOVE = {
    Stage.community: Stage.street,
    Stage.street: Stage.district,
    Stage.district: Stage.city,
}
# Where the district's places (名额) are counted: what it forwarded that is at the city or
# beyond, live or approved. Rejected, withdrawn, declined and merged ones free their place.
QUOTA_STAGES = (Stage.city, Stage.consent, Stage.panel, Stage.notice, Stage.approved)


# Time limits ------------------------------------------------------------------------------------


def due_at(nomination: Nomination, calendar: WorkCalendar, zone: tzinfo) -> datetime:
    """When the nomination's current level runs out of time: the round's working days per
    level from the moment it reached the level."""
    return rounds.level_deadline(nomination.round, nomination.stage_entered_at, calendar, zone)


def escalates_at(nomination: Nomination, calendar: WorkCalendar, zone: tzinfo) -> datetime:
    """When the level above hears of it: once a further time limit has run out."""
    days = 2 * nomination.round.level_days
    return working_day_deadline(nomination.stage_entered_at, days, calendar, zone)


def days_over(due: datetime, now: datetime, calendar: WorkCalendar, zone: tzinfo) -> int:
    """Working days past the last day of the time limit (0 while it runs, and on the days off
    right after it)."""
    if now < due:
        return 0
    last_day = (due.astimezone(zone) - timedelta(days=1)).date()
    return working_days_between(last_day, now.astimezone(zone).date(), calendar)


# Who reviews ----------------------------------------------------------------------------------


def _require_reviewer(user: User, nomination: Nomination, now: datetime) -> None:
    """Raise Forbidden, saying whether the level or the region is not theirs, unless the user
    reviews the nomination's current stage."""
    if reviews_stage(user, nomination, now):
        return
    stage = nomination.stage
    if stage is not Stage.city:
        kind = REVIEWER_OF_STAGE[stage]
        if any(assignment.kind is kind for assignment in assignments_of(user, now)):
            raise Forbidden(
                _l("This nomination lies outside the region you review."), code="not_your_region"
            )
    raise Forbidden(
        _l(
            "This nomination is at “%(stage)s”; the reviewer of that level acts on it, not you.",
            stage=stage.label,
        ),
        code="not_your_level",
    )


def _may_act(user: User, nomination: Nomination, now: datetime) -> bool:
    if not nomination.stage.is_review or not reviews_stage(user, nomination, now):
        return False
    try:
        require_no_conflict(user, nomination)
    except DomainError:
        return False
    return True


def _is_reviewer_of(user: User, nomination: Nomination, now: datetime) -> bool:
    """A clerk acting in the nominee's region, the city, or a panel reviewer of its round."""
    return scope_of(user, now).acts_in(nomination.region_id) or sits_on_panel(user, nomination)


# A step -------------------------------------------------------------------------------------------


def _action(value: Any) -> ReviewAction:
    if isinstance(value, ReviewAction):
        return value
    try:
        return ReviewAction(value)
    except ValueError:
        raise ValidationFailed(
            errors={"action": [str(_l("Choose forward, return or reject."))]}
        ) from None


def _ticked(checklist: Iterable[Any]) -> set[CheckItem]:
    try:
        return {item if isinstance(item, CheckItem) else CheckItem(item) for item in checklist}
    except ValueError:
        raise ValidationFailed(
            errors={"checklist": [str(_l("Tick items of the checklist only."))]}
        ) from None


def _destination(nomination: Nomination, action: ReviewAction) -> Stage:
    """Where the action takes the nomination, or Conflict where it cannot go there."""
    stage = nomination.stage
    if action is ReviewAction.forward:
        return NEXT_STAGE[stage]
    if action is ReviewAction.reject:
        return Stage.rejected
    if action is ReviewAction.send_down:
        if stage is not Stage.city or nomination.channel is not Channel.media:
            raise Conflict(
                _l("Only the city sends a media case down to the community."), code="send_down"
            )
        return Stage.community
    if stage is Stage.community and nomination.channel is not Channel.territorial:
        raise Conflict(
            _l("A lead or a media case has no level below the community: forward it or reject it."),
            code="return",
        )
    if stage is Stage.city and not _came_through_district(nomination):
        raise Conflict(
            _l(
                "This nomination came to the city without a district: reject it, or send a"
                " media case down for a local check."
            ),
            code="return",
        )
    return STAGE_BELOW[stage]


def _came_through_district(nomination: Nomination) -> bool:
    return (
        db.session.scalar(
            select(ReviewStep.id)
            .where(
                ReviewStep.nomination_id == nomination.id,
                ReviewStep.action == StepAction.forwarded,
                ReviewStep.from_stage == Stage.district,
            )
            .limit(1)
        )
        is not None
    )


def _inputs(
    stage: Stage,
    action: ReviewAction,
    opinion: str | None,
    ticked: set[CheckItem],
    declared_no_conflict: bool,
) -> None:
    """ValidationFailed naming each field a step lacks: the reason of a return, a rejection or
    a sending down; the declaration and the level's checklist of a forward."""
    errors: dict[str, list[str]] = {}
    if opinion is not None and len(opinion) > OPINION_MAX:
        errors["opinion"] = [str(_l("Enter at most %(n)d characters.", n=OPINION_MAX))]
    elif action is not ReviewAction.forward and not opinion:
        errors["opinion"] = [str(_l("Give the reason: it is kept with the step."))]
    if action is ReviewAction.forward:
        if not declared_no_conflict:
            errors["declared_no_conflict"] = [
                str(_l("Declare that you have no conflict of interest with this nomination."))
            ]
        missing = [item for item in CHECKLIST[stage] if item not in ticked]
        if missing:
            errors["checklist"] = [
                str(
                    _l(
                        "Tick the checklist before forwarding: %(items)s.",
                        items="、".join(item.label for item in missing),
                    )
                )
            ]
    if errors:
        raise ValidationFailed(errors=errors)


def review(
    user: User,
    nomination_id: int,
    action: ReviewAction | str,
    *,
    opinion: str | None = None,
    checklist: Iterable[CheckItem | str] = (),
    declared_no_conflict: bool = False,
    now: datetime,
) -> ReviewStep:
    """Take a step at the nomination's review level, as its reviewer (a clerk of that level
    whose region holds the nominee's, or the city at the city's level):

    - forward it to the level above (city → consent), declaring no conflict of interest and
      ticking the level's checklist; leaving the community needs the nominee matched to the
      register, the district and the city need every background check answered, and the
      district forwards within the round's quota for it;
    - return it to the level below with the reason (the community returns only a draft to its
      drafter; the city only what came through a district);
    - reject it with the reason;
    - send a media case down from the city to the community for a local check (with what to
      check).

    Raises NotFound (no such nomination, or one the user may not read), Conflict (not at a
    review level, nowhere to go, unmatched, checks unanswered, quota used), Forbidden (not
    their level or region, they filed it or declared a conflict), ValidationFailed."""
    nomination = get_nomination(nomination_id, lock=True)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    require_stage(nomination, *REVIEW_STAGES)
    _require_reviewer(user, nomination, now)
    require_no_conflict(user, nomination)
    action = _action(action)
    ticked = _ticked(checklist)
    opinion = (opinion or "").strip() or None
    stage = nomination.stage
    _inputs(stage, action, opinion, ticked, declared_no_conflict)
    to_stage = _destination(nomination, action)
    if action is ReviewAction.forward:
        _require_forwardable(nomination, opinion)
    return record_step(
        nomination,
        STEP_OF_ACTION[action],
        to_stage,
        user,
        now=now,
        opinion=opinion,
        checklist={item.value: item in ticked for item in CHECKLIST[stage]},
        declared_no_conflict=declared_no_conflict,
    )


def _require_forwardable(nomination: Nomination, opinion: str | None) -> None:
    stage = nomination.stage
    if stage is Stage.community and nomination.person_id is None:
        raise Conflict(
            _l("Match the nominee to the register before the nomination leaves the community."),
            code="unmatched",
        )
    if stage in (Stage.district, Stage.city):
        background.require_checks_answered(nomination, opinion)
    if stage is Stage.district:
        _take_a_place(nomination)


def quota_used(round_id: int, district_id: int) -> int:
    """How many of the round's places the district has used: the nominations it forwarded
    that are at the city or beyond, live or approved."""
    forwarded = exists().where(
        ReviewStep.nomination_id == Nomination.id,
        ReviewStep.action == StepAction.forwarded,
        ReviewStep.from_stage == Stage.district,
    )
    return db.session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.round_id == round_id,
            Nomination.district_id == district_id,
            Nomination.stage.in_(QUOTA_STAGES),
            forwarded,
        )
    )


def _take_a_place(nomination: Nomination) -> None:
    """Conflict unless the district has a place left in the round. The round's quota row of
    the district is locked first, so that two forwards at once count one after the other and
    cannot both take the last place."""
    quota = db.session.scalar(
        select(RoundQuota)
        .where(
            RoundQuota.round_id == nomination.round_id,
            RoundQuota.district_id == nomination.district_id,
        )
        .with_for_update()
    )
    district = nomination.district.label
    if quota is None:
        raise Conflict(
            _l("The round gives %(district)s no places to forward.", district=district),
            code="quota",
        )
    if quota_used(nomination.round_id, nomination.district_id) >= quota.quota:
        raise Conflict(
            _l(
                "%(district)s has forwarded all %(quota)d of its places in this round: reject"
                " or return one, or wait for a place to free.",
                district=district,
                quota=quota.quota,
            ),
            code="quota",
        )


# Conflicts of interest ------------------------------------------------------------------------


def declare_conflict(
    user: User, nomination_id: int, reason: str, *, now: datetime
) -> ConflictDeclaration:
    """Declare a conflict of interest (回避) with a live nomination, as a clerk acting in the
    nominee's region, the city, or a panel reviewer of its round: from then on the user acts
    on it no more. Raises NotFound, Forbidden (no reviewer of it), Conflict (ended, or declared
    already), ValidationFailed (no reason, or too long)."""
    nomination = get_nomination(nomination_id, lock=True)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    if not _is_reviewer_of(user, nomination, now):
        raise Forbidden(
            _l("Only the clerks who review a nomination and its panel declare conflicts.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Say what the conflict is."))]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            errors={"reason": [str(_l("Enter at most %(n)d characters.", n=REASON_MAX))]}
        )
    if not nomination.stage.is_live:
        raise Conflict(_l("This nomination has ended; there is nothing left to act on."))
    # The nomination's lock makes two declarations of one user take turns, so this suffices.
    if declared_conflict(user, nomination):
        raise Conflict(
            _l("You have declared a conflict with this nomination already."),
            code="declared_already",
        )
    declaration = ConflictDeclaration(
        nomination_id=nomination.id, user_id=user.id, reason=reason, declared_at=now
    )
    db.session.add(declaration)
    db.session.flush()
    return declaration


def own_declaration(user: User, nomination: Nomination) -> ConflictDeclaration | None:
    """The user's declared conflict with the nomination, if any."""
    return db.session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.nomination_id == nomination.id,
            ConflictDeclaration.user_id == user.id,
        )
    )


# What the nomination's page offers ------------------------------------------------------------


@dataclass(frozen=True)
class ReviewOptions:
    """What the nomination's page offers the user at its review level: the actions they may
    take (none for one who may not act), the checklist of the level, whether they may declare
    a conflict, the conflict they declared, and the level's time limit."""

    actions: list[ReviewAction]
    checklist: tuple[CheckItem, ...]
    may_declare: bool
    declaration: ConflictDeclaration | None
    due: datetime | None
    is_overdue: bool
    days_over: int


def review_options(
    user: User, nomination: Nomination, now: datetime, calendar: WorkCalendar, zone: tzinfo
) -> ReviewOptions:
    """What the user may do at the nomination's review level, for its page."""
    actions: list[ReviewAction] = []
    if _may_act(user, nomination, now):
        for action in ReviewAction:
            try:
                _destination(nomination, action)
            except Conflict:
                continue
            actions.append(action)
    declaration = own_declaration(user, nomination)
    may_declare = (
        declaration is None
        and nomination.stage.is_live
        and not filed_by(user, nomination)
        and _is_reviewer_of(user, nomination, now)
    )
    due = due_at(nomination, calendar, zone) if nomination.stage.is_review else None
    return ReviewOptions(
        actions=actions,
        checklist=CHECKLIST.get(nomination.stage, ()),
        may_declare=may_declare,
        declaration=declaration,
        due=due,
        is_overdue=due is not None and due <= now,
        days_over=days_over(due, now, calendar, zone) if due else 0,
    )


# The review queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A nomination waiting at the user's level, with its time limit: overdue once `due` has
    passed, by `days_over` working days."""

    nomination: Nomination
    due: datetime
    is_overdue: bool
    days_over: int


def _not_barred(user_id: int):
    """Conditions on Nomination: the user neither filed it nor declared a conflict with it."""
    return (
        Nomination.created_by_id != user_id,
        ~exists().where(Nominator.nomination_id == Nomination.id, Nominator.user_id == user_id),
        ~exists().where(
            ConflictDeclaration.nomination_id == Nomination.id,
            ConflictDeclaration.user_id == user_id,
        ),
    )


def list_review_queue(
    user: User,
    window: Window,
    *,
    now: datetime,
    calendar: WorkCalendar,
    zone: tzinfo,
) -> Slice[Waiting]:
    """The nominations waiting at the user's levels in their regions (the city's level for the
    city), leaving out those they filed or declared a conflict with: the earliest due first,
    so the overdue ones lead with their days over. Raises NotFound for one who is no clerk."""
    scope = scope_of(user, now)
    require_clerk(scope)
    levels = [Nomination.stage == Stage.city] if scope.is_city else []
    for assignment in assignments_of(user, now):
        stage = STAGE_OF_KIND.get(assignment.kind)
        if stage is not None and assignment.region is not None:
            levels.append(
                and_(
                    Nomination.stage == stage,
                    Nomination.region_id.in_(sorted(descendant_ids(assignment.region))),
                )
            )
    if not levels:
        return Slice([], 0)
    query = (
        select(Nomination)
        .where(or_(*levels), *_not_barred(user.id))
        .options(
            joinedload(Nomination.round),
            joinedload(Nomination.region),
            joinedload(Nomination.district),
        )
    )
    waiting = []
    for nomination in db.session.scalars(query).unique():
        due = due_at(nomination, calendar, zone)
        late = days_over(due, now, calendar, zone)
        waiting.append(Waiting(nomination, due, due <= now, late))
    waiting.sort(key=lambda item: (item.due, item.nomination.id))
    return Slice(waiting[window.first : window.first + window.size], len(waiting))


# Overdue reminders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """A nomination past its level's time limit: the clerks of the level in its region to
    remind, and, once a further time limit has passed, the clerks of the level above (the city
    above the district). `subject` names this wait (the nomination, its level and when it got
    there), so that a reminder is made once per wait and never for one that moved on."""

    nomination_id: int
    nominee_name: str
    round_name: str
    stage: Stage
    due: datetime
    subject: str
    clerk_ids: frozenset[int]
    above_ids: frozenset[int]


@dataclass(frozen=True)
class _Reviewers:
    """Who reviews where, now: user ids by level and region (a clerk's own region), and the
    city's."""

    by_level: dict[Stage, dict[int, set[int]]]
    city: set[int]

    def of(self, stage: Stage, places: set[int]) -> set[int]:
        if stage is Stage.city:
            return set(self.city)
        held = self.by_level.get(stage, {})
        return {user_id for place in places for user_id in held.get(place, ())}


def _reviewers(now: datetime) -> _Reviewers:
    live = (
        select(RoleAssignment.kind, RoleAssignment.region_id, RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            User.is_enabled.is_(True),
            RoleAssignment.kind.in_([*REVIEWER_OF_STAGE.values(), *CITY_KINDS]),
            RoleAssignment.granted_at <= now,
            or_(RoleAssignment.withdrawn_at.is_(None), RoleAssignment.withdrawn_at > now),
        )
    )
    by_level: dict[Stage, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    city = set(
        db.session.scalars(
            select(User.id).where(User.role == Role.office, User.is_enabled.is_(True))
        )
    )
    for kind, region_id, user_id in db.session.execute(live):
        if kind in CITY_KINDS:
            city.add(user_id)
        elif region_id is not None:
            by_level[STAGE_OF_KIND[kind]][region_id].add(user_id)
    return _Reviewers(by_level, city)


def _barred(nomination_ids: list[int]) -> dict[int, set[int]]:
    """Who may not act on each nomination: who filed it and who declared a conflict."""
    barred: dict[int, set[int]] = defaultdict(set)
    queries = (
        select(Nomination.id, Nomination.created_by_id).where(Nomination.id.in_(nomination_ids)),
        select(Nominator.nomination_id, Nominator.user_id).where(
            Nominator.nomination_id.in_(nomination_ids), Nominator.user_id.is_not(None)
        ),
        select(ConflictDeclaration.nomination_id, ConflictDeclaration.user_id).where(
            ConflictDeclaration.nomination_id.in_(nomination_ids)
        ),
    )
    for query in queries:
        for nomination_id, user_id in db.session.execute(query):
            barred[nomination_id].add(user_id)
    return barred


def overdue_nominations(now: datetime, calendar: WorkCalendar, zone: tzinfo) -> list[Overdue]:
    """The nominations at a review level past its time limit at `now`, each with the clerks
    to remind (those who filed it or declared a conflict left out), for the reminders."""
    # A level's time limit is a working day at least: what reached it within the last day
    # cannot be late yet.
    query = (
        select(Nomination)
        .where(
            Nomination.stage.in_(REVIEW_STAGES),
            Nomination.stage_entered_at <= now - timedelta(days=1),
        )
        .options(joinedload(Nomination.round), joinedload(Nomination.region))
        .order_by(Nomination.id)
    )
    late = [
        (nomination, due)
        for nomination in db.session.scalars(query).unique()
        if (due := due_at(nomination, calendar, zone)) <= now
    ]
    if not late:
        return []
    reviewers = _reviewers(now)
    barred = _barred([nomination.id for nomination, _ in late])
    found = []
    for nomination, due in late:
        places = {place.id for place in [*ancestors(nomination.region), nomination.region]}
        keep_out = barred[nomination.id]
        above: set[int] = set()
        upper = LEVEL_ABOVE.get(nomination.stage)
        if upper is not None and escalates_at(nomination, calendar, zone) <= now:
            above = reviewers.of(upper, places) - keep_out
        entered = int(nomination.stage_entered_at.timestamp())
        found.append(
            Overdue(
                nomination_id=nomination.id,
                nominee_name=nomination.nominee_name,
                round_name=nomination.round.name,
                stage=nomination.stage,
                due=due,
                subject=f"nomination:{nomination.id}:{nomination.stage.value}:{entered}",
                clerk_ids=frozenset(reviewers.of(nomination.stage, places) - keep_out),
                above_ids=frozenset(above),
            )
        )
    return found
