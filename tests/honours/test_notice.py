"""The public notice (公示) through its services: the city opens a round's notice with the
tallied nominations it puts forward and the rest are rejected; the public sees the entries
whose consent holds, and nothing else; real-name objections and likes during the notice only,
from an account with a verified phone; the district or the city answers an objection, an
upheld one taking that entry alone off; bursts of likes from new accounts are flagged."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import NoticeSettings, current_settings
from core.uploads import services as uploads
from core.workdays import ensure_holidays
from honours.nomination_models import (
    ConflictDeclaration,
    ConsentGiver,
    ConsentMethod,
    FileKind,
    Nomination,
    NominationConsent,
    NominationFile,
    NominationLike,
    Objection,
    ObjectionOutcome,
    PanelTally,
    ReviewStep,
    RoundNotice,
    Stage,
    StepAction,
)
from honours.services import notice
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round

# A kind of upload only its uploader reads, standing in for the nomination's photos (their
# kind's own reader never admits a visitor: the notice serves them itself).
PHOTO_KIND = "notice_test_photo"
uploads.register_kind(
    PHOTO_KIND,
    may_read=lambda user, upload, now: user is not None and upload.uploaded_by_id == user.id,
)


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


# Builders ---------------------------------------------------------------------------------------


def agree(nomination: Nomination, *, agreed: bool = True, at: datetime = NOW) -> None:
    """The nominee's answer about publishing, recorded at `at`."""
    db.session.add(
        NominationConsent(
            nomination_id=nomination.id,
            agreed=agreed,
            giver=ConsentGiver.nominee,
            method=ConsentMethod.verified_phone,
            phone="13803350001",
            recorded_by_id=nomination.created_by_id,
            recorded_at=at,
        )
    )
    db.session.flush()


def tallied(round_, place, **values) -> Nomination:
    """A nomination at the panel with consent given and its panel review closed."""
    nomination = make_nomination(round_, place, stage=Stage.panel, **values)
    agree(nomination)
    db.session.add(
        PanelTally(
            nomination_id=nomination.id,
            votes_for=5,
            votes_against=1,
            abstentions=0,
            mean_score=86.5,
            excluded_user_ids=[],
            closed_by_id=nomination.created_by_id,
            closed_at=NOW,
        )
    )
    db.session.flush()
    return nomination


def on_notice(round_, *nominations, office=None, at: datetime = NOW) -> RoundNotice:
    """The round's notice opened at `at` with `nominations` on it."""
    return notice.open_notice(
        office or make_office(), round_.id, [n.id for n in nominations], now=at
    )


def verified(name: str = "王热心", *, made: datetime = NOW - timedelta(days=400)) -> User:
    """An account whose number was verified by SMS code, made at `made`."""
    user = make_user(display_name=name)
    user.phone_verified_at = made
    user.created_at = made
    db.session.flush()
    return user


def photo(by: User) -> int:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 30)).save(image, format="PNG")
    image.seek(0)
    upload = uploads.store_upload(
        by,
        kind=PHOTO_KIND,
        stream=image,
        filename="生活照.png",
        now=NOW,
        settings=current_settings().uploads,
    )
    return upload.id


def steps(nomination: Nomination) -> list[tuple[StepAction, Stage, str | None]]:
    return [
        (s.action, s.to_stage, s.opinion)
        for s in db.session.scalars(
            select(ReviewStep)
            .where(ReviewStep.nomination_id == nomination.id)
            .order_by(ReviewStep.id)
        )
    ]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Opening the notice ---------------------------------------------------------------------------


