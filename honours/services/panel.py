"""The panel review (评议会): the city assigns panel reviewers to a round (accounts holding the
panel_reviewer assignment); each reviewer votes once on each nomination of the round at the
panel stage (for, against or abstain, a score of 0-100 if they give one, a comment), reading
its summary, deeds and photos but never its background checks or the nominee's whole phone
or ID number; one who filed a nomination or declared a conflict with it neither votes on it
nor counts. The city closes a nomination's review, and its tally is kept: the counts, the mean
score and who was excluded. The nomination stays at the panel stage, ready for the notice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.auth.assignments import AssignmentKind, RoleAssignment, assignments_of
from core.auth.models import User
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Slice, Window, get_or_not_found, read_slice
from core.uploads.models import Upload
from honours.models import Round
from honours.nomination_models import (
    ConflictDeclaration,
    FileKind,
    Nomination,
    NominationFile,
    Nominator,
    PanelMember,
    PanelTally,
    PanelVote,
    Stage,
    StepAction,
    Vote,
)
from honours.services.pipeline import (
    NO_SUCH_NOMINATION,
    declared_conflict,
    filed_by,
    get_nomination,
    may_read,
    record_step,
    require_no_conflict,
    require_stage,
)
from honours.services.scope import scope_of

NO_SUCH_ROUND = _l("No such round.")
NO_SUCH_MEMBER = _l("This account is not on the round's panel.")
ONLY_THE_CITY = _l("Only the city's civilization office runs the panel.")
COMMENT_MAX = 500
SCORE_MIN, SCORE_MAX = 0, 100


def _holds_reviewer_role(user: User, now: datetime) -> bool:
    return user.is_enabled and any(
        a.kind is AssignmentKind.panel_reviewer for a in assignments_of(user, now)
    )


def is_reviewer(user: User, round_id: int, now: datetime) -> bool:
    """Whether the user sits on the round's panel now: assigned to it, and still holding the
    panel reviewer's role (the office may have withdrawn it since)."""
    assigned = db.session.scalar(
        select(PanelMember.id).where(
            PanelMember.round_id == round_id, PanelMember.user_id == user.id
        )
    )
    return assigned is not None and _holds_reviewer_role(user, now)


def list_my_panels(user: User, *, now: datetime) -> list[Round]:
    """The rounds on whose panel the user sits now, the latest first (none once the office
    withdrew their reviewer's role)."""
    if not _holds_reviewer_role(user, now):
        return []
    return list(
        db.session.scalars(
            select(Round)
            .join(PanelMember, PanelMember.round_id == Round.id)
            .where(PanelMember.user_id == user.id)
            .order_by(Round.opens_on.desc(), Round.id.desc())
        )
    )


# Members ------------------------------------------------------------------------------------------


def _require_city(user: User, now: datetime) -> None:
    """Forbidden for a clerk or a panel reviewer who is not the city; NotFound for anyone
    else, to whom the rounds are not known."""
    scope = scope_of(user, now)
    if scope.is_city:
        return
    if scope.is_clerk or _holds_reviewer_role(user, now):
        raise Forbidden(ONLY_THE_CITY)
    raise NotFound(NO_SUCH_ROUND)


def _round_for_city(user: User, round_id: int, now: datetime) -> Round:
    _require_city(user, now)
    return get_or_not_found(Round, round_id, NO_SUCH_ROUND)


def list_members(user: User, round_id: int, *, now: datetime) -> list[PanelMember]:
    """The round's panel reviewers in the order they were assigned (the city). Raises
    NotFound, Forbidden."""
    _round_for_city(user, round_id, now)
    return list(
        db.session.scalars(
            select(PanelMember)
            .where(PanelMember.round_id == round_id)
            .options(selectinload(PanelMember.user))
            .order_by(PanelMember.assigned_at, PanelMember.id)
        )
    )


def reviewer_choices(user: User, round_id: int, *, now: datetime) -> list[User]:
    """The accounts the city may put on the round's panel: holding the panel reviewer's role
    now, enabled, and not on it yet. Raises NotFound, Forbidden."""
    _round_for_city(user, round_id, now)
    on_panel = select(PanelMember.user_id).where(PanelMember.round_id == round_id)
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.kind == AssignmentKind.panel_reviewer,
                RoleAssignment.granted_at <= now,
                or_(RoleAssignment.withdrawn_at.is_(None), RoleAssignment.withdrawn_at > now),
                User.id.not_in(on_panel),
            )
            .order_by(User.display_name, User.id)
        ).unique()
    )


