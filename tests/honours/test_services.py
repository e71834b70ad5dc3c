"""The register's rules through its services: entering and correcting persons within one's
region, duplicates and merging, honours and who records them, privacy and the log of whole
views, and the register's filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from honours import services
from honours.models import (
    Honour,
    HonourCategory,
    HonourLevel,
    HonourRevision,
    HonourSource,
    Person,
    PersonRevision,
    PersonStatus,
    RevisionAction,
    SensitiveView,
    ViewChannel,
)
from honours.services import duplicates
from tests.builders import make_team, make_user
from tests.honours.builders import (
    NOW,
    honour_type,
    id_number,
    make_clerk,
    make_office,
    make_person,
    make_places,
    make_round,
    scope,
)

COMMUNITY = AssignmentKind.community_clerk
STREET = AssignmentKind.street_clerk
DISTRICT = AssignmentKind.district_clerk
LINK = "https://www.wenming.cn/sbhr_pd/hr2024/"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def places(app):
    return make_places()


def fields(place, **values):
    birth = values.pop("birth_date", date(1958, 3, 5))
    return {
        "name": "李秀兰",
        "birth_date": birth,
        "id_number": id_number(birth, male=False),
        "region_id": place.id,
        **values,
    }


# Entering and correcting ----------------------------------------------------------------


def test_a_community_clerk_enters_a_person_of_their_community_with_a_revision(places):
    clerk = make_clerk(COMMUNITY, places["wenhuali"])

    person = services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)

    assert person.district_id == places["haigang"].district_id
    assert person.gender.value == "female"
    (revision,) = services.list_person_history(scope(clerk), person.id)
    assert revision.action is RevisionAction.created
    assert revision.actor_id == clerk.id
    assert revision.changes["name"] == [None, "李秀兰"]


def test_a_clerk_outside_their_region_is_refused_and_nothing_is_written(places):
    clerk = make_clerk(COMMUNITY, places["wenhuali"])
    office_person = make_person(places["hongqilu"])

    with pytest.raises(Forbidden, match="不在您负责的地区内"):
        services.enter_person(clerk, scope(clerk), fields(places["hongqilu"]), now=NOW)
    with pytest.raises(Forbidden):
        services.get_person(scope(clerk), office_person.id)
    with pytest.raises(Forbidden):
        services.correct_person(
            clerk, scope(clerk), office_person.id, {"name": "改名"}, reason="错字", now=NOW
        )
    assert count(Person) == 1
    assert count(PersonRevision) == 1


def test_a_street_clerk_acts_in_every_community_of_the_street_but_not_beyond(places):
    clerk = make_clerk(STREET, places["wenhualu"])

    services.enter_person(clerk, scope(clerk), fields(places["hongqilu"]), now=NOW)
    with pytest.raises(Forbidden):
        services.enter_person(clerk, scope(clerk), fields(places["haibinlu"]), now=NOW)


def test_someone_without_an_assignment_finds_nothing(places):
    person = make_person(places["wenhuali"])
    volunteer = make_user()

    with pytest.raises(NotFound):
        services.get_person(scope(volunteer), person.id)
    assert services.list_persons(scope(volunteer), services.PersonFilter(), Window()).total == 0
    with pytest.raises(NotFound):
        services.enter_person(volunteer, scope(volunteer), fields(places["wenhuali"]), now=NOW)


def test_a_withdrawn_assignment_no_longer_acts(places):
    clerk = make_clerk(COMMUNITY, places["wenhuali"])
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == clerk.id))
    assignment.withdrawn_at = NOW - timedelta(hours=1)

    with pytest.raises(NotFound):
        services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)


def test_a_disabled_clerk_no_longer_acts(places):
    clerk = make_clerk(DISTRICT, places["haigang"])
    clerk.is_enabled = False

    with pytest.raises(NotFound):
        services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("13030219580305002", "17位"),
        ("130302195803050020", "校验位"),
        ("13030219581305002X", "校验位"),
    ],
)
def test_a_wrong_id_number_is_refused_with_a_clear_message(places, number, message):
    office = make_office()
    with pytest.raises(ValidationFailed) as refused:
        services.enter_person(
            office, scope(office), fields(places["wenhuali"], id_number=number), now=NOW
        )
    assert message in refused.value.errors["id_number"][0]
    assert count(Person) == 0


def test_the_birth_date_must_agree_with_the_id_number(places):
    office = make_office()
    values = fields(places["wenhuali"])
    values["birth_date"] = date(1958, 3, 6)
    with pytest.raises(ValidationFailed) as refused:
        services.enter_person(office, scope(office), values, now=NOW)
    assert "birth_date" in refused.value.errors


def test_a_minor_needs_a_guardian(places):
    office = make_office()
    child = fields(places["wenhuali"], birth_date=date(2014, 9, 1))

    with pytest.raises(ValidationFailed) as refused:
        services.enter_person(office, scope(office), child, now=NOW)
    assert "guardian_name" in refused.value.errors

    child.update(guardian_name="王芳", guardian_relation="母亲", guardian_phone="13803350002")
    person = services.enter_person(office, scope(office), child, now=NOW)
    assert person.guardian_relation == "母亲"


def test_a_deceased_person_needs_the_date_of_death(places):
    office = make_office()
    with pytest.raises(ValidationFailed) as refused:
        services.enter_person(
            office,
            scope(office),
            fields(places["wenhuali"], status=PersonStatus.deceased),
            now=NOW,
        )
    assert "died_on" in refused.value.errors


def test_a_correction_keeps_the_values_before_and_after_with_who_and_why(places):
    clerk = make_clerk(DISTRICT, places["haigang"], name="海港区文明办")
    person = make_person(places["wenhuali"])

    services.correct_person(
        clerk,
        scope(clerk),
        person.id,
        {"phone": "13803359999", "region_id": places["hongqilu"].id},
        reason="本人来电更正",
        now=NOW + timedelta(hours=1),
    )

    assert person.phone == "13803359999"
    history = services.list_person_history(scope(clerk), person.id)
    assert [r.action for r in history] == [RevisionAction.created, RevisionAction.corrected]
    assert history[1].changes == {
        "phone": ["13803350001", "13803359999"],
        "region_id": [places["wenhuali"].id, places["hongqilu"].id],
    }
    assert history[1].reason == "本人来电更正"
    assert history[1].actor_id == clerk.id


def test_a_correction_without_a_reason_or_changing_nothing_is_refused(places):
    office = make_office()
    person = make_person(places["wenhuali"], office)

    with pytest.raises(ValidationFailed) as refused:
        services.correct_person(
            office, scope(office), person.id, {"phone": "1"}, reason=" ", now=NOW
        )
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed, match="没有任何改动"):
        services.correct_person(
            office, scope(office), person.id, {"name": person.name}, reason="核对", now=NOW
        )
    assert count(PersonRevision) == 1


def test_a_clerk_cannot_move_a_person_out_of_their_region(places):
    clerk = make_clerk(COMMUNITY, places["wenhuali"])
    person = services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)

    with pytest.raises(Forbidden):
        services.correct_person(
            clerk,
            scope(clerk),
            person.id,
            {"region_id": places["nanguan"].id},
            reason="搬家",
            now=NOW,
        )
    assert person.region_id == places["wenhuali"].id


def test_consent_is_recorded_and_withdrawn_with_who_and_when(places):
    clerk = make_clerk(COMMUNITY, places["wenhuali"])
    person = services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)

    services.record_consent(clerk, scope(clerk), person.id, is_given=True, now=NOW)
    assert person.has_publication_consent
    later = NOW + timedelta(days=3)
    services.record_consent(clerk, scope(clerk), person.id, is_given=False, now=later)

    assert not person.has_publication_consent
    assert person.consent_recorded_at == later
    assert person.consent_recorded_by_id == clerk.id
    with pytest.raises(ValidationFailed):
        services.record_consent(clerk, scope(clerk), person.id, is_given=False, now=later)


# Duplicates and merging -----------------------------------------------------------------


def test_the_same_id_number_is_refused_naming_the_record_already_there(places):
    clerk = make_clerk(DISTRICT, places["haigang"])
    first = services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)

    again = fields(places["hongqilu"], name="李秀蘭", id_number=first.id_number)
    with pytest.raises(Conflict) as refused:
        services.enter_person(clerk, scope(clerk), again, now=NOW, is_distinct_confirmed=True)

    assert f"{first.id}号" in str(refused.value.message)
    assert "李秀兰" in str(refused.value.message)
    assert "id_number" in refused.value.errors
    assert count(Person) == 1


def test_the_same_name_birth_date_and_region_is_flagged_until_confirmed(places):
    office = make_office()
    first = services.enter_person(
        office, scope(office), fields(places["wenhuali"], id_number=None), now=NOW
    )
    again = fields(places["wenhuali"], id_number=None)

    with pytest.raises(Conflict) as refused:
        services.enter_person(office, scope(office), again, now=NOW)
    assert refused.value.code == "possible_duplicate"
    assert f"{first.id}号" in str(refused.value.message)

    second = services.enter_person(
        office, scope(office), again, now=NOW, is_distinct_confirmed=True
    )
    assert second.id != first.id


def test_merging_moves_the_honours_and_keeps_both_histories(places):
    clerk = make_clerk(DISTRICT, places["haigang"])
    office = make_office()
    survivor = services.enter_person(
        clerk, scope(clerk), fields(places["wenhuali"], id_number=None), now=NOW
    )
    duplicate = services.enter_person(
        clerk,
        scope(clerk),
        fields(places["wenhuali"], phone="13803350003"),
        now=NOW,
        is_distinct_confirmed=True,
    )
    honour = services.award_honour(
        office,
        scope(office),
        {
            "person_id": duplicate.id,
            "honour_type_id": honour_type("good_person_city").id,
            "category": HonourCategory.filial_piety,
            "awarded_on": date(2025, 12, 1),
        },
        now=NOW,
    )

    services.merge_persons(
        clerk, scope(clerk), survivor.id, duplicate.id, reason="同一人，重复录入", now=NOW
    )

    assert honour.person_id == survivor.id
    assert duplicate.merged_into_id == survivor.id
    assert survivor.id_number == duplicate.id_number
    assert survivor.phone == "13803350003"
    moved = db.session.scalar(
        select(HonourRevision).where(HonourRevision.action == RevisionAction.moved)
    )
    assert moved.changes == {"person_id": [duplicate.id, survivor.id]}
    actions = [r.action for r in services.list_person_history(scope(clerk), duplicate.id)]
    assert actions == [RevisionAction.created, RevisionAction.merged]
    absorbed = services.list_person_history(scope(clerk), survivor.id)[-1]
    assert absorbed.changes["merged_from"] == [None, duplicate.id]
    # The merged record stays readable but is no longer changed, nor listed.
    with pytest.raises(ValidationFailed, match=f"{survivor.id}号"):
        services.correct_person(
            clerk, scope(clerk), duplicate.id, {"name": "x"}, reason="x", now=NOW
        )
    listed = services.list_persons(scope(clerk), services.PersonFilter(), Window()).items
    assert listed == [survivor]


def test_a_clerk_cannot_merge_a_record_outside_their_region(places):
    clerk = make_clerk(COMMUNITY, places["wenhuali"])
    mine = services.enter_person(clerk, scope(clerk), fields(places["wenhuali"]), now=NOW)
    theirs = make_person(places["nanguan"])

    with pytest.raises(Forbidden):
        services.merge_persons(clerk, scope(clerk), mine.id, theirs.id, reason="重复", now=NOW)
    assert theirs.merged_into_id is None


def test_merging_a_record_into_itself_is_refused(places):
    office = make_office()
    person = make_person(places["wenhuali"], office)
    with pytest.raises(ValidationFailed):
        services.merge_persons(office, scope(office), person.id, person.id, reason="x", now=NOW)


# Honours ----------------------------------------------------------------------------------


def test_the_city_records_an_external_listing_with_its_link(places):
    office = make_office()
    person = make_person(places["wenhuali"], office)

    honour = services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_china").id,
            "category": HonourCategory.bravery,
            "awarded_on": date(2024, 9, 20),
            "source": HonourSource.external,
            "source_name": "中国好人榜 2024年9月",
            "source_url": LINK,
        },
        now=NOW,
    )

    assert honour.honour_type.level is HonourLevel.national
    (revision,) = services.list_honour_history(scope(office), honour.id)
    assert revision.changes["source_url"] == [None, LINK]


def test_an_external_listing_needs_a_link_and_the_city(places):
    office = make_office()
    district = make_clerk(DISTRICT, places["haigang"])
    person = make_person(places["wenhuali"], office)
    values = {
        "person_id": person.id,
        "honour_type_id": honour_type("good_person_hebei").id,
        "awarded_on": date(2024, 5, 1),
        "source": HonourSource.external,
    }

    with pytest.raises(ValidationFailed) as refused:
        services.award_honour(office, scope(office), values, now=NOW)
    assert "source_url" in refused.value.errors
    with pytest.raises(Forbidden, match="由市文明办录入"):
        services.award_honour(district, scope(district), {**values, "source_url": LINK}, now=NOW)
    assert count(Honour) == 0


def test_a_district_records_its_own_district_level_honours_only(places):
    district = make_clerk(DISTRICT, places["haigang"])
    community = make_clerk(COMMUNITY, places["wenhuali"])
    person = make_person(places["wenhuali"])
    county = {
        "person_id": person.id,
        "honour_type_id": honour_type("good_person_county").id,
        "awarded_on": date(2025, 1, 10),
    }

    services.award_honour(district, scope(district), county, now=NOW)
    with pytest.raises(Forbidden):
        services.award_honour(community, scope(community), county, now=NOW)
    with pytest.raises(Forbidden, match="区县级以上"):
        services.award_honour(
            district,
            scope(district),
            {**county, "honour_type_id": honour_type("moral_model_city").id},
            now=NOW,
        )
    assert count(Honour) == 1


def test_a_round_honours_a_deceased_person_posthumously(places):
    # 追授: one who died doing good is nominated with a relative's consent and honoured.
    office = make_office()
    person = make_person(
        places["wenhuali"], office, status=PersonStatus.deceased, died_on=date(2026, 2, 1)
    )
    round_ = make_round(office)

    honour = services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_city").id,
            "awarded_on": date(2026, 5, 1),
            "source": HonourSource.round,
            "round_id": round_.id,
        },
        now=NOW,
    )

    assert (honour.person_id, honour.round_id) == (person.id, round_.id)


def test_the_same_honour_twice_is_refused(places):
    office = make_office()
    person = make_person(places["wenhuali"], office)
    values = {
        "person_id": person.id,
        "honour_type_id": honour_type("outstanding_volunteer").id,
        "awarded_on": date(2025, 12, 5),
    }
    services.award_honour(office, scope(office), values, now=NOW)
    with pytest.raises(Conflict):
        services.award_honour(office, scope(office), values, now=NOW)


def test_a_team_holds_a_team_honour_recorded_by_the_city(places):
    office = make_office()
    team = make_team()
    district = make_clerk(DISTRICT, places["haigang"])
    values = {
        "team_id": team.id,
        "honour_type_id": honour_type("outstanding_team").id,
        "awarded_on": date(2025, 12, 5),
    }

    honour = services.award_honour(office, scope(office), values, now=NOW)
    assert honour.team_id == team.id
    with pytest.raises(Forbidden):
        services.award_honour(district, scope(district), values, now=NOW)
    with pytest.raises(ValidationFailed):
        services.award_honour(
            office,
            scope(office),
            {**values, "honour_type_id": honour_type("good_person_city").id},
            now=NOW,
        )


def test_an_honour_is_corrected_with_a_reason_and_a_revision(places):
    office = make_office()
    person = make_person(places["wenhuali"], office)
    honour = services.award_honour(
        office,
        scope(office),
        {
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_city").id,
            "awarded_on": date(2025, 12, 5),
        },
        now=NOW,
    )

    services.correct_honour(
        office,
        scope(office),
        honour.id,
        {"certificate_number": "QHD-HR-2025-012"},
        reason="补录证书编号",
        now=NOW,
    )

    history = services.list_honour_history(scope(office), honour.id)
    assert history[-1].changes == {"certificate_number": [None, "QHD-HR-2025-012"]}
    assert history[-1].reason == "补录证书编号"


# Privacy ----------------------------------------------------------------------------------


def test_sensitive_fields_are_masked_below_the_district(places):
    community = make_clerk(COMMUNITY, places["wenhuali"])
    street = make_clerk(STREET, places["wenhualu"])
    person = make_person(places["wenhuali"])

    for clerk in (community, street):
        shown = services.show_person(
            person,
            scope(clerk),
            viewer_id=clerk.id,
            channel=ViewChannel.page,
            place="test",
            now=NOW,
        )
        assert not shown.is_whole
        assert shown.id_number == person.id_number[:3] + "*" * 11 + person.id_number[-4:]
        assert shown.phone == "138****0001"
        assert shown.address == "****"
        assert shown.hardship_notes == "****"
    assert count(SensitiveView) == 0


def test_the_district_and_the_city_see_them_whole_and_each_view_is_logged(places):
    district = make_clerk(DISTRICT, places["haigang"])
    city_staff = make_clerk(AssignmentKind.city_staff)
    person = make_person(places["wenhuali"])

    for viewer in (district, city_staff):
        shown = services.show_person(
            person,
            scope(viewer),
            viewer_id=viewer.id,
            channel=ViewChannel.api,
            place="api.honours.person",
            now=NOW,
        )
        assert shown.is_whole
        assert shown.id_number == person.id_number

    views = db.session.scalars(select(SensitiveView).order_by(SensitiveView.id)).all()
    assert [v.viewer_id for v in views] == [district.id, city_staff.id]
    assert views[0].field_names == ["id_number", "phone", "address", "hardship"]
    assert views[0].channel is ViewChannel.api
    assert views[0].viewed_at == NOW


def test_another_districts_clerk_sees_nothing_of_the_person(places):
    other = make_clerk(DISTRICT, places["shanhaiguan"])
    person = make_person(places["wenhuali"])
    with pytest.raises(Forbidden):
        services.get_person(scope(other), person.id)


def test_the_log_is_read_whole_by_the_city_and_by_district_for_its_persons(places):
    office = make_office()
    haigang = make_clerk(DISTRICT, places["haigang"])
    shanhaiguan = make_clerk(DISTRICT, places["shanhaiguan"])
    community = make_clerk(COMMUNITY, places["wenhuali"])
    here = make_person(places["wenhuali"], office)
    there = make_person(places["nanguan"], office, name="赵守信")
    for viewer, person in ((haigang, here), (shanhaiguan, there), (office, there)):
        services.show_person(
            person,
            scope(viewer),
            viewer_id=viewer.id,
            channel=ViewChannel.page,
            place="t",
            now=NOW,
        )

    assert services.list_sensitive_views(scope(office), Window()).total == 3
    mine = services.list_sensitive_views(scope(haigang), Window()).items
    assert [v.person_id for v in mine] == [here.id]
    assert services.list_sensitive_views(scope(community), Window()).total == 0


def test_a_revision_shows_sensitive_values_masked_to_whom_may_not_see_them(places):
    office = make_office()
    community = make_clerk(COMMUNITY, places["wenhuali"])
    person = make_person(places["wenhuali"], office)
    services.correct_person(
        office, scope(office), person.id, {"phone": "13803357777"}, reason="更正", now=NOW
    )
    revision = services.list_person_history(scope(office), person.id)[-1]

    assert services.shown_changes(revision.changes, scope(community), person.region_id) == {
        "phone": ["138****0001", "138****7777"]
    }
    assert services.shown_changes(revision.changes, scope(office), person.region_id) == {
        "phone": ["13803350001", "13803357777"]
    }


# The register's list --------------------------------------------------------------------


def test_the_register_filters_by_level_type_category_district_and_year(places):
    office = make_office()
    haigang = make_person(places["wenhuali"], office)
    shanhaiguan = make_person(places["nanguan"], office, name="赵守信")

    def award(person, code, day, category=None):
        return services.award_honour(
            office,
            scope(office),
            {
                "person_id": person.id,
                "honour_type_id": honour_type(code).id,
                "awarded_on": day,
                "category": category,
            },
            now=NOW,
        )

    national = award(haigang, "good_person_china", date(2024, 3, 1), HonourCategory.bravery)
    city = award(haigang, "good_person_city", date(2025, 3, 1), HonourCategory.honesty)
    other = award(shanhaiguan, "good_person_city", date(2025, 6, 1), HonourCategory.bravery)

    def listed(**filters):
        found = services.list_register(scope(office), services.RegisterFilter(**filters), Window())
        return [h.id for h in found.items]

    assert listed() == [other.id, city.id, national.id]
    assert listed(level=HonourLevel.national) == [national.id]
    assert listed(category=HonourCategory.bravery) == [other.id, national.id]
    assert listed(district_id=places["shanhaiguan"].district_id) == [other.id]
    assert listed(year=2025) == [other.id, city.id]
    assert listed(honour_type_id=honour_type("good_person_city").id, year=2025) == [
        other.id,
        city.id,
    ]
    district = make_clerk(DISTRICT, places["shanhaiguan"])
    found = services.list_register(scope(district), services.RegisterFilter(), Window())
    assert [h.id for h in found.items] == [other.id]


def test_a_twin_entered_at_the_same_moment_is_refused_by_the_index(places, monkeypatch):
    office = make_office()
    first = make_person(places["wenhuali"], office)
    db.session.commit()
    # As when another clerk's row is not yet visible to the check: only the index sees it.
    monkeypatch.setattr(duplicates, "find_duplicates", lambda *args, **kwargs: ([], []))

    with pytest.raises(Conflict) as refused:
        services.enter_person(
            office,
            scope(office),
            fields(places["hongqilu"], id_number=first.id_number, birth_date=first.birth_date),
            now=NOW,
        )

    assert "id_number" in refused.value.errors
    db.session.rollback()  # as the request's edge does on a refusal
    assert count(Person) == 1