def test_the_city_puts_chosen_nominations_on_notice_and_rejects_the_other_tallied(places, round_):
    first = tallied(round_, places["wenhuali"], name="李秀英")
    second = tallied(round_, places["nanguan"], name="赵大勇")
    left_off = tallied(round_, places["hongqilu"], name="孙明")
    untallied = make_nomination(round_, places["wenhuali"], stage=Stage.panel, name="周平")
    at_city = make_nomination(round_, places["wenhuali"], stage=Stage.city, name="吴刚")
    staff = make_clerk(AssignmentKind.city_staff, name="市文明办干事")

    opened = on_notice(round_, first, second, office=staff)

    assert (opened.opens_at, opened.closes_at) == (NOW, NOW + timedelta(days=7))
    assert opened.opened_by_id == staff.id and opened.round_id == round_.id
    assert (first.stage, second.stage) == (Stage.notice, Stage.notice)
    assert steps(first)[-1] == (StepAction.notice_opened, Stage.notice, None)
    assert left_off.stage is Stage.rejected
    assert steps(left_off)[-1] == (StepAction.rejected, Stage.rejected, notice.NOT_PUT_FORWARD)
    assert (untallied.stage, at_city.stage) == (Stage.panel, Stage.city)
    assert notice.find_notice(round_.id) is opened


def test_the_notice_runs_for_the_rounds_days(places):
    round_ = open_round(notice_days=10)
    entry = tallied(round_, places["wenhuali"])

    assert on_notice(round_, entry).closes_at == NOW + timedelta(days=10)


def test_only_the_city_opens_a_notice_once_and_only_with_tallied_nominations(places, round_):
    entry = tallied(round_, places["wenhuali"])
    untallied = make_nomination(round_, places["wenhuali"], stage=Stage.panel, name="周平")
    elsewhere = tallied(open_round(), places["wenhuali"], name="郑义")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    office = make_office()
    before = count(ReviewStep)

    with pytest.raises(Forbidden):
        notice.open_notice(district, round_.id, [entry.id], now=NOW)
    with pytest.raises(NotFound):
        notice.open_notice(make_user(), round_.id, [entry.id], now=NOW)
    with pytest.raises(NotFound):
        notice.open_notice(office, round_.id + 1000, [entry.id], now=NOW)
    for ids in ([], [untallied.id], [entry.id, elsewhere.id], [entry.id, 99999]):
        with pytest.raises(ValidationFailed) as refused:
            notice.open_notice(office, round_.id, ids, now=NOW)
        assert "nomination_ids" in refused.value.errors
    assert count(ReviewStep) == before and count(RoundNotice) == 0
    assert entry.stage is Stage.panel

    on_notice(round_, entry, office=office)
    with pytest.raises(Conflict):
        on_notice(round_, entry, office=office)
    assert count(RoundNotice) == 1


def test_one_who_filed_a_tallied_nomination_or_declared_a_conflict_does_not_open_it(places, round_):
    filer = make_office()
    filed = tallied(round_, places["wenhuali"], by=filer)
    other = tallied(round_, places["hongqilu"], name="孙明")
    conflicted = make_office()
    db.session.add(
        ConflictDeclaration(
            nomination_id=other.id, user_id=conflicted.id, reason="同事", declared_at=NOW
        )
    )
    db.session.flush()

    for barred in (filer, conflicted):
        with pytest.raises(Forbidden):
            notice.open_notice(barred, round_.id, [other.id], now=NOW)
    assert (filed.stage, other.stage) == (Stage.panel, Stage.panel)
    assert count(RoundNotice) == 0


# What the public sees -------------------------------------------------------------------------


def test_the_public_notice_shows_each_entry_with_consent_by_name_place_and_approved_text(
    places, round_
):
    entry = tallied(round_, places["wenhuali"], name="李秀英")
    withdrawn = tallied(round_, places["hongqilu"], name="孙明")
    on_notice(round_, entry, withdrawn)
    assert len(notice.get_public_notice(round_.id, NOW).entries) == 2
    # A withdrawal of consent hides the entry at once.
    agree(withdrawn, agreed=False, at=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)

    shown = notice.get_public_notice(round_.id, later)

    assert shown.is_running and (shown.opens_at, shown.closes_at) == (NOW, NOW + timedelta(days=7))
    assert [e.nomination_id for e in shown.entries] == [entry.id]
    (public,) = shown.entries
    assert public.name == "李秀英" and public.district.code == "haigang"
    assert public.town.code == "haigang-wenhualu"
    assert (public.summary, public.deeds) == (entry.summary, entry.deeds)
    assert public.likes == 0 and not public.has_photo


