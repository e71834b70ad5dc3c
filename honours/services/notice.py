"""The public notice (公示) of a round: the city opens it with the nominations whose panel
review is closed, putting forward those it chooses (the others are rejected with the panel's
reason); the public page shows the entries whose consent holds; anyone signed in with a
verified phone objects under their real name or likes an entry (once a day) while the notice
runs; the nominee's district, or the city, answers each objection within 10 working days, an
upheld one taking that entry off; bursts of likes from new accounts are flagged for the office.

Objections are never public: the objector, the nominee's district and the city read them.
Likes are advice to the panel and the office, never the decision."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from core.auth.assignments import AssignmentKind, assignments_of
from core.auth.models import User
from core.clock import local_day
from core.districts import District
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.regions import Region, RegionLevel
from core.rows import Slice, Window, get_or_not_found, read_slice
from core.settings import NoticeSettings
from core.uploads.models import Upload
from core.workdays import add_working_days, load_calendar
from honours.models import HonourCategory, Round
from honours.nomination_models import (
    FileKind,
    Nomination,
    NominationLike,
    Objection,
    ObjectionOutcome,
    PanelTally,
    ReviewStep,
    RoundNotice,
    Stage,
    StepAction,
)
from honours.services.pipeline import consent_holds, record_step, require_no_conflict
from honours.services.scope import require_city, scope_of

# The opinion kept on the step of a tallied nomination the city left off the notice. Stored,
# as clerks' opinions are, not translated.
NOT_PUT_FORWARD = "经评议会评议，未列入公示"
# HONOURS.md: an objection is investigated and answered within 10 working days.
OBJECTION_WORKING_DAYS = 10
TEXT_MAX = 2000
# How long after it closed a notice is still listed on the public page of notices.
RECENT_DAYS = 30

NO_SUCH_ROUND = _l("No such round.")
NO_SUCH_NOTICE = _l("There is no such public notice.")
NO_SUCH_ENTRY = _l("There is no such entry on a public notice.")
NO_SUCH_OBJECTION = _l("No such objection.")
CITY_ONLY = _l("Only the city's civilization office opens a round's notice.")


# Opening the notice ---------------------------------------------------------------------------


def find_notice(round_id: int) -> RoundNotice | None:
    """The round's notice, or None while it has not been opened."""
    return db.session.scalar(select(RoundNotice).where(RoundNotice.round_id == round_id))


def _tallied(round_id: int, *, lock: bool = False) -> list[Nomination]:
    """The round's nominations at the panel whose review the city closed (a PanelTally)."""
    query = (
        select(Nomination)
        .join(PanelTally, PanelTally.nomination_id == Nomination.id)
        .where(Nomination.round_id == round_id, Nomination.stage == Stage.panel)
        .order_by(Nomination.id)
    )
    if lock:
        query = query.with_for_update(of=Nomination)
    return list(db.session.scalars(query))