def assign_member(user: User, round_id: int, member_id: Any, *, now: datetime) -> PanelMember:
    """Put an account holding the panel reviewer's role on the round's panel (the city).
    Raises NotFound (no such round), Forbidden, ValidationFailed (`user_id`: no such account,
    or one that is no panel reviewer), Conflict (on the panel already)."""
    round_ = _round_for_city(user, round_id, now)
    member = db.session.get(User, member_id) if isinstance(member_id, int) else None
    if member is None or not _holds_reviewer_role(member, now):
        message = _l("Choose an account holding the panel reviewer's role (the office gives it).")
        raise ValidationFailed(message, errors={"user_id": [str(message)]})
    row = PanelMember(
        round_id=round_.id, user_id=member.id, assigned_by_id=user.id, assigned_at=now
    )
    try:
        # The unique constraint decides, also between two assignments at once.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Conflict(
            _l("%(name)s is on the round's panel already.", name=member.display_name),
            code="member_already",
        ) from None
    return row


def remove_member(user: User, round_id: int, member_id: int, *, now: datetime) -> PanelMember:
    """Take a reviewer off the round's panel (the city): they vote no more on its nominations.
    The votes they cast stay, as every vote does. Raises NotFound (no such round, or not on its
    panel), Forbidden."""
    _round_for_city(user, round_id, now)
    row = db.session.scalar(
        select(PanelMember)
        .where(PanelMember.round_id == round_id, PanelMember.user_id == member_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound(NO_SUCH_MEMBER)
    db.session.delete(row)
    db.session.flush()
    return row


# The ballot ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotEntry:
    """One nomination as the panel reads it: what the nominee did (summary, deeds, photos),
    never the background checks or the whole phone and ID number. For the reviewer asking:
    their vote and, if they may not vote on it, why (`barred`: they filed it or declared a
    conflict). For the city: how many votes are in. The tally once the review is closed."""

    nomination: Nomination
    photos: list[Upload]
    my_vote: PanelVote | None
    barred: str | None
    votes_cast: int | None
    tally: PanelTally | None

    is_reviewer: bool

    @property
    def may_vote(self) -> bool:
        return (
            self.is_reviewer
            and self.my_vote is None
            and self.barred is None
            and self.tally is None
            and self.nomination.stage is Stage.panel
        )


@dataclass(frozen=True)
class Panel:
    """A round's panel as one user sees it: the city runs it, a reviewer votes."""

    round: Round
    is_city: bool
    is_reviewer: bool


FILED_IT = _l("You put this nomination forward, so you do not vote on it.")
CONFLICTED = _l("You declared a conflict of interest with this nomination.")


def get_panel(user: User, round_id: int, *, now: datetime) -> Panel:
    """The round's panel for the city or one of its reviewers. Raises NotFound (no such round,
    or one who is neither and no clerk), Forbidden (a clerk of a region)."""
    scope = scope_of(user, now)
    reviewer = is_reviewer(user, round_id, now)
    if not (scope.is_city or reviewer):
        if scope.is_clerk:
            raise Forbidden(_l("The panel's work is for the city and the round's reviewers."))
        raise NotFound(NO_SUCH_ROUND)
    round_ = get_or_not_found(Round, round_id, NO_SUCH_ROUND)
    return Panel(round=round_, is_city=scope.is_city, is_reviewer=reviewer)


def _photos(nomination: Nomination) -> list[Upload]:
    lives = [f.upload for f in nomination.files if f.kind is FileKind.life_photo]
    return [nomination.id_photo, *lives] if nomination.id_photo is not None else lives


def _entries(
    user: User, nominations: list[Nomination], *, as_city: bool, as_reviewer: bool
) -> list[BallotEntry]:
    """The entries of `nominations` in a fixed number of statements, whatever their number."""
    ids = [n.id for n in nominations]
    if not ids:
        return []
    mine = {
        v.nomination_id: v
        for v in db.session.scalars(
            select(PanelVote).where(
                PanelVote.nomination_id.in_(ids), PanelVote.reviewer_id == user.id
            )
        )
    }
    conflicted = set(
        db.session.scalars(
            select(ConflictDeclaration.nomination_id).where(
                ConflictDeclaration.nomination_id.in_(ids), ConflictDeclaration.user_id == user.id
            )
        )
    )
    nominated = set(
        db.session.scalars(
            select(Nominator.nomination_id).where(
                Nominator.nomination_id.in_(ids), Nominator.user_id == user.id
            )
        )
    )
    tallies = {
        t.nomination_id: t
        for t in db.session.scalars(select(PanelTally).where(PanelTally.nomination_id.in_(ids)))
    }
    counts: dict[int, int] = {}
    if as_city:
        counts = dict(
            db.session.execute(
                select(PanelVote.nomination_id, func.count(PanelVote.id))
                .where(PanelVote.nomination_id.in_(ids))
                .group_by(PanelVote.nomination_id)
            ).all()
        )
    entries = []
    for nomination in nominations:
        barred = None
        if nomination.created_by_id == user.id or nomination.id in nominated:
            barred = str(FILED_IT)
        elif nomination.id in conflicted:
            barred = str(CONFLICTED)
        entries.append(
            BallotEntry(
                nomination=nomination,
                photos=_photos(nomination),
                my_vote=mine.get(nomination.id),
                barred=barred if as_reviewer else None,
                votes_cast=counts.get(nomination.id, 0) if as_city else None,
                tally=tallies.get(nomination.id),
                is_reviewer=as_reviewer,
            )
        )
    return entries


def _with_what_the_panel_reads(query):
    return query.options(
        selectinload(Nomination.id_photo),
        selectinload(Nomination.files).selectinload(NominationFile.upload),
        selectinload(Nomination.region),
        selectinload(Nomination.district),
    )


def list_ballot(user: User, round_id: int, window: Window, *, now: datetime) -> Slice[BallotEntry]:
    """The round's nominations at the panel stage, oldest arrival first, as the panel reads
    them (see BallotEntry): for a reviewer with their vote, for the city with the votes cast.
    Raises NotFound, Forbidden (see get_panel)."""
    panel = get_panel(user, round_id, now=now)
    query = _with_what_the_panel_reads(
        select(Nomination)
        .where(Nomination.round_id == round_id, Nomination.stage == Stage.panel)
        .order_by(Nomination.stage_entered_at, Nomination.id)
    )
    found = read_slice(query, window)
    entries = _entries(user, found.items, as_city=panel.is_city, as_reviewer=panel.is_reviewer)
    return Slice(entries, found.total)


def ballot_entry(user: User, nomination: Nomination, now: datetime) -> BallotEntry | None:
    """The nomination's panel section for its page: the entry for the city or a reviewer of
    its round while it is at the panel stage, else None (nothing for them there)."""
    if nomination.stage is not Stage.panel:
        return None
    as_city = scope_of(user, now).is_city
    as_reviewer = is_reviewer(user, nomination.round_id, now)
    if not (as_city or as_reviewer):
        return None
    return _entries(user, [nomination], as_city=as_city, as_reviewer=as_reviewer)[0]


def get_ballot(user: User, nomination_id: int, *, now: datetime) -> BallotEntry:
    """One nomination on the panel as the city or a reviewer of its round reads it. Raises
    NotFound (one who may not read it, or not at the panel stage), Forbidden (a reader who is
    neither the city nor a reviewer of its round)."""
    nomination = get_nomination(nomination_id)
    if not may_read(user, nomination, now) or nomination.stage is not Stage.panel:
        raise NotFound(NO_SUCH_NOMINATION)
    entry = ballot_entry(user, nomination, now)
    if entry is None:
        raise Forbidden(_l("The panel's work is for the city and the round's reviewers."))
    return entry


# Votes --------------------------------------------------------------------------------------------


def _tally_of(nomination: Nomination) -> PanelTally | None:
    return db.session.scalar(select(PanelTally).where(PanelTally.nomination_id == nomination.id))


def _vote_fields(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    vote = values.get("vote")
    if not isinstance(vote, Vote):
        try:
            vote = Vote(vote)
        except ValueError:
            errors["vote"] = [str(_l("Vote for, against, or abstain."))]
    score = values.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX
    ):
        errors["score"] = [
            str(_l("Enter a score from %(low)d to %(high)d.", low=SCORE_MIN, high=SCORE_MAX))
        ]
    comment = (values.get("comment") or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [str(_l("Enter at most %(n)d characters.", n=COMMENT_MAX))]
    if errors:
        raise ValidationFailed(errors=errors)
    return {"vote": vote, "score": score, "comment": comment or None}


def cast_vote(
    user: User, nomination_id: int, values: dict[str, Any], *, now: datetime
) -> PanelVote:
    """A reviewer of the round votes on a nomination at the panel stage: `vote` (approve,
    reject, abstain), `score` (0-100, optional), `comment` (optional). Once: a vote is never
    changed, and a second one is refused, also when two arrive at once.

    Raises NotFound (one who may not read it), Conflict (not at the panel stage, its review
    closed, voted already), Forbidden (no reviewer of its round; one who filed it or declared a
    conflict), ValidationFailed."""
    nomination = get_nomination(nomination_id, lock=True)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    require_stage(nomination, Stage.panel)
    if _tally_of(nomination) is not None:
        raise Conflict(_l("The panel's review of this nomination is closed."), code="tallied")
    if not is_reviewer(user, nomination.round_id, now):
        raise Forbidden(_l("Only the reviewers on the round's panel vote."))
    require_no_conflict(user, nomination)
    vote = PanelVote(
        nomination_id=nomination.id, reviewer_id=user.id, voted_at=now, **_vote_fields(values)
    )
    try:
        # The unique constraint decides, also for two votes sent at once.
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError:
        raise Conflict(
            _l("You have voted on this nomination already; a vote is not changed."),
            code="voted_already",
        ) from None
    return vote


# The tally ----------------------------------------------------------------------------------------


def excluded_users(nomination: Nomination, voter_ids: set[int]) -> list[int]:
    """Who does not count on the nomination's panel: the round's reviewers and those who voted
    on it, if they filed it or declared a conflict with it (a conflict declared after voting
    strikes the vote out too). Sorted ids."""
    members = set(
        db.session.scalars(
            select(PanelMember.user_id).where(PanelMember.round_id == nomination.round_id)
        )
    )
    candidates = members | voter_ids
    if not candidates:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(candidates)))
    return sorted(
        u.id for u in users if filed_by(u, nomination) or declared_conflict(u, nomination)
    )


def close_review(user: User, nomination_id: int, *, now: datetime) -> PanelTally:
    """Close the panel's review of a nomination (the city) and keep its tally: votes for,
    against and abstaining, the mean of the scores given, and the ids of the members excluded
    (they filed it or declared a conflict; their votes do not count). The nomination stays at
    the panel stage with a panel_closed step, ready for the notice.

    Raises NotFound (not readable), Forbidden (not the city), Conflict (not at the panel
    stage, closed already, no vote that counts)."""
    nomination = get_nomination(nomination_id, lock=True)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    if not scope_of(user, now).is_city:
        raise Forbidden(ONLY_THE_CITY)
    require_stage(nomination, Stage.panel)
    if _tally_of(nomination) is not None:
        raise Conflict(
            _l("The panel's review of this nomination is closed already."), code="tallied"
        )
    votes = list(
        db.session.scalars(select(PanelVote).where(PanelVote.nomination_id == nomination.id))
    )
    excluded = excluded_users(nomination, {v.reviewer_id for v in votes})
    counted = [v for v in votes if v.reviewer_id not in excluded]
    if not counted:
        raise Conflict(
            _l("No panel reviewer's vote on this nomination counts yet."), code="no_votes"
        )
    by_vote = Counter(v.vote for v in counted)
    scores = [v.score for v in counted if v.score is not None]
    tally = PanelTally(
        nomination_id=nomination.id,
        votes_for=by_vote[Vote.approve],
        votes_against=by_vote[Vote.reject],
        abstentions=by_vote[Vote.abstain],
        mean_score=sum(scores) / len(scores) if scores else None,
        excluded_user_ids=excluded,
        closed_by_id=user.id,
        closed_at=now,
    )
    db.session.add(tally)
    record_step(
        nomination,
        StepAction.panel_closed,
        Stage.panel,
        user,
        now=now,
        opinion=str(
            _l(
                "For %(approve)d, against %(reject)d, abstaining %(abstain)d.",
                approve=tally.votes_for,
                reject=tally.votes_against,
                abstain=tally.abstentions,
            )
        ),
    )
    return tally


def get_tally(user: User, nomination_id: int, *, now: datetime) -> PanelTally:
    """The tally of a nomination's closed panel review, for the city and the reviewers of its
    round. Raises NotFound (not readable, or not tallied), Forbidden."""
    nomination = get_nomination(nomination_id)
    if not may_read(user, nomination, now):
        raise NotFound(NO_SUCH_NOMINATION)
    if not scope_of(user, now).is_city and not is_reviewer(user, nomination.round_id, now):
        raise Forbidden(_l("The panel's work is for the city and the round's reviewers."))
    tally = _tally_of(nomination)
    if tally is None:
        raise NotFound(_l("The panel's review of this nomination is not closed yet."))
    return tally


def list_tallies(user: User, round_id: int, window: Window, *, now: datetime) -> Slice[PanelTally]:
    """The tallies of the round's nominations, the latest closed first, for the city and the
    round's reviewers. Raises NotFound, Forbidden (see get_panel)."""
    get_panel(user, round_id, now=now)
    query = (
        select(PanelTally)
        .join(Nomination, Nomination.id == PanelTally.nomination_id)
        .where(Nomination.round_id == round_id)
        .order_by(PanelTally.closed_at.desc(), PanelTally.id.desc())
    )
    return read_slice(query, window)