def test_the_notices_listed_are_those_open_and_those_closed_within_a_month(places):
    running, recent, old = open_round(), open_round(), open_round()
    for round_, opened in (
        (running, NOW),
        (recent, NOW - timedelta(days=20)),
        (old, NOW - timedelta(days=60)),
    ):
        on_notice(round_, tallied(round_, places["wenhuali"]), at=opened)
    upcoming = open_round()
    on_notice(upcoming, tallied(upcoming, places["wenhuali"]), at=NOW + timedelta(days=1))

    listed = notice.list_public_notices(NOW + timedelta(hours=1))

    assert [(n.round_id, n.is_running, n.entry_count) for n in listed] == [
        (running.id, True, 1),
        (recent.id, False, 1),
    ]
    with pytest.raises(NotFound):
        notice.get_public_notice(upcoming.id, NOW)
    with pytest.raises(NotFound):
        notice.get_public_notice(open_round().id, NOW)


def test_an_entry_is_shown_with_its_id_photo_or_else_its_first_life_photo_while_on_notice(
    places, round_
):
    office = make_office()
    with_id_photo = tallied(round_, places["wenhuali"], name="李秀英")
    with_life_photos = tallied(round_, places["hongqilu"], name="孙明")
    without = tallied(round_, places["nanguan"], name="赵大勇")
    with_id_photo.id_photo_upload_id = photo(office)
    first_life, second_life = photo(office), photo(office)
    for upload_id in (first_life, second_life):
        db.session.add(
            NominationFile(
                nomination_id=with_life_photos.id,
                upload_id=upload_id,
                kind=FileKind.life_photo,
                added_by_id=office.id,
                added_at=NOW,
            )
        )
    db.session.flush()
    with pytest.raises(NotFound):
        notice.get_public_photo(round_.id, with_id_photo.id, NOW)
    on_notice(round_, with_id_photo, with_life_photos, without)

    assert notice.get_public_photo(round_.id, with_id_photo.id, NOW).id == (
        with_id_photo.id_photo_upload_id
    )
    assert notice.get_public_photo(round_.id, with_life_photos.id, NOW).id == first_life
    assert [e.has_photo for e in notice.get_public_notice(round_.id, NOW).entries] == [
        True,
        True,
        False,
    ]
    for missing in ((round_.id, without.id), (round_.id + 1, with_id_photo.id)):
        with pytest.raises(NotFound):
            notice.get_public_photo(*missing, NOW)
    agree(with_id_photo, agreed=False, at=NOW + timedelta(minutes=1))
    with pytest.raises(NotFound):
        notice.get_public_photo(round_.id, with_id_photo.id, NOW + timedelta(minutes=2))


# Likes ----------------------------------------------------------------------------------------


def test_a_like_counts_once_per_account_per_entry_per_day(places, round_):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    fan, other = verified(), verified("李点赞")

    first = notice.like(fan, entry.id, now=NOW + timedelta(hours=1))
    again = notice.like(fan, entry.id, now=NOW + timedelta(hours=3))
    by_other = notice.like(other, entry.id, now=NOW + timedelta(hours=3))
    # 00:30 the next day in Qinhuangdao (16:30 UTC): a new local day.
    next_day = notice.like(fan, entry.id, now=datetime(2026, 6, 1, 16, 30, tzinfo=UTC))

    assert (first.counted, first.likes) == (True, 1)
    assert (again.counted, again.likes) == (False, 1)
    assert (by_other.counted, next_day.counted, next_day.likes) == (True, True, 3)
    days = db.session.scalars(
        select(NominationLike.day)
        .where(NominationLike.user_id == fan.id)
        .order_by(NominationLike.id)
    ).all()
    assert days == [date(2026, 6, 1), date(2026, 6, 2)]
    assert notice.get_public_notice(round_.id, NOW + timedelta(days=1)).entries[0].likes == 3