def open_notice(
    user: User, round_id: int, nomination_ids: Iterable[int], *, now: datetime
) -> RoundNotice:
    """Open the round's public notice (the city), once: the chosen nominations, each at the
    panel with its review closed, go on notice (Stage.notice); the round's other tallied
    nominations are rejected with the opinion that the panel did not put them forward. The
    notice runs from `now` for the round's `notice_days` days. No one who filed one of them or
    declared a conflict with it decides this.

    Raises NotFound (no such round; not a clerk), Forbidden (not the city; barred by a
    conflict), Conflict (opened already), ValidationFailed (`nomination_ids`: none chosen, or
    one that is not a tallied nomination of the round)."""
    require_city(scope_of(user, now), CITY_ONLY)
    # The round's row is the lock two openings at once take turns on.
    round_ = get_or_not_found(Round, round_id, NO_SUCH_ROUND, lock=True)
    if find_notice(round_.id) is not None:
        raise Conflict(_l("This round's notice has been opened already."), code="notice_opened")
    chosen = set(nomination_ids)
    tallied = _tallied(round_.id, lock=True)
    strays = sorted(chosen - {n.id for n in tallied})
    if not chosen:
        message = _l("Choose the nominations the notice shows.")
        raise ValidationFailed(errors={"nomination_ids": [str(message)]})
    if strays:
        message = _l(
            "Only the round's nominations whose panel review is closed go on notice; not "
            "these: %(ids)s.",
            ids=", ".join(map(str, strays)),
        )
        raise ValidationFailed(errors={"nomination_ids": [str(message)]})
    for nomination in tallied:
        require_no_conflict(user, nomination)
    for nomination in tallied:
        if nomination.id in chosen:
            record_step(nomination, StepAction.notice_opened, Stage.notice, user, now=now)
        else:
            record_step(
                nomination,
                StepAction.rejected,
                Stage.rejected,
                user,
                now=now,
                opinion=NOT_PUT_FORWARD,
            )
    notice = RoundNotice(
        round_id=round_.id,
        opens_at=now,
        closes_at=now + timedelta(days=round_.notice_days),
        opened_by_id=user.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        # The round's lock makes this a second line only: the unique round holds it too.
        raise Conflict(
            _l("This round's notice has been opened already."), code="notice_opened"
        ) from None
    return notice


# What the public sees -------------------------------------------------------------------------


def _shown_at(now: datetime):
    """The condition a Nomination row meets while it is on the public page of its round's
    notice: at the notice stage, its consent holding, the notice opened by `now`. A withdrawn
    consent or an upheld objection takes it off at once."""
    # An alias of its own, so that the condition may sit in a query of notices too.
    own = aliased(RoundNotice)
    opened = exists().where(own.round_id == Nomination.round_id, own.opens_at <= now)
    return and_(Nomination.stage == Stage.notice, consent_holds(), opened)


@dataclass(frozen=True)
class PublicEntry:
    """An entry of a notice as the public sees it: nothing here is sensitive. The deeds are
    the text approved for publication; the place goes down to the street or town only."""

    nomination_id: int
    round_id: int
    name: str
    district: District
    town: Region | None
    category: HonourCategory
    summary: str
    deeds: str
    has_photo: bool
    likes: int

    @property
    def initial(self) -> str:
        return self.name[:1]


@dataclass(frozen=True)
class PublicNotice:
    """A round's notice as the public sees it: its period and, for its page, its entries."""

    round_id: int
    name: str
    opens_at: datetime
    closes_at: datetime
    is_running: bool
    entry_count: int
    entries: list[PublicEntry]


def _is_running(notice: RoundNotice, now: datetime) -> bool:
    return notice.opens_at <= now < notice.closes_at


def _photo_id(nomination: Nomination) -> int | None:
    """The photo an entry is shown with: the ID photo, else the first life photo."""
    if nomination.id_photo_upload_id is not None:
        return nomination.id_photo_upload_id
    lives = [f for f in nomination.files if f.kind is FileKind.life_photo]
    return lives[0].upload_id if lives else None


def _town(region: Region) -> Region | None:
    if region.level is RegionLevel.town:
        return region
    if region.level is RegionLevel.community:
        return region.parent
    return None


def likes_of(nomination_ids: Iterable[int]) -> dict[int, int]:
    """How many likes each nomination has had (ids without a like are left out)."""
    ids = list(nomination_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(NominationLike.nomination_id, func.count())
        .where(NominationLike.nomination_id.in_(ids))
        .group_by(NominationLike.nomination_id)
    )
    return {nomination_id: count for nomination_id, count in rows}


PUBLIC_LOADED = (
    selectinload(Nomination.person),
    selectinload(Nomination.region).selectinload(Region.parent),
    selectinload(Nomination.district),
    selectinload(Nomination.files),
)


def _public_entries(*where, now: datetime) -> list[PublicEntry]:
    nominations = list(
        db.session.scalars(
            select(Nomination)
            .where(*where, _shown_at(now))
            .options(*PUBLIC_LOADED)
            .order_by(Nomination.district_id, Nomination.id)
        )
    )
    likes = likes_of(n.id for n in nominations)
    return [
        PublicEntry(
            nomination_id=n.id,
            round_id=n.round_id,
            # Past the community every nomination is matched to the register's record.
            name=n.person.name if n.person is not None else n.nominee_name,
            district=n.district,
            town=_town(n.region),
            category=n.category,
            summary=n.summary,
            deeds=n.deeds,
            has_photo=_photo_id(n) is not None,
            likes=likes.get(n.id, 0),
        )
        for n in nominations
    ]


def list_public_notices(now: datetime) -> list[PublicNotice]:
    """The notices open now and those closed within RECENT_DAYS, the latest first, each with
    how many entries it shows (not the entries). For everyone."""
    notices = list(
        db.session.scalars(
            select(RoundNotice)
            .where(
                RoundNotice.opens_at <= now,
                RoundNotice.closes_at > now - timedelta(days=RECENT_DAYS),
            )
            .options(selectinload(RoundNotice.round))
            .order_by(RoundNotice.opens_at.desc(), RoundNotice.id.desc())
        )
    )
    counts = dict(
        db.session.execute(
            select(Nomination.round_id, func.count())
            .where(Nomination.round_id.in_([n.round_id for n in notices]), _shown_at(now))
            .group_by(Nomination.round_id)
        ).all()
    )
    return [
        PublicNotice(
            round_id=n.round_id,
            name=n.round.name,
            opens_at=n.opens_at,
            closes_at=n.closes_at,
            is_running=_is_running(n, now),
            entry_count=counts.get(n.round_id, 0),
            entries=[],
        )
        for n in notices
    ]


def get_public_notice(round_id: int, now: datetime) -> PublicNotice:
    """A round's notice with the entries it shows now, for everyone. Raises NotFound when the
    round has no notice opened by `now`."""
    notice = find_notice(round_id)
    if notice is None or notice.opens_at > now:
        raise NotFound(NO_SUCH_NOTICE)
    entries = _public_entries(Nomination.round_id == round_id, now=now)
    return PublicNotice(
        round_id=notice.round_id,
        name=notice.round.name,
        opens_at=notice.opens_at,
        closes_at=notice.closes_at,
        is_running=_is_running(notice, now),
        entry_count=len(entries),
        entries=entries,
    )


def get_public_entry(nomination_id: int, now: datetime) -> PublicEntry:
    """One entry as the public page shows it. Raises NotFound unless the page shows it."""
    found = _public_entries(Nomination.id == nomination_id, now=now)
    if not found:
        raise NotFound(NO_SUCH_ENTRY)
    return found[0]


def get_public_photo(round_id: int, nomination_id: int, now: datetime) -> Upload:
    """The photo of an entry while the public page shows the entry (so that it is public no
    longer than the entry is). Raises NotFound otherwise, or when it has no photo."""
    nomination = db.session.scalar(
        select(Nomination)
        .where(Nomination.id == nomination_id, Nomination.round_id == round_id, _shown_at(now))
        .options(selectinload(Nomination.files))
    )
    upload_id = _photo_id(nomination) if nomination is not None else None
    if upload_id is None:
        raise NotFound()
    return db.session.get(Upload, upload_id)


def _entry_during_notice(nomination_id: int, now: datetime) -> Nomination:
    """The nomination if the public page shows it and its notice is running. Raises NotFound
    (not an entry of a notice) or Conflict (the notice has closed)."""
    found = db.session.execute(
        select(Nomination, RoundNotice)
        .join(RoundNotice, RoundNotice.round_id == Nomination.round_id)
        .where(Nomination.id == nomination_id, _shown_at(now))
    ).first()
    if found is None:
        raise NotFound(NO_SUCH_ENTRY)
    nomination, notice = found
    if not _is_running(notice, now):
        raise Conflict(
            _l(
                "This notice closed on %(day)s: objections and likes are taken only while a "
                "notice runs.",
                day=local_day(notice.closes_at).isoformat(),
            ),
            code="notice_closed",
        )
    return nomination


def _require_verified_phone(user: User) -> None:
    # Objections are real-name and likes one per person: both rest on a proved number.
    if user.phone_verified_at is None:
        raise Conflict(
            _l(
                "Objections and likes need a mobile number verified by SMS code: sign in "
                "once with a code sent to your number, then try again."
            ),
            code="phone_not_verified",
        )


# Likes (文明我集赞 / 网友点赞评议) ---------------------------------------------------------------


@dataclass(frozen=True)
class LikeResult:
    """What a like did: `counted` is False when the account had liked the entry that day
    already (the like stands once), `likes` the entry's likes since."""

    nomination_id: int
    likes: int
    counted: bool


def like(user: User, nomination_id: int, *, now: datetime) -> LikeResult:
    """Like an entry of a running notice, once per account per entry per local day; the same
    like again that day (also sent many times at once) counts once and is answered as liked
    already.

    Raises Conflict (no verified phone; the notice closed), NotFound (not an entry on a
    notice)."""
    _require_verified_phone(user)
    nomination = _entry_during_notice(nomination_id, now)
    counted = True
    try:
        with db.session.begin_nested():
            db.session.add(
                NominationLike(
                    nomination_id=nomination.id,
                    user_id=user.id,
                    day=local_day(now),
                    created_at=now,
                )
            )
    except IntegrityError:
        # The unique (entry, account, day) holds it, also against a twin still in flight.
        counted = False
    return LikeResult(nomination.id, likes_of([nomination.id]).get(nomination.id, 0), counted)


@dataclass(frozen=True)
class Burst:
    """The most likes an entry had within one window from new accounts, and when it began."""

    likes: int
    starts_at: datetime


def find_bursts(
    nomination_ids: Iterable[int], opened_at: datetime, settings: NoticeSettings
) -> dict[int, Burst]:
    """The entries that had more than `settings.burst_likes` likes within one
    `burst_window` from accounts younger than `burst_account_age` when they liked, with the
    busiest such window of each. Likes come during a notice, so accounts made well before it
    opened (`opened_at`) are left out in SQL."""
    ids = list(nomination_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(NominationLike.nomination_id, NominationLike.created_at, User.created_at)
        .join(User, User.id == NominationLike.user_id)
        .where(
            NominationLike.nomination_id.in_(ids),
            User.created_at > opened_at - settings.burst_account_age,
        )
        .order_by(NominationLike.nomination_id, NominationLike.created_at)
    )
    new: dict[int, list[datetime]] = {}
    for nomination_id, liked_at, account_made_at in rows:
        if liked_at - account_made_at < settings.burst_account_age:
            new.setdefault(nomination_id, []).append(liked_at)
    bursts = {}
    for nomination_id, times in new.items():
        best, start, first = 0, times[0], 0
        for last, moment in enumerate(times):
            while moment - times[first] >= settings.burst_window:
                first += 1
            if last - first + 1 > best:
                best, start = last - first + 1, times[first]
        if best > settings.burst_likes:
            bursts[nomination_id] = Burst(best, start)
    return bursts


# Objections (异议) ----------------------------------------------------------------------------


def file_objection(
    user: User, nomination_id: int, text: str, *, is_name_confirmed: bool, now: datetime
) -> Objection:
    """File a real-name objection to an entry of a running notice: the objector's name
    (their account's, which they confirm) and verified number are kept with it; it is
    assigned to the nominee's district and due within OBJECTION_WORKING_DAYS working days of
    today (core.workdays).

    Raises Conflict (no verified phone; the notice closed), NotFound (not an entry on a
    notice), ValidationFailed (`text` empty or too long, `is_name_confirmed` not given)."""
    _require_verified_phone(user)
    nomination = _entry_during_notice(nomination_id, now)
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [str(_l("Say what you object to, and why."))]
    elif len(text) > TEXT_MAX:
        errors["text"] = [str(_l("Enter at most %(n)d characters.", n=TEXT_MAX))]
    if not is_name_confirmed:
        errors["is_name_confirmed"] = [
            str(
                _l(
                    "An objection is filed under your real name: confirm that you are %(name)s.",
                    name=user.display_name,
                )
            )
        ]
    if errors:
        raise ValidationFailed(errors=errors)
    objection = Objection(
        nomination_id=nomination.id,
        user_id=user.id,
        name=user.display_name,
        phone=user.phone,
        text=text,
        district_id=nomination.district_id,
        filed_at=now,
        due_on=add_working_days(local_day(now), OBJECTION_WORKING_DAYS, load_calendar()),
    )
    db.session.add(objection)
    db.session.flush()
    return objection


def _answered_districts(user: User, now: datetime) -> set[int] | None:
    """The districts whose objections the user answers: None for the city (all of them),
    else those the user is a district clerk of (maybe none)."""
    if scope_of(user, now).is_city:
        return None
    return {
        a.region.district_id
        for a in assignments_of(user, now)
        if a.kind is AssignmentKind.district_clerk
        and a.region is not None
        and a.region.district_id is not None
    }


def answers(user: User, objection: Objection, now: datetime) -> bool:
    """Whether the user answers the objection: the city, or a clerk of its district."""
    districts = _answered_districts(user, now)
    return districts is None or objection.district_id in districts


def is_overdue(objection: Objection, now: datetime) -> bool:
    """An objection unanswered after its last working day."""
    return objection.outcome is None and local_day(now) > objection.due_on


OBJECTION_LOADED = (
    selectinload(Objection.nomination).selectinload(Nomination.round),
    selectinload(Objection.nomination).selectinload(Nomination.person),
    selectinload(Objection.nomination).selectinload(Nomination.district),
)


def get_objection(user: User, objection_id: int, now: datetime) -> Objection:
    """The objection for its objector, a clerk of its district or the city. Raises NotFound
    for anyone else: an objection is never public."""
    objection = db.session.get(Objection, objection_id, options=OBJECTION_LOADED)
    if objection is None or not (objection.user_id == user.id or answers(user, objection, now)):
        raise NotFound(NO_SUCH_OBJECTION)
    return objection


def answer_objection(
    user: User, objection_id: int, outcome: Any, answer: str, *, now: datetime
) -> Objection:
    """Answer an objection (a clerk of its district, or the city), once: upheld takes the
    entry off the notice (Stage.rejected, kept as an objection_upheld step with the answer as
    its opinion) if it is still on it; dismissed leaves it there. The answer may come after
    the notice closed.

    Raises NotFound (not the objector's, the district's or the city's), Forbidden (the
    objector; one who filed the nomination or declared a conflict with it), Conflict
    (answered already), ValidationFailed (`outcome`, `answer`)."""
    objection = get_objection(user, objection_id, now)
    if not answers(user, objection, now):
        raise Forbidden(_l("The nominee's district or the city answers an objection."))
    errors: dict[str, list[str]] = {}
    if not isinstance(outcome, ObjectionOutcome):
        try:
            outcome = ObjectionOutcome(outcome)
        except ValueError:
            errors["outcome"] = [str(_l("Choose upheld or dismissed."))]
    answer = (answer or "").strip()
    if not answer:
        errors["answer"] = [str(_l("Write the answer the objector will read."))]
    elif len(answer) > TEXT_MAX:
        errors["answer"] = [str(_l("Enter at most %(n)d characters.", n=TEXT_MAX))]
    if errors:
        raise ValidationFailed(errors=errors)
    # Locked, the objection first and then its nomination, so that two answers at once take
    # turns and two objections upheld at once take the entry off once.
    objection = get_or_not_found(Objection, objection.id, NO_SUCH_OBJECTION, lock=True)
    if objection.outcome is not None:
        raise Conflict(_l("This objection has been answered already."), code="answered")
    nomination = get_or_not_found(Nomination, objection.nomination_id, lock=True)
    require_no_conflict(user, nomination)
    objection.outcome, objection.answer = outcome, answer
    objection.answered_by_id, objection.answered_at = user.id, now
    if outcome is ObjectionOutcome.upheld and nomination.stage is Stage.notice:
        record_step(
            nomination, StepAction.objection_upheld, Stage.rejected, user, now=now, opinion=answer
        )
    db.session.flush()
    return objection


def list_my_objections(user: User, window: Window) -> Slice[Objection]:
    """The objections the user filed, the latest first, with their answers."""
    query = (
        select(Objection)
        .where(Objection.user_id == user.id)
        .options(*OBJECTION_LOADED)
        .order_by(Objection.filed_at.desc(), Objection.id.desc())
    )
    return read_slice(query, window)


def list_objections(
    user: User,
    window: Window,
    *,
    now: datetime,
    round_id: int | None = None,
    is_answered: bool | None = None,
) -> Slice[Objection]:
    """The objections the user answers (their districts', or all for the city; none for a
    clerk below a district), those unanswered first by due date; narrowed to a round and to
    answered or not.

    Raises NotFound (no clerk)."""
    scope = scope_of(user, now)
    if not scope.is_clerk:
        raise NotFound(NO_SUCH_OBJECTION)
    districts = _answered_districts(user, now)
    query = select(Objection)
    if districts is not None:
        query = query.where(Objection.district_id.in_(districts))
    if round_id is not None:
        query = query.where(
            Objection.nomination_id.in_(
                select(Nomination.id).where(Nomination.round_id == round_id)
            )
        )
    if is_answered is not None:
        answered = Objection.outcome.is_not(None)
        query = query.where(answered if is_answered else ~answered)
    count = query
    query = query.options(*OBJECTION_LOADED).order_by(
        Objection.outcome.is_not(None), Objection.due_on, Objection.id
    )
    return read_slice(query, window, count=count)


# The office's view of a round's notice ----------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A nomination the notice may show: at the panel, its review closed."""

    nomination: Nomination
    tally: PanelTally


@dataclass(frozen=True)
class NoticeLine:
    """A nomination that went on the notice, as the office follows it."""

    nomination: Nomination
    is_shown: bool
    likes: int
    burst: Burst | None
    objections: int
    unanswered: int
    overdue: int


@dataclass(frozen=True)
class NoticeOverview:
    """A round's notice for the office: before it opens, the candidates with their tallies;
    after, each nomination that went on it with its likes, burst flag and objections."""

    round: Round
    notice: RoundNotice | None
    is_running: bool
    candidates: list[Candidate]
    lines: list[NoticeLine]


def notice_overview(
    user: User, round_id: int, *, now: datetime, settings: NoticeSettings
) -> NoticeOverview:
    """The city's view of a round's notice (see NoticeOverview). Raises NotFound (no such
    round; no clerk), Forbidden (a clerk who is not the city)."""
    require_city(scope_of(user, now), CITY_ONLY)
    round_ = get_or_not_found(Round, round_id, NO_SUCH_ROUND)
    notice = find_notice(round_.id)
    if notice is None:
        tallies = db.session.execute(
            select(Nomination, PanelTally)
            .join(PanelTally, PanelTally.nomination_id == Nomination.id)
            .where(Nomination.round_id == round_.id, Nomination.stage == Stage.panel)
            .options(selectinload(Nomination.district))
            .order_by(Nomination.district_id, Nomination.id)
        ).all()
        candidates = [Candidate(nomination, tally) for nomination, tally in tallies]
        return NoticeOverview(round_, None, False, candidates, [])
    went_on = exists().where(
        ReviewStep.nomination_id == Nomination.id,
        ReviewStep.action == StepAction.notice_opened,
    )
    nominations = list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.round_id == round_.id, went_on)
            .options(selectinload(Nomination.district))
            .order_by(Nomination.district_id, Nomination.id)
        )
    )
    ids = [n.id for n in nominations]
    shown = set(
        db.session.scalars(select(Nomination.id).where(Nomination.id.in_(ids), _shown_at(now)))
    )
    likes = likes_of(ids)
    bursts = find_bursts(ids, notice.opens_at, settings)
    objections = db.session.execute(
        select(Objection.nomination_id, Objection.outcome, Objection.due_on).where(
            Objection.nomination_id.in_(ids)
        )
    ).all()
    today = local_day(now)
    filed = Counter(row.nomination_id for row in objections)
    unanswered = Counter(row.nomination_id for row in objections if row.outcome is None)
    overdue = Counter(
        row.nomination_id for row in objections if row.outcome is None and today > row.due_on
    )
    lines = [
        NoticeLine(
            nomination=n,
            is_shown=n.id in shown,
            likes=likes.get(n.id, 0),
            burst=bursts.get(n.id),
            objections=filed[n.id],
            unanswered=unanswered[n.id],
            overdue=overdue[n.id],
        )
        for n in nominations
    ]
    return NoticeOverview(round_, notice, _is_running(notice, now), [], lines)


# The nomination's own page (the slot beside the review) ------------------------------------------


@dataclass(frozen=True)
class NominationNotice:
    """What a nomination's page shows of its notice: its likes (advice to the panel and the
    office) and, for its district and the city, its objections."""

    likes: int
    objections: list[Objection] | None
    can_answer: bool
    today: date


def notice_of_nomination(
    user: User, nomination: Nomination, now: datetime
) -> NominationNotice | None:
    """The notice part of a nomination's page for one who may read the nomination, or None
    when it never went on a notice."""
    went_on = db.session.scalar(
        select(ReviewStep.id).where(
            ReviewStep.nomination_id == nomination.id,
            ReviewStep.action == StepAction.notice_opened,
        )
    )
    if went_on is None:
        return None
    districts = _answered_districts(user, now)
    sees_objections = districts is None or nomination.district_id in districts
    objections = None
    if sees_objections:
        objections = list(
            db.session.scalars(
                select(Objection)
                .where(Objection.nomination_id == nomination.id)
                .order_by(Objection.filed_at, Objection.id)
            )
        )
    return NominationNotice(
        likes=likes_of([nomination.id]).get(nomination.id, 0),
        objections=objections,
        can_answer=sees_objections,
        today=local_day(now),
    )
