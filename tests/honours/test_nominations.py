"""Nominations through the three channels, through the services: a community's draft matched
to the register and submitted to the street, a sector's to the city, a media case filed at the
city with its nominee found or entered in the register, a public lead and a clerk's lead from
the hotline arriving at the community; the fields' rules; files; duplicates flagged (and merged,
every nominator kept) and a nominee holding the honour already; withdrawing; reading with the
nominee's phone and ID number masked but for the district and the city. Each refusal changes
nothing."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.regions import ensure_sectors, list_sectors
from core.rows import Window
from core.settings import current_settings
from core.uploads import services as uploads
from honours import services
from honours.models import HonourSource, Person, SensitiveView, ViewChannel
from honours.nomination_models import (
    Channel,
    LeadSource,
    Nomination,
    NominationFile,
    Nominator,
    NominatorKind,
    ReviewStep,
    Stage,
    StepAction,
)
from honours.services import nomination_endings as endings
from honours.services import nomination_files as files
from honours.services import nomination_matching as matching
from honours.services import nomination_reading as reading
from honours.services import nominations, rounds
from tests.builders import make_user
from tests.honours.builders import (
    NOW,
    honour_type,
    id_number,
    make_clerk,
    make_office,
    make_person,
    make_places,
    make_round,
)
from tests.honours.nomination_builders import DEEDS, make_nomination, open_round

SUMMARY = "三十年如一日照顾瘫痪婆婆的好儿媳"
# 900 characters: the deeds are told in 800 to 1,500.
STORY = (DEEDS * 2)[:900]


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


@pytest.fixture
def clerk(places):
    return make_clerk(AssignmentKind.community_clerk, places["wenhuali"], name="文化里社区专干")


def count(model=Nomination) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def values(round_, place, **more):
    return {
        "round_id": round_.id,
        "nominee_name": "王秀兰",
        "nominee_gender": "female",
        "nominee_birth_date": date(1958, 3, 12),
        "nominee_phone": "13803357788",
        "region_id": place.id,
        "category": "filial_piety",
        "summary": SUMMARY,
        "deeds": STORY,
        **more,
    }


def verified(name="热心市民") -> object:
    user = make_user(display_name=name)
    user.phone_verified_at = NOW - timedelta(days=3)
    db.session.flush()
    return user


def editor() -> object:
    return make_clerk(AssignmentKind.media_editor, name="秦皇岛日报编辑")


def sector_clerk(sector=None):
    ensure_sectors()
    sector = sector or list_sectors()[0]
    user = make_user(display_name="教育系统干事")
    db.session.add(
        RoleAssignment(
            user_id=user.id,
            kind=AssignmentKind.sector_clerk,
            sector_id=sector.id,
            granted_at=NOW - timedelta(days=1),
        )
    )
    db.session.flush()
    return user, sector


def png(color=(200, 30, 30)) -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(image, format="PNG")
    image.seek(0)
    return image


def pdf() -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def incoming(attachment=files.Attachment.life_photo, stream=None, name="照片.png"):
    return files.Incoming(attachment, stream or png(), name)


def upload_settings():
    return current_settings().uploads


def steps(nomination) -> list[tuple[StepAction, Stage, Stage]]:
    return [
        (step.action, step.from_stage, step.to_stage)
        for step in db.session.scalars(
            select(ReviewStep).where(ReviewStep.nomination_id == nomination.id)
        )
    ]


def opened(office, opens_on, closes_on):
    round_ = make_round(office, opens_on=opens_on, closes_on=closes_on)
    return rounds.open_round(office, round_.id, now=NOW)


def draft(clerk, round_, place, **more):
    return nominations.draft_nomination(clerk, values(round_, place, **more), now=NOW)


def matched_draft(clerk, round_, place, **more):
    nomination = draft(clerk, round_, place, **more)
    return matching.match_nominee(clerk, nomination.id, now=NOW, person_values={})


# Territorial: a community's draft ---------------------------------------------------------------


def test_a_community_clerk_drafts_matches_and_submits_to_the_street(places, round_, clerk):
    nomination = draft(clerk, round_, places["wenhuali"], unit_name="文化里社区居委会")

    assert nomination.channel is Channel.territorial and nomination.stage is Stage.draft
    assert nomination.district_id == places["haigang"].district_id
    assert nomination.nominee_key == f"name:王秀兰|1958-03-12|{nomination.district_id}"
    (nominator,) = nomination.nominators
    assert (nominator.kind, nominator.name, nominator.user_id) == (
        NominatorKind.unit,
        "文化里社区居委会",
        clerk.id,
    )
    assert steps(nomination) == []

    with pytest.raises(Conflict) as refused:
        nominations.submit_nomination(clerk, nomination.id, now=NOW)
    assert refused.value.code == "not_matched"

    matching.match_nominee(clerk, nomination.id, now=NOW, person_values={"address": "文化路3号"})
    person = db.session.get(Person, nomination.person_id)
    assert (person.name, person.region_id, person.created_by_id) == (
        "王秀兰",
        places["wenhuali"].id,
        clerk.id,
    )
    later = NOW + timedelta(hours=2)
    nominations.submit_nomination(clerk, nomination.id, now=later)

    assert nomination.stage is Stage.street and nomination.stage_entered_at == later
    assert steps(nomination) == [(StepAction.submitted, Stage.draft, Stage.street)]


def test_only_a_clerk_of_the_community_or_the_city_drafts_there(places, round_):
    elsewhere = make_clerk(AssignmentKind.community_clerk, places["hongqilu"], name="红旗里")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    for user in (elsewhere, street, make_user(), editor()):
        with pytest.raises(Forbidden):
            draft(user, round_, places["wenhuali"])
    assert count() == 0

    by_city = draft(make_office(), round_, places["wenhuali"])
    assert by_city.stage is Stage.draft
    with pytest.raises(ValidationFailed) as refused:
        draft(make_office(), round_, places["wenhualu"])
    assert "region_id" in refused.value.errors


def test_nominations_are_taken_only_in_an_open_round_within_its_dates(places, clerk):
    office = make_office()
    prepared = make_round(office)
    with pytest.raises(Conflict) as refused:
        draft(clerk, prepared, places["wenhuali"])
    assert refused.value.code == "round_not_open" and "round_id" in refused.value.errors

    later = opened(office, NOW.date() + timedelta(days=2), NOW.date() + timedelta(days=9))
    with pytest.raises(Conflict, match=later.opens_on.isoformat()):
        draft(clerk, later, places["wenhuali"])
    over = opened(office, NOW.date() - timedelta(days=20), NOW.date() - timedelta(days=1))
    with pytest.raises(Conflict, match=over.closes_on.isoformat()):
        draft(clerk, over, places["wenhuali"])
    with pytest.raises(ValidationFailed) as missing:
        draft(clerk, type("R", (), {"id": 999_999})(), places["wenhuali"])
    assert "round_id" in missing.value.errors
    assert count() == 0


def test_the_fields_are_checked_in_characters_and_all_named_at_once(places, round_, clerk):
    crlf = "好" * 798 + "\r\n" + "人"
    assert len(crlf) == 801  # 800 once the line break counts as one
    ok = draft(clerk, round_, places["wenhuali"], summary="好" * 140, deeds=crlf)
    assert len(ok.deeds) == 800 and "\r" not in ok.deeds
    draft(clerk, round_, places["wenhuali"], nominee_name="李四", deeds="德" * 1500)

    with pytest.raises(ValidationFailed) as refused:
        draft(
            clerk,
            round_,
            places["wenhuali"],
            nominee_name="  ",
            summary="好" * 141,
            deeds="  " + "德" * 799 + "  ",
            category=None,
            nominee_phone="call me",
            nominee_id_number="130302195803120011",
        )
    errors = refused.value.errors
    assert set(errors) == {
        "nominee_name",
        "summary",
        "deeds",
        "category",
        "nominee_phone",
        "nominee_id_number",
    }
    assert "141" in errors["summary"][0] and "799" in errors["deeds"][0]
    with pytest.raises(ValidationFailed) as long_deeds:
        draft(clerk, round_, places["wenhuali"], deeds="德" * 1501)
    assert "1501" in long_deeds.value.errors["deeds"][0]
    number = id_number(date(1958, 3, 12), male=False)
    with pytest.raises(ValidationFailed) as differs:
        draft(
            clerk,
            round_,
            places["wenhuali"],
            nominee_id_number=number,
            nominee_birth_date=date(1958, 3, 13),
        )
    assert "nominee_birth_date" in differs.value.errors
    assert count() == 2

    taken = draft(
        clerk, round_, places["wenhuali"], nominee_id_number=number, nominee_birth_date=None
    )
    assert taken.nominee_birth_date == date(1958, 3, 12)
    assert taken.nominee_key == f"id:{number}"


def test_a_draft_is_changed_by_its_clerk_and_a_new_nominee_undoes_the_match(places, round_, clerk):
    nomination = matched_draft(clerk, round_, places["wenhuali"])
    assert nomination.person_id is not None

    nominations.update_draft(clerk, nomination.id, {"summary": "孝老爱亲的好儿媳"}, now=NOW)
    assert nomination.summary == "孝老爱亲的好儿媳" and nomination.person_id is not None

    nominations.update_draft(clerk, nomination.id, {"nominee_name": "王秀英"}, now=NOW)
    assert nomination.person_id is None and nomination.nominee_name == "王秀英"

    elsewhere = make_clerk(AssignmentKind.community_clerk, places["hongqilu"], name="红旗里")
    with pytest.raises(NotFound):
        nominations.update_draft(elsewhere, nomination.id, {"summary": "x"}, now=NOW)
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    with pytest.raises(Forbidden):
        nominations.update_draft(street, nomination.id, {"summary": "x"}, now=NOW)
    with pytest.raises(Forbidden):
        nominations.update_draft(
            clerk, nomination.id, {"region_id": places["hongqilu"].id}, now=NOW
        )
    with pytest.raises(ValidationFailed):
        nominations.update_draft(clerk, nomination.id, {"deeds": "太短"}, now=NOW)
    assert nomination.summary == "孝老爱亲的好儿媳"

    matching.match_nominee(clerk, nomination.id, now=NOW, person_values={})
    nominations.submit_nomination(clerk, nomination.id, now=NOW)
    with pytest.raises(Conflict):
        nominations.update_draft(clerk, nomination.id, {"summary": "晚了"}, now=NOW)


def test_a_returned_draft_goes_again_after_the_closing_day_but_a_first_does_not(
    places, round_, clerk
):
    nomination = matched_draft(clerk, round_, places["wenhuali"])
    fresh = matched_draft(clerk, round_, places["wenhuali"], nominee_name="李四")
    nominations.submit_nomination(clerk, nomination.id, now=NOW)
    # The community returns it to its drafter (the review's step).
    services.pipeline.record_step(nomination, StepAction.returned, Stage.draft, clerk, now=NOW)
    after = NOW + timedelta(days=30)

    nominations.submit_nomination(clerk, nomination.id, now=after)
    assert nomination.stage is Stage.street
    with pytest.raises(Conflict, match=round_.closes_on.isoformat()):
        nominations.submit_nomination(clerk, fresh.id, now=after)
    rounds.close_round(make_office(), round_.id, now=after)
    services.pipeline.record_step(nomination, StepAction.returned, Stage.draft, clerk, now=after)
    with pytest.raises(Conflict, match=re.escape(round_.name)):
        nominations.submit_nomination(clerk, nomination.id, now=after)


def test_a_sectors_nomination_goes_to_the_city(places, round_):
    user, sector = sector_clerk()
    nomination = draft(user, round_, places["wenhualu"], sector_id=sector.id)
    assert nomination.sector_id == sector.id
    assert nomination.nominators[0].name == sector.name
    other_sector = list_sectors()[1]
    with pytest.raises(Forbidden):
        draft(user, round_, places["wenhualu"], sector_id=other_sector.id)

    matching.match_nominee(user, nomination.id, now=NOW, person_values={})
    assert db.session.get(Person, nomination.person_id).region_id == places["wenhualu"].id
    nominations.submit_nomination(user, nomination.id, now=NOW)

    assert nomination.stage is Stage.city
    assert steps(nomination) == [(StepAction.submitted, Stage.draft, Stage.city)]
    detail = reading.show_nomination(
        user, nomination.id, now=NOW, channel=ViewChannel.page, place="test"
    )
    # A sector's clerk sees who acted, but the nominee's record is the region's to open.
    assert detail.sees_actors and not detail.reads_record


# Matching ----------------------------------------------------------------------------------------


def test_the_nominee_is_matched_to_a_record_of_their_district(places, round_, clerk):
    office = make_office()
    number = id_number(date(1958, 3, 12), male=False)
    there = make_person(
        places["wenhuali"], office, name="王秀兰", birth_date=date(1958, 3, 12), id_number=number
    )
    moved = make_person(places["nanguan"], office, name="王秀兰", birth_date=date(1970, 1, 1))
    nomination = draft(clerk, round_, places["wenhuali"])

    found = matching.match_candidates(clerk, nomination.id, now=NOW)
    assert found == [there]
    with pytest.raises(ValidationFailed) as refused:
        matching.match_nominee(clerk, nomination.id, now=NOW, person_id=moved.id)
    assert "person_id" in refused.value.errors

    matching.match_nominee(clerk, nomination.id, now=NOW, person_id=there.id)
    assert nomination.person_id == there.id
    assert nomination.nominee_id_number == number and nomination.nominee_key == f"id:{number}"


def test_entering_the_nominee_anew_is_refused_when_the_register_has_them(places, round_, clerk):
    number = id_number(date(1958, 3, 12), male=False)
    make_person(
        places["wenhuali"],
        make_office(),
        name="王秀兰",
        birth_date=date(1958, 3, 12),
        id_number=number,
    )
    nomination = draft(clerk, round_, places["wenhuali"], nominee_id_number=number)
    persons = count(Person)

    with pytest.raises(Conflict):
        matching.match_nominee(clerk, nomination.id, now=NOW, person_values={})
    assert count(Person) == persons and nomination.person_id is None


def test_a_minor_is_entered_with_a_guardian(places, round_, clerk):
    nomination = draft(
        clerk, round_, places["wenhuali"], nominee_name="小明", nominee_birth_date=date(2015, 1, 1)
    )
    with pytest.raises(ValidationFailed) as refused:
        matching.match_nominee(clerk, nomination.id, now=NOW, person_values={})
    assert "guardian_name" in refused.value.errors

    matching.match_nominee(
        clerk,
        nomination.id,
        now=NOW,
        person_values={"guardian_name": "王芳", "guardian_relation": "母亲"},
    )
    assert db.session.get(Person, nomination.person_id).guardian_name == "王芳"


# Media -----------------------------------------------------------------------------------------


def media_values(round_, place, **more):
    media = {
        "media_url": "https://www.qhdnews.com/2026/06/01/haoren.html",
        "media_discovery": "interview",
        "unit_name": "秦皇岛日报",
    }
    return values(round_, place, **{**media, **more})


def test_an_editor_files_a_media_case_at_the_city_matched_to_the_register(places, round_):
    number = id_number(date(1958, 3, 12), male=False)
    person = make_person(
        places["wenhuali"],
        make_office(),
        name="王秀兰",
        birth_date=date(1958, 3, 12),
        id_number=number,
    )
    writer = editor()

    found = nominations.file_media_nomination(
        writer, media_values(round_, places["wenhuali"], nominee_id_number=number), now=NOW
    )
    entered = nominations.file_media_nomination(
        writer,
        media_values(round_, places["wenhualu"], nominee_name="赵大勇", nominee_birth_date=None),
        now=NOW,
        incoming=[incoming(files.Attachment.id_photo)],
        settings=upload_settings(),
    )

    assert found.channel is Channel.media and found.stage is Stage.city
    assert found.person_id == person.id
    assert steps(found) == [(StepAction.submitted, Stage.draft, Stage.city)]
    assert (found.media_url, found.media_discovery.value) == (
        "https://www.qhdnews.com/2026/06/01/haoren.html",
        "interview",
    )
    assert found.nominators[0].kind is NominatorKind.media
    assert found.nominators[0].name == "秦皇岛日报"
    new = db.session.get(Person, entered.person_id)
    assert (new.name, new.region_id, new.created_by_id) == (
        "赵大勇",
        places["wenhualu"].id,
        writer.id,
    )
    assert entered.id_photo_upload_id is not None


def test_a_media_case_needs_an_editor_a_web_link_and_how_it_was_found(places, round_, clerk):
    with pytest.raises(Forbidden):
        nominations.file_media_nomination(clerk, media_values(round_, places["wenhuali"]), now=NOW)
    for url in ("ftp://qhdnews.com/a", "javascript:alert(1)", "https://", "http://[::1"):
        with pytest.raises(ValidationFailed) as refused:
            nominations.file_media_nomination(
                editor(), media_values(round_, places["wenhuali"], media_url=url), now=NOW
            )
        assert set(refused.value.errors) == {"media_url"}, url
    with pytest.raises(ValidationFailed) as refused:
        nominations.file_media_nomination(
            editor(), media_values(round_, places["wenhuali"], media_discovery="rumour"), now=NOW
        )
    assert set(refused.value.errors) == {"media_discovery"}
    assert count() == 0


# Self and public ------------------------------------------------------------------------------


def test_one_with_a_verified_phone_nominates_and_it_arrives_as_a_lead(places, round_):
    user = verified()
    nomination = nominations.nominate(
        user,
        values(round_, places["wenhuali"], is_self=True, nominee_name=user.display_name),
        now=NOW,
        incoming=[incoming(), incoming(files.Attachment.evidence, pdf(), "证明.pdf")],
        settings=upload_settings(),
    )

    assert nomination.channel is Channel.public and nomination.stage is Stage.community
    assert nomination.lead_source is LeadSource.form
    assert steps(nomination) == [(StepAction.submitted, Stage.draft, Stage.community)]
    (nominator,) = nomination.nominators
    assert (nominator.kind, nominator.user_id, nominator.contact_phone) == (
        NominatorKind.self,
        user.id,
        user.phone,
    )
    assert [f.kind.value for f in nomination.files] == ["life_photo", "evidence"]


def test_an_unverified_phone_is_told_to_verify_and_nothing_is_kept(places, round_):
    with pytest.raises(Forbidden) as refused:
        nominations.nominate(make_user(), values(round_, places["wenhuali"]), now=NOW)
    assert refused.value.code == "phone_not_verified"
    with pytest.raises(ValidationFailed) as street:
        nominations.nominate(verified(), values(round_, places["wenhualu"]), now=NOW)
    assert "region_id" in street.value.errors
    assert count() == 0


def test_a_clerk_enters_a_hotline_lead_with_the_callers_name(places, round_):
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    lead = nominations.enter_lead(
        street,
        values(
            round_,
            places["wenhuali"],
            lead_source="hotline",
            caller_name="张大爷",
            caller_phone="0335-3031234",
        ),
        now=NOW,
    )

    assert lead.stage is Stage.community and lead.lead_source is LeadSource.hotline
    assert lead.created_by_id == street.id
    (nominator,) = lead.nominators
    assert (nominator.kind, nominator.name, nominator.user_id, nominator.contact_phone) == (
        NominatorKind.public,
        "张大爷",
        None,
        "0335-3031234",
    )

    elsewhere = make_clerk(AssignmentKind.community_clerk, places["nanguan"], name="南关")
    lead_values = values(round_, places["wenhuali"], lead_source="email", caller_name="李")
    with pytest.raises(Forbidden):
        nominations.enter_lead(elsewhere, lead_values, now=NOW)
    with pytest.raises(Forbidden):
        nominations.enter_lead(verified(), lead_values, now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        nominations.enter_lead(
            street, {**lead_values, "lead_source": "form", "caller_name": ""}, now=NOW
        )
    assert set(refused.value.errors) == {"lead_source", "caller_name"}
    assert count() == 1


def test_the_communitys_clerk_matches_a_lead_and_not_the_street(places, round_, clerk):
    lead = nominations.nominate(verified(), values(round_, places["wenhuali"]), now=NOW)
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    with pytest.raises(Forbidden):
        matching.match_nominee(street, lead.id, now=NOW, person_values={})

    matching.match_nominee(clerk, lead.id, now=NOW, person_values={})
    assert lead.person_id is not None and lead.stage is Stage.community


# Duplicates and honours held ----------------------------------------------------------------


def test_a_second_live_nomination_of_one_nominee_is_flagged_at_once(places, round_, clerk):
    first = draft(clerk, round_, places["wenhuali"])
    lead = nominations.nominate(verified(), values(round_, places["wenhuali"]), now=NOW)
    other_round = open_round(make_office())
    elsewhere = draft(clerk, other_round, places["wenhuali"])
    someone_else = draft(clerk, round_, places["wenhuali"], nominee_name="李四")

    assert first.duplicate_of_id is None
    assert lead.duplicate_of_id == first.id
    assert elsewhere.duplicate_of_id is None and someone_else.duplicate_of_id is None

    listed = reading.list_nominations(
        clerk, reading.NominationFilter(is_flagged=True), Window(), now=NOW
    )
    assert listed.items == [lead]


def test_matching_two_to_one_record_flags_the_later_match(places, round_, clerk):
    office = make_office()
    person = make_person(places["wenhuali"], office, name="王秀兰", birth_date=date(1958, 3, 12))
    first = draft(clerk, round_, places["wenhuali"])
    second = draft(clerk, round_, places["wenhuali"], nominee_name="王秀蘭")
    assert second.duplicate_of_id is None

    matching.match_nominee(clerk, first.id, now=NOW, person_id=person.id)
    matching.match_nominee(clerk, second.id, now=NOW, person_id=person.id)

    assert first.duplicate_of_id is None and second.duplicate_of_id == first.id


def test_withdrawing_the_first_points_its_duplicates_at_the_next(places, round_, clerk):
    user = verified()
    first = nominations.nominate(user, values(round_, places["wenhuali"]), now=NOW)
    second = draft(clerk, round_, places["wenhuali"])
    third = draft(clerk, round_, places["wenhuali"])
    assert second.duplicate_of_id == first.id and third.duplicate_of_id == first.id

    endings.withdraw_nomination(user, first.id, now=NOW, reason="已另行推荐")

    assert first.stage is Stage.withdrawn
    assert second.duplicate_of_id is None and third.duplicate_of_id == second.id
    fourth = draft(clerk, round_, places["wenhuali"])
    assert fourth.duplicate_of_id == second.id


def test_a_nominee_holding_this_honour_or_a_higher_one_is_flagged(places, round_, clerk):
    office = make_office()
    scope = services.scope_of(office, NOW)
    holders = {}
    for code, name in (
        ("good_person_hebei", "甲"),
        ("good_person_city", "乙"),
        ("good_person_county", "丙"),
        ("outstanding_volunteer", "丁"),
    ):
        person = make_person(places["wenhuali"], office, name=name)
        holders[code] = services.award_honour(
            office,
            scope,
            {
                "person_id": person.id,
                "honour_type_id": honour_type(code).id,
                "awarded_on": date(2025, 5, 1),
                "source": HonourSource.archive,
            },
            now=NOW,
        )
    flagged = {}
    for code, honour in holders.items():
        nomination = draft(clerk, round_, places["wenhuali"], nominee_name=honour.person.name)
        matching.match_nominee(clerk, nomination.id, now=NOW, person_id=honour.person_id)
        flagged[code] = nomination.held_honour_id

    assert flagged == {
        "good_person_hebei": holders["good_person_hebei"].id,
        "good_person_city": holders["good_person_city"].id,
        "good_person_county": None,
        "outstanding_volunteer": None,
    }


# Merging ---------------------------------------------------------------------------------------


def test_a_duplicate_is_merged_into_the_first_keeping_every_nominator(places, round_, clerk):
    first = matched_draft(clerk, round_, places["wenhuali"])
    nominations.submit_nomination(clerk, first.id, now=NOW)
    user = verified()
    lead = nominations.nominate(
        user,
        values(round_, places["wenhuali"]),
        now=NOW,
        incoming=[incoming(files.Attachment.evidence, pdf(), "证明.pdf")],
        settings=upload_settings(),
    )
    assert lead.duplicate_of_id == first.id
    later = NOW + timedelta(hours=1)

    merged_into = endings.merge_duplicate(clerk, lead.id, now=later)

    assert merged_into is first
    assert lead.stage is Stage.merged and lead.merged_into_id == first.id
    assert steps(lead)[-1] == (StepAction.merged, Stage.community, Stage.merged)
    assert steps(first)[-1] == (StepAction.merged, Stage.street, Stage.street)
    kept = db.session.scalars(
        select(Nominator).where(Nominator.nomination_id == first.id).order_by(Nominator.id)
    ).all()
    assert [(n.user_id, n.from_nomination_id) for n in kept] == [
        (clerk.id, first.id),
        (user.id, lead.id),
    ]
    (evidence,) = files.files_of(first)
    assert evidence.nomination_id == lead.id
    # The street's clerk reads the first, and so the file that came with the duplicate.
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    assert uploads.may_read(street, evidence.upload, now=later)
    assert not uploads.may_read(make_user(), evidence.upload, now=later)
    detail = reading.show_nomination(
        street, first.id, now=later, channel=ViewChannel.page, place="t"
    )
    assert detail.merged_from == [lead.id]

    with pytest.raises(Conflict):
        endings.merge_duplicate(clerk, lead.id, now=later)


def test_merging_is_refused_to_others_and_when_there_is_nothing_to_merge(places, round_, clerk):
    first = draft(clerk, round_, places["wenhuali"])
    second = draft(clerk, round_, places["wenhuali"])
    outsider = make_clerk(AssignmentKind.community_clerk, places["nanguan"], name="南关")
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")

    with pytest.raises(NotFound):
        endings.merge_duplicate(outsider, second.id, now=NOW)
    with pytest.raises(Forbidden):
        endings.merge_duplicate(street, second.id, now=NOW)
    with pytest.raises(Conflict) as not_flagged:
        endings.merge_duplicate(clerk, first.id, now=NOW)
    assert not_flagged.value.code == "not_duplicate"
    first.stage = Stage.rejected
    db.session.flush()
    with pytest.raises(Conflict) as ended:
        endings.merge_duplicate(clerk, second.id, now=NOW)
    assert ended.value.code == "first_ended"
    assert second.stage is Stage.draft and count(Nominator) == 2


# Withdrawing ---------------------------------------------------------------------------------


def test_who_filed_it_withdraws_before_the_notice(places, round_, clerk):
    user = verified()
    nomination = nominations.nominate(user, values(round_, places["wenhuali"]), now=NOW)
    with pytest.raises(Forbidden):
        endings.withdraw_nomination(clerk, nomination.id, now=NOW)
    nomination.stage = Stage.panel
    db.session.flush()

    endings.withdraw_nomination(user, nomination.id, now=NOW, reason="本人不愿参评")

    assert nomination.stage is Stage.withdrawn
    assert steps(nomination)[-1] == (StepAction.withdrawn, Stage.panel, Stage.withdrawn)
    assert (
        db.session.scalars(
            select(ReviewStep.opinion).where(ReviewStep.nomination_id == nomination.id)
        ).all()[-1]
        == "本人不愿参评"
    )
    with pytest.raises(Conflict):
        endings.withdraw_nomination(user, nomination.id, now=NOW)


def test_nothing_is_withdrawn_at_the_notice_nor_by_a_nominator_merged_in(places, round_, clerk):
    at_notice = make_nomination(round_, places["wenhuali"], stage=Stage.notice, by=clerk)
    with pytest.raises(Conflict):
        endings.withdraw_nomination(clerk, at_notice.id, now=NOW)
    assert at_notice.stage is Stage.notice

    first = draft(clerk, round_, places["wenhuali"], nominee_name="孙")
    user = verified()
    lead = nominations.nominate(
        user, values(round_, places["wenhuali"], nominee_name="孙"), now=NOW
    )
    endings.merge_duplicate(clerk, lead.id, now=NOW)
    with pytest.raises(Forbidden):
        endings.withdraw_nomination(user, first.id, now=NOW)
    with pytest.raises(ValidationFailed):
        endings.withdraw_nomination(clerk, first.id, now=NOW, reason="理" * 501)
    endings.withdraw_nomination(make_office(), first.id, now=NOW, reason="推荐单位来函撤回")
    assert first.stage is Stage.withdrawn


# Files -------------------------------------------------------------------------------------------


def test_a_drafts_files_the_id_photo_replaced_and_no_sixth_life_photo(places, round_, clerk):
    nomination = draft(clerk, round_, places["wenhuali"])
    settings = upload_settings()
    first_photo = nominations.add_file(
        clerk, nomination.id, incoming(files.Attachment.id_photo), now=NOW, settings=settings
    )
    second_photo = nominations.add_file(
        clerk,
        nomination.id,
        incoming(files.Attachment.id_photo, png((0, 0, 200))),
        now=NOW,
        settings=settings,
    )
    assert nomination.id_photo_upload_id == second_photo.id != first_photo.id
    assert not uploads.may_read(clerk, first_photo, now=NOW)
    nominations.add_file(
        clerk,
        nomination.id,
        incoming(files.Attachment.sealed_form, pdf(), "推荐表.pdf"),
        now=NOW,
        settings=settings,
    )
    for _ in range(files.LIFE_PHOTOS_MAX):
        nominations.add_file(clerk, nomination.id, incoming(), now=NOW, settings=settings)

    with pytest.raises(ValidationFailed) as sixth:
        nominations.add_file(clerk, nomination.id, incoming(), now=NOW, settings=settings)
    assert "file" in sixth.value.errors
    with pytest.raises(ValidationFailed):
        nominations.add_file(
            clerk,
            nomination.id,
            incoming(files.Attachment.id_photo, pdf(), "a.pdf"),
            now=NOW,
            settings=settings,
        )
    assert count(NominationFile) == files.LIFE_PHOTOS_MAX

    life = files.files_of(nomination)[1].upload
    nominations.remove_file(clerk, nomination.id, life.public_key, now=NOW)
    nominations.remove_file(clerk, nomination.id, second_photo.public_key, now=NOW)
    assert count(NominationFile) == files.LIFE_PHOTOS_MAX - 1
    assert nomination.id_photo_upload_id is None
    with pytest.raises(NotFound):
        nominations.remove_file(clerk, nomination.id, life.public_key, now=NOW)
    assert [entry.attachment for entry in files.files_of(nomination)] == [
        *[files.Attachment.life_photo] * (files.LIFE_PHOTOS_MAX - 1),
        files.Attachment.sealed_form,
    ]


def test_files_change_only_while_a_draft_or_a_fresh_lead(places, round_, clerk):
    user = verified()
    lead = nominations.nominate(user, values(round_, places["wenhuali"]), now=NOW)
    settings = upload_settings()
    added = nominations.add_file(user, lead.id, incoming(), now=NOW, settings=settings)
    nominations.add_file(clerk, lead.id, incoming(), now=NOW, settings=settings)
    assert uploads.may_read(clerk, added, now=NOW) and uploads.may_read(user, added, now=NOW)
    stranger = verified("路人")
    with pytest.raises(NotFound):
        nominations.add_file(stranger, lead.id, incoming(), now=NOW, settings=settings)
    assert not uploads.may_read(stranger, added, now=NOW)

    matching.match_nominee(clerk, lead.id, now=NOW, person_values={})
    services.pipeline.record_step(lead, StepAction.forwarded, Stage.street, clerk, now=NOW)
    with pytest.raises(Conflict):
        nominations.add_file(user, lead.id, incoming(), now=NOW, settings=settings)
    with pytest.raises(Conflict):
        nominations.remove_file(user, lead.id, added.public_key, now=NOW)
    assert count(NominationFile) == 2


# Reading -----------------------------------------------------------------------------------------


def test_the_list_holds_the_clerks_region_and_mine_what_i_filed(places, round_, clerk):
    here = draft(clerk, round_, places["wenhuali"])
    user = verified()
    lead = nominations.nominate(
        user, values(round_, places["nanguan"], nominee_name="李四"), now=NOW
    )
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="街道专干")
    office = make_office()

    def listed(who, **filters):
        found = reading.list_nominations(
            who, reading.NominationFilter(**filters), Window(), now=NOW
        )
        return {n.id for n in found.items}

    assert listed(street) == {here.id}
    assert listed(office) == {here.id, lead.id}
    assert listed(office, channel=Channel.public) == {lead.id}
    assert listed(office, stage=Stage.draft) == {here.id}
    assert listed(office, round_id=round_.id + 1) == set()
    assert listed(user) == set()
    assert [n.id for n in reading.list_my_nominations(user, Window()).items] == [lead.id]
    assert [n.id for n in reading.list_my_nominations(clerk, Window()).items] == [here.id]


def test_the_nominees_phone_and_id_number_are_whole_for_the_district_once_matched(
    places, round_, clerk
):
    number = id_number(date(1958, 3, 12), male=False)
    user = verified()
    lead = nominations.nominate(
        user, values(round_, places["wenhuali"], nominee_id_number=number), now=NOW
    )
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"], name="区文明办")

    def shown(who):
        return reading.show_nomination(
            who, lead.id, now=NOW, channel=ViewChannel.page, place="test"
        ).shown

    assert shown(district).nominee_id_number == number[:3] + "*" * 11 + number[-4:]
    assert count(SensitiveView) == 0
    matching.match_nominee(clerk, lead.id, now=NOW, person_values={})

    whole = shown(district)
    assert (whole.nominee_id_number, whole.nominee_phone, whole.is_whole) == (
        number,
        "13803357788",
        True,
    )
    assert whole.contact_phones == {lead.nominators[0].id: user.phone}
    (view,) = db.session.scalars(select(SensitiveView)).all()
    assert (view.viewer_id, view.person_id, view.fields) == (
        district.id,
        lead.person_id,
        "id_number,phone",
    )
    for who in (clerk, user):
        masked = shown(who)
        assert masked.nominee_phone == "138****7788" and not masked.is_whole
    assert count(SensitiveView) == 1
    detail = reading.show_nomination(user, lead.id, now=NOW, channel=ViewChannel.page, place="t")
    assert detail.actions == ["change_files", "withdraw"] and not detail.sees_actors
    with pytest.raises(NotFound):
        shown(verified("路人"))