def test_likes_are_refused_without_a_verified_phone_before_or_after_the_notice_or_off_it(
    places, round_
):
    entry = tallied(round_, places["wenhuali"])
    before = tallied(round_, places["hongqilu"], name="孙明")
    left_off = tallied(round_, places["nanguan"], name="赵大勇")
    not_yet = make_nomination(round_, places["wenhuali"], stage=Stage.city, name="吴刚")
    fan = verified()
    unverified = make_user(display_name="未验证")

    with pytest.raises(NotFound):
        notice.like(fan, before.id, now=NOW)  # the notice is not open yet
    on_notice(round_, entry, before)
    agree(before, agreed=False, at=NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=2)

    with pytest.raises(Conflict) as refused:
        notice.like(unverified, entry.id, now=later)
    assert refused.value.code == "phone_not_verified"
    for hidden in (before, left_off, not_yet):
        with pytest.raises(NotFound):
            notice.like(fan, hidden.id, now=later)
    with pytest.raises(Conflict) as closed:
        notice.like(fan, entry.id, now=NOW + timedelta(days=7))
    assert closed.value.code == "notice_closed"
    assert count(NominationLike) == 0


def test_likes_from_many_new_accounts_within_the_window_are_flagged_as_a_burst(places, round_):
    rule = NoticeSettings(
        burst_account_age=timedelta(days=7), burst_likes=3, burst_window=timedelta(hours=1)
    )
    burst, old_fans, spread = (
        tallied(round_, places[p]) for p in ("wenhuali", "hongqilu", "nanguan")
    )
    opened = on_notice(round_, burst, old_fans, spread)
    start = NOW + timedelta(days=2)

    def likes(entry, moments, *, age):
        for moment in moments:
            fan = verified(made=moment - age)
            notice.like(fan, entry.id, now=moment)

    # Four new accounts within 50 minutes, beside one old one.
    likes(burst, [start + timedelta(minutes=m) for m in (0, 10, 30, 50)], age=timedelta(days=1))
    likes(burst, [start + timedelta(minutes=5)], age=timedelta(days=30))
    # Four old accounts within minutes: not new.
    likes(old_fans, [start + timedelta(minutes=m) for m in (0, 1, 2, 3)], age=timedelta(days=8))
    # Four new accounts, but never more than three within an hour.
    likes(spread, [start + timedelta(minutes=m) for m in (0, 30, 61, 95)], age=timedelta(hours=2))

    found = notice.find_bursts([burst.id, old_fans.id, spread.id], opened.opens_at, rule)

    assert found == {burst.id: notice.Burst(4, start)}


# Objections -----------------------------------------------------------------------------------


def test_an_objection_keeps_the_real_name_and_number_and_is_due_in_ten_working_days(
    places,
):
    ensure_holidays()
    round_ = open_round(notice_days=30)
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    objector = verified("张实名")
    # Friday 12 June 2026 in Qinhuangdao; 端午 (19 June) is a day off on the way.
    filed_at = datetime(2026, 6, 12, 2, 0, tzinfo=UTC)

    objection = notice.file_objection(
        objector, entry.id, "  该同志的事迹与实际不符。 ", is_name_confirmed=True, now=filed_at
    )

    assert (objection.name, objection.phone) == ("张实名", objector.phone)
    assert objection.text == "该同志的事迹与实际不符。"
    assert objection.district_id == entry.district_id and objection.filed_at == filed_at
    assert objection.due_on == date(2026, 6, 29)
    assert objection.outcome is None and entry.stage is Stage.notice


def test_objections_are_refused_without_a_verified_phone_outside_the_notice_or_unconfirmed(
    places, round_
):
    entry = tallied(round_, places["wenhuali"])
    left_off = tallied(round_, places["hongqilu"], name="孙明")
    objector = verified("张实名")

    def file(user, nomination, *, at=NOW + timedelta(hours=1), text="事迹不实", confirmed=True):
        return notice.file_objection(user, nomination.id, text, is_name_confirmed=confirmed, now=at)

    with pytest.raises(NotFound):
        file(objector, entry)
    on_notice(round_, entry)
    with pytest.raises(Conflict):
        file(make_user(display_name="未验证"), entry)
    with pytest.raises(NotFound):
        file(objector, left_off)
    with pytest.raises(Conflict):
        file(objector, entry, at=NOW + timedelta(days=7, seconds=1))
    with pytest.raises(ValidationFailed) as refused:
        file(objector, entry, text="  ", confirmed=False)
    assert set(refused.value.errors) == {"text", "is_name_confirmed"}
    with pytest.raises(ValidationFailed):
        file(objector, entry, text="长" * (notice.TEXT_MAX + 1))
    assert count(Objection) == 0


