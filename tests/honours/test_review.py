"""Review level by level: each level forwards, returns with a reason or rejects; the city sends
a media case down; the district forwards within its quota and once the agencies have answered;
a reviewer declares a conflict and acts no more. Every refusal (not the level, not the region,
filed it, declared a conflict, no reason, no checklist, unmatched, quota used) is clear and
changes nothing. Background checks are the district's and the city's only."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind, RoleAssignment
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.workdays import WorkCalendar
from honours.models import RoundQuota
from honours.nomination_models import (
    Agency,
    BackgroundCheck,
    Channel,
    CheckResult,
    ConflictDeclaration,
    PanelMember,
    ReviewStep,
    Stage,
    StepAction,
)
from honours.services import background, review
from honours.services.review import CheckItem
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places
from tests.honours.nomination_builders import make_nomination, open_round

SHANGHAI = ZoneInfo("Asia/Shanghai")
TICKED = [item.value for item in CheckItem]
TODAY = date(2026, 6, 1)


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round(quota=2)


@pytest.fixture
def clerks(places):
    return {
        "community": make_clerk(
            AssignmentKind.community_clerk, places["wenhuali"], name="文化里站"
        ),
        "street": make_clerk(AssignmentKind.street_clerk, places["wenhualu"], name="文化路所"),
        "district": make_clerk(AssignmentKind.district_clerk, places["haigang"], name="海港区"),
        "city": make_office(),
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def forward(user, nomination, **values):
    values = {"checklist": TICKED, "declared_no_conflict": True, **values}
    return review.review(user, nomination.id, "forward", now=NOW, **values)


def answer_checks(nomination, clerk, result=CheckResult.clear, agencies=tuple(Agency)):
    for agency in agencies:
        background.record_check(
            clerk,
            nomination.id,
            agency,
            {"sent_on": TODAY, "answered_on": TODAY, "result": result},
            now=NOW,
        )


def refused_and_unchanged(error, call, nomination):
    """Run the refused call and check that the nomination neither moved nor gained a step."""
    stage, steps = nomination.stage, count(ReviewStep)
    with pytest.raises(error) as refused:
        call()
    assert nomination.stage is stage and count(ReviewStep) == steps
    return refused.value


# Forward, level by level ------------------------------------------------------------------------


def test_a_lead_climbs_every_level_to_consent_with_each_step_kept(places, round_, clerks):
    person = make_person(places["wenhuali"])
    nomination = make_nomination(
        round_, places["wenhuali"], channel=Channel.public, person=person, stage=Stage.community
    )

    forward(clerks["community"], nomination, opinion="已入户核实")
    assert nomination.stage is Stage.street
    forward(clerks["street"], nomination)
    assert nomination.stage is Stage.district
    answer_checks(nomination, clerks["district"])
    forward(clerks["district"], nomination)
    assert nomination.stage is Stage.city
    step = forward(clerks["city"], nomination, opinion="同意")

    assert nomination.stage is Stage.consent and nomination.stage_entered_at == NOW
    steps = nomination.steps
    assert [(s.from_stage, s.to_stage, s.action) for s in steps] == [
        (Stage.community, Stage.street, StepAction.forwarded),
        (Stage.street, Stage.district, StepAction.forwarded),
        (Stage.district, Stage.city, StepAction.forwarded),
        (Stage.city, Stage.consent, StepAction.forwarded),
    ]
    assert [s.actor_id for s in steps] == [c.id for c in clerks.values()]
    assert steps[0].opinion == "已入户核实" and all(s.declared_no_conflict for s in steps)
    # Each level keeps the checklist it answers for.
    assert steps[0].checklist == {
        "identity_confirmed": True,
        "deeds_verified": True,
        "not_honoured": True,
    }
    assert step.checklist == {
        "identity_confirmed": True,
        "not_honoured": True,
        "background_checked": True,
    }


def test_each_level_returns_to_the_one_below_with_the_reason(places, round_, clerks):
    street = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    district = make_nomination(round_, places["wenhuali"], stage=Stage.district, name="王芳")

    review.review(clerks["street"], street.id, "return", opinion="事迹材料不全", now=NOW)
    review.review(clerks["district"], district.id, "return", opinion="请补充照片", now=NOW)

    assert street.stage is Stage.community and district.stage is Stage.street
    assert street.steps[-1].action is StepAction.returned
    assert street.steps[-1].opinion == "事迹材料不全"
    # The community returns a draft to its drafter.
    review.review(clerks["community"], street.id, "return", opinion="请重写事迹", now=NOW)
    assert street.stage is Stage.draft


def test_the_city_returns_to_the_district_only_what_came_through_it(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    answer_checks(nomination, clerks["district"])
    forward(clerks["district"], nomination)
    sector = make_nomination(round_, places["wenhuali"], stage=Stage.city, name="赵敏")

    review.review(clerks["city"], nomination.id, "return", opinion="请复核", now=NOW)
    assert nomination.stage is Stage.district
    refused = refused_and_unchanged(
        Conflict,
        lambda: review.review(clerks["city"], sector.id, "return", opinion="请复核", now=NOW),
        sector,
    )
    assert refused.code == "return"


def test_a_lead_or_media_case_at_the_community_is_not_returned_only_rejected(
    places, round_, clerks
):
    lead = make_nomination(round_, places["wenhuali"], channel=Channel.public)

    refused_and_unchanged(
        Conflict,
        lambda: review.review(clerks["community"], lead.id, "return", opinion="不实", now=NOW),
        lead,
    )
    review.review(clerks["community"], lead.id, "reject", opinion="经核实不属实", now=NOW)

    assert lead.stage is Stage.rejected
    assert lead.steps[-1].action is StepAction.rejected
    assert lead.steps[-1].opinion == "经核实不属实"


@pytest.mark.parametrize("stage", [Stage.community, Stage.street, Stage.district, Stage.city])
def test_every_level_rejects_with_the_reason(places, round_, clerks, stage):
    nomination = make_nomination(round_, places["wenhuali"], stage=stage)
    level = {Stage.community: "community", Stage.street: "street", Stage.district: "district"}

    review.review(
        clerks[level.get(stage, "city")], nomination.id, "reject", opinion="不符合", now=NOW
    )

    assert nomination.stage is Stage.rejected


def test_the_city_sends_a_media_case_down_and_it_climbs_again(places, round_, clerks):
    media = make_nomination(round_, places["wenhuali"], channel=Channel.media, stage=Stage.city)
    territorial = make_nomination(round_, places["wenhuali"], stage=Stage.city, name="周强")

    review.review(clerks["city"], media.id, "send_down", opinion="请社区实地核实", now=NOW)
    refused_and_unchanged(
        Conflict,
        lambda: review.review(clerks["city"], territorial.id, "send_down", opinion="核实", now=NOW),
        territorial,
    )

    assert media.stage is Stage.community
    assert media.steps[-1].action is StepAction.sent_down
    forward(clerks["community"], media)
    assert media.stage is Stage.street


# Refusals ---------------------------------------------------------------------------------------


def test_a_step_at_another_level_is_refused_saying_so(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)

    for user in (clerks["community"], clerks["district"], clerks["city"]):
        refused = refused_and_unchanged(
            Forbidden, lambda user=user: forward(user, nomination), nomination
        )
        assert refused.code == "not_your_level"


def test_a_step_outside_the_reviewers_region_is_refused(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    other_street = make_clerk(AssignmentKind.street_clerk, places["haibinlu"])
    # A community clerk of the nominee's community who is the street clerk of another street
    # reads the nomination, and is told it is not their region.
    both = make_clerk(AssignmentKind.street_clerk, places["haibinlu"])
    db.session.add(
        RoleAssignment(
            user_id=both.id,
            kind=AssignmentKind.community_clerk,
            region_id=places["wenhuali"].id,
            granted_at=NOW - timedelta(days=1),
        )
    )
    db.session.flush()

    refused_and_unchanged(NotFound, lambda: forward(other_street, nomination), nomination)
    refused = refused_and_unchanged(Forbidden, lambda: forward(both, nomination), nomination)
    assert refused.code == "not_your_region"
    refused_and_unchanged(NotFound, lambda: forward(make_user(), nomination), nomination)


def test_one_who_filed_it_or_declared_a_conflict_does_not_review_it(places, round_, clerks):
    filed = make_nomination(round_, places["wenhuali"], stage=Stage.street, by=clerks["street"])
    declared = make_nomination(round_, places["wenhuali"], stage=Stage.street, name="钱进")
    review.declare_conflict(clerks["street"], declared.id, "被推荐人是我的亲属", now=NOW)

    for nomination in (filed, declared):
        refused_and_unchanged(
            Forbidden, lambda n=nomination: forward(clerks["street"], n), nomination
        )
        refused_and_unchanged(
            Forbidden,
            lambda n=nomination: review.review(
                clerks["street"], n.id, "reject", opinion="不符合", now=NOW
            ),
            nomination,
        )


@pytest.mark.parametrize("action", ["return", "reject"])
def test_a_return_or_rejection_without_a_reason_is_refused(places, round_, clerks, action):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)

    refused = refused_and_unchanged(
        ValidationFailed,
        lambda: review.review(clerks["street"], nomination.id, action, opinion="  ", now=NOW),
        nomination,
    )
    assert list(refused.errors) == ["opinion"]


def test_a_forward_without_the_checklist_or_the_declaration_is_refused(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)

    refused = refused_and_unchanged(
        ValidationFailed,
        lambda: review.review(
            clerks["street"], nomination.id, "forward", checklist=["identity_confirmed"], now=NOW
        ),
        nomination,
    )
    assert set(refused.errors) == {"checklist", "declared_no_conflict"}
    assert CheckItem.deeds_verified.label in refused.errors["checklist"][0]
    refused = refused_and_unchanged(
        ValidationFailed,
        lambda: forward(clerks["street"], nomination, checklist=["identity_confirmed", "bogus"]),
        nomination,
    )
    assert list(refused.errors) == ["checklist"]
    refused = refused_and_unchanged(
        ValidationFailed,
        lambda: review.review(clerks["street"], nomination.id, "approve", now=NOW),
        nomination,
    )
    assert list(refused.errors) == ["action"]


def test_a_nominee_leaves_the_community_only_matched_to_the_register(places, round_, clerks):
    lead = make_nomination(round_, places["wenhuali"], channel=Channel.public)

    refused = refused_and_unchanged(Conflict, lambda: forward(clerks["community"], lead), lead)
    assert refused.code == "unmatched"
    lead.person_id = make_person(places["wenhuali"]).id
    forward(clerks["community"], lead)
    assert lead.stage is Stage.street


def test_a_nomination_past_review_takes_no_review_step(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.consent)

    refused = refused_and_unchanged(
        Conflict, lambda: forward(clerks["city"], nomination), nomination
    )
    assert refused.code == "stage"
    with pytest.raises(NotFound):
        review.review(clerks["city"], nomination.id + 1000, "reject", opinion="x", now=NOW)


# The district's quota ---------------------------------------------------------------------------


def test_the_district_forwards_within_its_quota_and_a_rejection_frees_a_place(places, clerks):
    round_ = open_round(quota=1)
    first = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    second = make_nomination(round_, places["hongqilu"], stage=Stage.district, name="孙丽")
    other_district = make_nomination(round_, places["nanguan"], stage=Stage.district, name="吴刚")
    # A sector's nomination entered at the city takes none of the district's places.
    make_nomination(round_, places["wenhuali"], stage=Stage.city, name="郑华")
    for nomination in (first, second):
        answer_checks(nomination, clerks["district"])

    forward(clerks["district"], first)
    assert review.quota_used(round_.id, first.district_id) == 1
    refused = refused_and_unchanged(Conflict, lambda: forward(clerks["district"], second), second)
    assert refused.code == "quota" and "1" in str(refused.message)

    review.review(clerks["city"], first.id, "reject", opinion="名额调整", now=NOW)
    forward(clerks["district"], second)
    assert second.stage is Stage.city
    assert review.quota_used(round_.id, first.district_id) == 1
    assert other_district.stage is Stage.district


def test_a_district_the_round_gives_no_places_forwards_nothing(places, clerks):
    round_ = open_round(quota=1)
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    answer_checks(nomination, clerks["district"])
    db.session.execute(
        RoundQuota.__table__.delete().where(RoundQuota.district_id == nomination.district_id)
    )

    refused = refused_and_unchanged(
        Conflict, lambda: forward(clerks["district"], nomination), nomination
    )
    assert refused.code == "quota"


# Background checks --------------------------------------------------------------------------------


def test_the_district_forwards_once_every_agency_has_answered(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    answer_checks(nomination, clerks["district"], agencies=(Agency.police, Agency.tax))
    background.record_check(
        clerks["district"], nomination.id, Agency.market, {"sent_on": TODAY}, now=NOW
    )

    refused = refused_and_unchanged(
        Conflict, lambda: forward(clerks["district"], nomination), nomination
    )
    assert refused.code == "background_checks"
    assert Agency.discipline.label in str(refused.message)
    assert Agency.market.label in str(refused.message)
    assert Agency.police.label not in str(refused.message)

    answer_checks(nomination, clerks["district"], agencies=(Agency.market,))
    answer_checks(
        nomination, clerks["district"], result=CheckResult.concern, agencies=(Agency.discipline,)
    )
    refused = refused_and_unchanged(
        ValidationFailed, lambda: forward(clerks["district"], nomination), nomination
    )
    assert list(refused.errors) == ["opinion"]
    forward(clerks["district"], nomination, opinion="系早年轻微违纪，已核实不影响推荐")
    assert nomination.stage is Stage.city


def test_a_check_is_recorded_changed_until_answered_and_then_stands(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    sent = {"sent_on": date(2026, 5, 28), "notes": "函询"}

    check = background.record_check(clerks["district"], nomination.id, "police", sent, now=NOW)
    assert (check.sent_on, check.answered_on, check.result) == (date(2026, 5, 28), None, None)
    background.record_check(
        clerks["city"],
        nomination.id,
        "police",
        {**sent, "answered_on": TODAY, "result": "clear"},
        now=NOW + timedelta(hours=1),
    )
    assert check.result is CheckResult.clear and check.recorded_by_id == clerks["city"].id
    assert count(BackgroundCheck) == 1

    with pytest.raises(Conflict):
        background.record_check(
            clerks["district"],
            nomination.id,
            "police",
            {**sent, "answered_on": TODAY, "result": "concern"},
            now=NOW,
        )
    assert check.result is CheckResult.clear


@pytest.mark.parametrize(
    "values, field",
    [
        ({}, "sent_on"),
        ({"sent_on": TODAY + timedelta(days=1)}, "sent_on"),
        (
            {"sent_on": TODAY, "answered_on": TODAY - timedelta(days=1), "result": "clear"},
            "answered_on",
        ),
        ({"sent_on": TODAY, "answered_on": TODAY}, "result"),
        ({"sent_on": TODAY, "result": "clear"}, "answered_on"),
        ({"sent_on": TODAY, "answered_on": TODAY, "result": "maybe"}, "result"),
        ({"sent_on": TODAY, "notes": "注" * 501}, "notes"),
    ],
)
def test_a_check_with_a_wrong_field_is_refused_naming_it(places, round_, clerks, values, field):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)

    with pytest.raises(ValidationFailed) as refused:
        background.record_check(clerks["district"], nomination.id, "tax", values, now=NOW)

    assert field in refused.value.errors and count(BackgroundCheck) == 0


def test_checks_are_read_by_the_district_and_the_city_only(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.district)
    answer_checks(nomination, clerks["district"], agencies=(Agency.police,))
    elsewhere = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"])

    for reader in (clerks["district"], clerks["city"]):
        assert [c.agency for c in background.list_checks(reader, nomination.id, now=NOW)] == [
            Agency.police
        ]
    for stranger in (clerks["street"], clerks["community"], elsewhere, make_user()):
        with pytest.raises(NotFound):
            background.list_checks(stranger, nomination.id, now=NOW)
        with pytest.raises(NotFound):
            background.record_check(stranger, nomination.id, "tax", {"sent_on": TODAY}, now=NOW)
    assert count(BackgroundCheck) == 1


def test_checks_are_recorded_at_the_district_or_the_city_and_not_by_one_barred(
    places, round_, clerks
):
    street = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    filed = make_nomination(
        round_, places["wenhuali"], stage=Stage.district, by=clerks["district"], name="冯军"
    )

    with pytest.raises(Conflict):
        background.record_check(clerks["district"], street.id, "tax", {"sent_on": TODAY}, now=NOW)
    with pytest.raises(Forbidden):
        background.record_check(clerks["district"], filed.id, "tax", {"sent_on": TODAY}, now=NOW)
    assert count(BackgroundCheck) == 0


# Conflicts of interest ------------------------------------------------------------------------


def test_a_reviewer_or_panel_member_declares_a_conflict_once(places, round_, clerks):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.panel)
    member = make_clerk(AssignmentKind.panel_reviewer, name="评议员")
    db.session.add(
        PanelMember(
            round_id=round_.id, user_id=member.id, assigned_by_id=clerks["city"].id, assigned_at=NOW
        )
    )
    db.session.flush()

    declared = review.declare_conflict(member, nomination.id, " 同一单位同事 ", now=NOW)
    review.declare_conflict(clerks["community"], nomination.id, "邻居", now=NOW)

    assert (declared.user_id, declared.reason, declared.declared_at) == (
        member.id,
        "同一单位同事",
        NOW,
    )
    with pytest.raises(Conflict):
        review.declare_conflict(member, nomination.id, "再次", now=NOW)
    assert count(ConflictDeclaration) == 2


def test_a_conflict_needs_a_reviewer_a_reason_and_a_live_nomination(places, round_, clerks):
    public = make_user(display_name="热心市民")
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street, by=public)
    ended = make_nomination(round_, places["wenhuali"], stage=Stage.rejected, name="何平")

    with pytest.raises(Forbidden):
        review.declare_conflict(public, nomination.id, "我推荐的", now=NOW)
    with pytest.raises(NotFound):
        review.declare_conflict(make_user(), nomination.id, "无关", now=NOW)
    for reason in ("", "理" * 501):
        with pytest.raises(ValidationFailed) as refused:
            review.declare_conflict(clerks["street"], nomination.id, reason, now=NOW)
        assert list(refused.value.errors) == ["reason"]
    with pytest.raises(Conflict):
        review.declare_conflict(clerks["street"], ended.id, "亲属", now=NOW)
    assert count(ConflictDeclaration) == 0


# What the page offers, and the queue ------------------------------------------------------------


def test_the_page_offers_the_reviewer_the_actions_of_the_level(places, round_, clerks):
    lead = make_nomination(round_, places["wenhuali"], channel=Channel.public)
    media = make_nomination(round_, places["wenhuali"], channel=Channel.media, stage=Stage.city)
    calendar = WorkCalendar()

    offered = review.review_options(clerks["community"], lead, NOW, calendar, SHANGHAI)
    assert offered.actions == [review.ReviewAction.forward, review.ReviewAction.reject]
    assert offered.checklist == review.CHECKLIST[Stage.community]
    assert offered.may_declare and not offered.is_overdue
    assert review.review_options(clerks["street"], lead, NOW, calendar, SHANGHAI).actions == []
    assert review.review_options(clerks["city"], media, NOW, calendar, SHANGHAI).actions == [
        review.ReviewAction.forward,
        review.ReviewAction.reject,
        review.ReviewAction.send_down,
    ]
    review.declare_conflict(clerks["community"], lead.id, "亲属", now=NOW)
    after = review.review_options(clerks["community"], lead, NOW, calendar, SHANGHAI)
    assert after.actions == [] and not after.may_declare and after.declaration.reason == "亲属"


def test_the_queue_holds_the_levels_work_in_the_region_overdue_first(places, round_, clerks):
    late = make_nomination(
        round_, places["wenhuali"], stage=Stage.street, at=NOW - timedelta(days=10), name="甲"
    )
    fresh = make_nomination(round_, places["hongqilu"], stage=Stage.street, name="乙")
    make_nomination(round_, places["nanguan"], stage=Stage.street, name="丙")
    make_nomination(round_, places["wenhuali"], stage=Stage.district, name="丁")
    make_nomination(round_, places["wenhuali"], stage=Stage.street, by=clerks["street"], name="戊")
    declared = make_nomination(round_, places["wenhuali"], stage=Stage.street, name="己")
    review.declare_conflict(clerks["street"], declared.id, "亲属", now=NOW)

    found = review.list_review_queue(
        clerks["street"], Window(), now=NOW, calendar=WorkCalendar(), zone=SHANGHAI
    )

    assert [item.nomination for item in found.items] == [late, fresh] and found.total == 2
    # Reached on Friday 22 May: five working days ran out at the end of Friday 29 May, one
    # working day ago on Monday 1 June.
    assert (found.items[0].is_overdue, found.items[0].days_over) == (True, 1)
    assert (found.items[1].is_overdue, found.items[1].days_over) == (False, 0)
    with pytest.raises(NotFound):
        review.list_review_queue(
            make_user(), Window(), now=NOW, calendar=WorkCalendar(), zone=SHANGHAI
        )
    city = review.list_review_queue(
        clerks["city"], Window(), now=NOW, calendar=WorkCalendar(), zone=SHANGHAI
    )
    assert city.total == 0