def test_an_upheld_objection_takes_that_entry_alone_off_and_the_objector_reads_the_answer(
    places, round_
):
    entry = tallied(round_, places["wenhuali"], name="李秀英")
    other = tallied(round_, places["hongqilu"], name="孙明")
    on_notice(round_, entry, other)
    objector = verified("张实名")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    later = NOW + timedelta(hours=1)
    upheld = notice.file_objection(objector, entry.id, "不实", is_name_confirmed=True, now=later)
    dismissed = notice.file_objection(objector, other.id, "存疑", is_name_confirmed=True, now=later)

    notice.answer_objection(district, upheld.id, "upheld", "经核实，情况属实。", now=later)
    notice.answer_objection(
        district, dismissed.id, ObjectionOutcome.dismissed, "经核实，事迹属实。", now=later
    )

    assert entry.stage is Stage.rejected and other.stage is Stage.notice
    assert steps(entry)[-1] == (StepAction.objection_upheld, Stage.rejected, "经核实，情况属实。")
    assert (upheld.answered_by_id, upheld.answered_at) == (district.id, later)
    shown = notice.get_public_notice(round_.id, later)
    assert [e.nomination_id for e in shown.entries] == [other.id]
    mine = notice.list_my_objections(objector, Window())
    assert [(o.id, o.outcome, o.answer) for o in mine.items] == [
        (dismissed.id, ObjectionOutcome.dismissed, "经核实，事迹属实。"),
        (upheld.id, ObjectionOutcome.upheld, "经核实，情况属实。"),
    ]


def test_an_objection_is_answered_once_by_its_district_or_the_city_and_read_by_no_one_else(
    places, round_
):
    entry = tallied(round_, places["wenhuali"])
    on_notice(round_, entry)
    objector = verified("张实名")
    later = NOW + timedelta(hours=1)
    objection = notice.file_objection(objector, entry.id, "不实", is_name_confirmed=True, now=later)
    elsewhere = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"], name="外区")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道")
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")

    for stranger in (elsewhere, street, make_user()):
        with pytest.raises(NotFound):
            notice.get_objection(stranger, objection.id, later)
        with pytest.raises(NotFound):
            notice.answer_objection(stranger, objection.id, "upheld", "属实", now=later)
    assert notice.get_objection(objector, objection.id, later) is objection
    with pytest.raises(Forbidden):
        notice.answer_objection(objector, objection.id, "dismissed", "我撤回", now=later)
    with pytest.raises(ValidationFailed) as refused:
        notice.answer_objection(district, objection.id, "maybe", " ", now=later)
    assert set(refused.value.errors) == {"outcome", "answer"}
    assert objection.outcome is None and entry.stage is Stage.notice

    # After the notice closed, the city answers; the district then finds it answered.
    closed = NOW + timedelta(days=8)
    notice.answer_objection(make_office(), objection.id, "dismissed", "经核实不属实", now=closed)
    with pytest.raises(Conflict):
        notice.answer_objection(district, objection.id, "upheld", "属实", now=closed)
    assert objection.outcome is ObjectionOutcome.dismissed and entry.stage is Stage.notice


def test_a_clerk_who_filed_the_nomination_does_not_answer_its_objection(places, round_):
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    entry = tallied(round_, places["wenhuali"], by=district)
    on_notice(round_, entry)
    later = NOW + timedelta(hours=1)
    objection = notice.file_objection(
        verified(), entry.id, "不实", is_name_confirmed=True, now=later
    )

    with pytest.raises(Forbidden):
        notice.answer_objection(district, objection.id, "upheld", "属实", now=later)
    assert objection.outcome is None and entry.stage is Stage.notice


def test_the_district_lists_its_objections_the_city_all_and_the_overdue_are_marked(places, round_):
    here = tallied(round_, places["wenhuali"])
    there = tallied(round_, places["nanguan"], name="赵大勇")
    on_notice(round_, here, there)
    objector = verified()
    at = NOW + timedelta(hours=1)
    mine = notice.file_objection(objector, here.id, "不实", is_name_confirmed=True, now=at)
    theirs = notice.file_objection(objector, there.id, "不实", is_name_confirmed=True, now=at)
    answered = notice.file_objection(objector, here.id, "存疑", is_name_confirmed=True, now=at)
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    notice.answer_objection(district, answered.id, "dismissed", "属实", now=at)

    listed = notice.list_objections(district, Window(), now=at)
    everything = notice.list_objections(make_office(), Window(), now=at)
    open_only = notice.list_objections(district, Window(), now=at, is_answered=False)
    other_round = notice.list_objections(district, Window(), now=at, round_id=round_.id + 1)

    assert [o.id for o in listed.items] == [mine.id, answered.id]
    assert {o.id for o in everything.items} == {mine.id, theirs.id, answered.id}
    assert [o.id for o in open_only.items] == [mine.id]
    assert other_round.total == 0
    assert not notice.is_overdue(mine, NOW + timedelta(days=14))  # due 2026-06-15
    assert notice.is_overdue(mine, NOW + timedelta(days=15))
    assert not notice.is_overdue(answered, NOW + timedelta(days=30))
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    assert notice.list_objections(community, Window(), now=at).total == 0
    with pytest.raises(NotFound):
        notice.list_objections(objector, Window(), now=at)


# The office's view ----------------------------------------------------------------------------


def test_the_office_sees_the_candidates_then_each_entry_with_likes_flags_and_objections(
    places, round_
):
    rule = NoticeSettings(
        burst_account_age=timedelta(days=7), burst_likes=1, burst_window=timedelta(hours=1)
    )
    office = make_office()
    entry = tallied(round_, places["wenhuali"])
    upheld = tallied(round_, places["hongqilu"], name="孙明")
    left_off = tallied(round_, places["nanguan"], name="赵大勇")

    before = notice.notice_overview(office, round_.id, now=NOW, settings=rule)
    assert before.notice is None
    assert [(c.nomination.id, c.tally.votes_for) for c in before.candidates] == [
        (entry.id, 5),
        (upheld.id, 5),
        (left_off.id, 5),
    ]

    on_notice(round_, entry, upheld, office=office)
    at = NOW + timedelta(hours=1)
    for hours in (0, 0.5):
        notice.like(verified(made=at), entry.id, now=at + timedelta(hours=hours))
    objector = verified()
    notice.file_objection(objector, entry.id, "存疑", is_name_confirmed=True, now=at)
    gone = notice.file_objection(objector, upheld.id, "不实", is_name_confirmed=True, now=at)
    notice.answer_objection(office, gone.id, "upheld", "属实", now=at)
    late = NOW + timedelta(days=20)

    after = notice.notice_overview(office, round_.id, now=late, settings=rule)

    assert after.notice is not None and not after.is_running and after.candidates == []
    lines = {line.nomination.id: line for line in after.lines}
    assert set(lines) == {entry.id, upheld.id}
    assert (lines[entry.id].likes, lines[entry.id].burst) == (2, notice.Burst(2, at))
    assert (lines[entry.id].objections, lines[entry.id].unanswered, lines[entry.id].overdue) == (
        1,
        1,
        1,
    )
    assert lines[entry.id].is_shown and not lines[upheld.id].is_shown
    assert (lines[upheld.id].objections, lines[upheld.id].unanswered) == (1, 0)
    with pytest.raises(Forbidden):
        notice.notice_overview(
            make_clerk(AssignmentKind.district_clerk, places["haigang"]),
            round_.id,
            now=NOW,
            settings=rule,
        )


def test_a_nominations_page_shows_its_likes_and_to_its_district_its_objections(places, round_):
    entry = tallied(round_, places["wenhuali"])
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道")
    assert notice.notice_of_nomination(district, entry, NOW) is None
    on_notice(round_, entry)
    at = NOW + timedelta(hours=1)
    notice.like(verified(), entry.id, now=at)
    objection = notice.file_objection(verified(), entry.id, "不实", is_name_confirmed=True, now=at)

    for_district = notice.notice_of_nomination(district, entry, at)
    for_street = notice.notice_of_nomination(street, entry, at)

    assert (for_district.likes, for_district.objections, for_district.can_answer) == (
        1,
        [objection],
        True,
    )
    assert (for_street.likes, for_street.objections, for_street.can_answer) == (1, None, False)
