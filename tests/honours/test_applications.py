"""Benefits by application through the services: the whole path from applying to closing,
each step only by its role, the department's and the districts' reach, the card and level
rules, one open application per person and benefit, steps out of order, bad input, and the
person told of each step by the reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from honours.application_models import (
    ApplicationResult,
    ApplicationStatus,
    ApplicationStep,
    BenefitApplication,
)
from honours.card_models import BenefitKind, CardStatus
from honours.models import HonourLevel
from honours.services import applications
from honours.services.card_codes import live_card
from reminders.models import Notification, NotificationKind
from reminders.services.finders import find_due
from reminders.services.storing import store
from tests.honours.application_builders import (
    ASKED,
    application_ground,
    make_application,
    make_application_benefit,
)
from tests.honours.builders import NOW, scope
from tests.honours.partner_builders import make_benefit


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _steps(application) -> list[tuple]:
    return [
        (s.from_status, s.to_status, s.actor_id, s.opinion)
        for s in db.session.scalars(
            select(ApplicationStep)
            .where(ApplicationStep.application_id == application.id)
            .order_by(ApplicationStep.id)
        )
    ]


def test_the_whole_path_from_the_person_applying_to_the_department_closing(app):
    g = application_ground()
    a = applications.apply_mine(g.holder, g.details(), now=NOW)
    assert (a.status, a.asked, a.card_id) == (
        ApplicationStatus.applied,
        ASKED,
        live_card(g.person.id).id,
    )

    applications.propose(g.district, scope(g.district), a.id, opinion="情况属实，同意推荐", now=NOW)
    applications.approve(g.office, scope(g.office), a.id, opinion="同意", now=NOW)
    applications.acknowledge(g.staff, a.id, note="已受理", now=NOW)
    closed = applications.close(
        g.staff, a.id, result=ApplicationResult.granted, outcome="已安排入学", now=NOW
    )

    assert (closed.status, closed.result, closed.outcome, closed.closed_at) == (
        ApplicationStatus.closed,
        ApplicationResult.granted,
        "已安排入学",
        NOW,
    )
    S = ApplicationStatus
    assert _steps(a) == [
        (None, S.applied, g.holder.id, ""),
        (S.applied, S.proposed, g.district.id, "情况属实，同意推荐"),
        (S.proposed, S.approved, g.office.id, "同意"),
        (S.approved, S.in_hand, g.staff.id, "已受理"),
        (S.in_hand, S.closed, g.staff.id, "已安排入学"),
    ]


def test_a_clerk_of_the_community_street_or_district_applies_on_the_persons_behalf(app):
    g = application_ground()
    for clerk in (g.community, g.street, g.district):
        a = applications.apply_for(clerk, scope(clerk), g.person.id, g.details(), now=NOW)
        assert a.applied_by_id == clerk.id
        applications.decline(g.district, scope(g.district), a.id, opinion="重复", now=NOW)

    with pytest.raises(NotFound):
        applications.apply_for(
            g.other_district, scope(g.other_district), g.person.id, g.details(), now=NOW
        )
    with pytest.raises(NotFound):
        applications.apply_for(g.staff, scope(g.staff), g.person.id, g.details(), now=NOW)


@pytest.mark.parametrize("who", ["community", "street", "other_district", "office", "staff"])
def test_only_the_district_clerk_of_the_persons_district_proposes(app, who):
    g = application_ground()
    a = make_application(g)
    actor = getattr(g, who)
    with pytest.raises((Forbidden, NotFound)) as refused:
        applications.propose(actor, scope(actor), a.id, opinion="同意", now=NOW)
    if who == "other_district":
        assert isinstance(refused.value, NotFound)
    with pytest.raises((Forbidden, NotFound)):
        applications.decline(actor, scope(actor), a.id, opinion="不同意", now=NOW)
    assert db.session.get(BenefitApplication, a.id).status is ApplicationStatus.applied
    assert len(_steps(a)) == 1


@pytest.mark.parametrize("who", ["community", "district", "other_district", "staff"])
def test_only_the_city_approves_or_declines_a_proposed_application(app, who):
    g = application_ground()
    a = make_application(g, ApplicationStatus.proposed)
    actor = getattr(g, who)
    for step in (applications.approve, applications.decline):
        with pytest.raises((Forbidden, NotFound)):
            step(actor, scope(actor), a.id, opinion="同意", now=NOW)
    assert db.session.get(BenefitApplication, a.id).status is ApplicationStatus.proposed

    declined = applications.decline(g.office, scope(g.office), a.id, opinion="名额已满", now=NOW)
    assert declined.status is ApplicationStatus.declined


def test_only_the_named_departments_staff_acknowledge_and_close(app):
    g = application_ground()
    a = make_application(g, ApplicationStatus.approved)
    for actor in (g.other_staff, g.district, g.office):
        with pytest.raises((Forbidden, NotFound)):
            applications.acknowledge(actor, a.id, note=None, now=NOW)
    applications.acknowledge(g.staff, a.id, note=None, now=NOW)
    for actor in (g.other_staff, g.community, g.office):
        with pytest.raises((Forbidden, NotFound)):
            applications.close(
                actor, a.id, result=ApplicationResult.granted, outcome="已办", now=NOW
            )
    assert db.session.get(BenefitApplication, a.id).status is ApplicationStatus.in_hand


def test_a_department_never_sees_another_departments_applications(app):
    g = application_ground()
    mine = make_application(g, ApplicationStatus.approved)
    jobs = make_application_benefit(g.other_department, name="就业帮扶")
    theirs = applications.apply_for(
        g.district,
        scope(g.district),
        g.person.id,
        g.details(benefit_id=jobs.id, department_id=g.other_department.id),
        now=NOW,
    )
    applications.propose(g.district, scope(g.district), theirs.id, opinion="同意", now=NOW)
    applications.approve(g.office, scope(g.office), theirs.id, opinion="同意", now=NOW)

    found = applications.list_department_applications(g.staff, now=NOW)
    assert [row.application.id for row in found.items] == [mine.id]
    other = applications.list_department_applications(g.other_staff, now=NOW)
    assert [row.application.id for row in other.items] == [theirs.id]
    with pytest.raises(NotFound):
        applications.get_department_application(g.other_staff, mine.id, now=NOW)
    with pytest.raises(NotFound):
        applications.acknowledge(g.other_staff, mine.id, note=None, now=NOW)
    with pytest.raises(Forbidden):
        applications.list_department_applications(g.district, now=NOW)


def test_the_department_reads_only_what_it_needs_and_only_once_approved(app):
    g = application_ground()
    waiting = make_application(g)
    with pytest.raises(NotFound):
        applications.get_department_application(g.staff, waiting.id, now=NOW)
    assert applications.list_department_applications(g.staff, now=NOW).total == 0

    applications.propose(g.district, scope(g.district), waiting.id, opinion="同意", now=NOW)
    applications.approve(g.office, scope(g.office), waiting.id, opinion="同意", now=NOW)
    row = applications.get_department_application(g.staff, waiting.id, now=NOW)

    assert row.id_tail == g.person.id_number[-4:]
    assert row.masked_phone == "138****0001"
    assert row.may_acknowledge and not row.may_close


def test_another_districts_clerk_finds_no_application(app):
    g = application_ground()
    a = make_application(g)
    with pytest.raises(NotFound):
        applications.get_application(scope(g.other_district), a.id)
    assert (
        applications.list_applications(
            scope(g.other_district), applications.ApplicationFilter(), Window()
        ).items
        == []
    )
    assert [
        r.application.id
        for r in applications.list_applications(
            scope(g.street), applications.ApplicationFilter(), Window()
        ).items
    ] == [a.id]


@pytest.mark.parametrize(
    "status", [CardStatus.to_print, CardStatus.issued, CardStatus.lost, CardStatus.revoked]
)
def test_a_card_not_valid_is_refused_with_a_clear_message(app, status):
    g = application_ground()
    live_card(g.person.id).status = status
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        applications.apply_mine(g.holder, g.details(), now=NOW)
    assert refused.value.code == "card_not_valid"
    assert str(refused.value.message) == str(applications.CARD_NOT_VALID)
    assert _count(BenefitApplication) == 0


def test_an_expired_card_is_refused(app):
    g = application_ground()
    card = live_card(g.person.id)
    with pytest.raises(ValidationFailed) as refused:
        applications.apply_mine(
            g.holder, g.details(), now=NOW.replace(year=card.valid_until.year + 1)
        )
    assert refused.value.code == "card_not_valid"


def test_an_honour_level_too_low_is_refused(app):
    g = application_ground()
    provincial = make_application_benefit(
        g.department, name="省级好人子女入学", lowest_level=HonourLevel.provincial
    )
    with pytest.raises(ValidationFailed) as refused:
        applications.apply_mine(g.holder, g.details(benefit_id=provincial.id), now=NOW)
    assert refused.value.code == "not_for_level"
    assert str(refused.value.message) == str(applications.LEVEL_TOO_LOW)
    offer = next(
        o for o in applications.my_applications(g.holder).offers if o.benefit == provincial
    )
    assert not offer.reached
    assert _count(BenefitApplication) == 0


def test_a_second_open_application_is_a_conflict_and_a_closed_one_frees_it(app):
    g = application_ground()
    first = make_application(g)
    with pytest.raises(Conflict) as refused:
        applications.apply_mine(g.holder, g.details(), now=NOW)
    assert refused.value.code == "application_open"
    # Another department of the same benefit is the same benefit.
    with pytest.raises(Conflict):
        applications.apply_mine(g.holder, g.details(department_id=g.other_department.id), now=NOW)

    applications.decline(g.district, scope(g.district), first.id, opinion="材料不全", now=NOW)
    again = applications.apply_mine(g.holder, g.details(), now=NOW)
    assert again.status is ApplicationStatus.applied


@pytest.mark.parametrize(
    "status", [ApplicationStatus.applied, ApplicationStatus.approved, ApplicationStatus.closed]
)
def test_a_step_out_of_order_is_a_conflict(app, status):
    g = application_ground()
    a = make_application(g, status)
    steps = len(_steps(a))
    if status is not ApplicationStatus.applied:
        with pytest.raises(Conflict):
            applications.propose(g.district, scope(g.district), a.id, opinion="同意", now=NOW)
        with pytest.raises(Conflict):
            applications.decline(g.office, scope(g.office), a.id, opinion="不同意", now=NOW)
    with pytest.raises(Conflict):
        applications.approve(g.office, scope(g.office), a.id, opinion="同意", now=NOW)
    if status is not ApplicationStatus.applied:
        with pytest.raises(Conflict):
            applications.close(
                g.staff, a.id, result=ApplicationResult.granted, outcome="已办", now=NOW
            )
    if status is ApplicationStatus.closed:
        with pytest.raises(Conflict):
            applications.acknowledge(g.staff, a.id, note=None, now=NOW)
    assert db.session.get(BenefitApplication, a.id).status is status
    assert len(_steps(a)) == steps


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"asked": "  "}, "asked"),
        ({"asked": "长" * 501}, "asked"),
        ({"benefit_id": 999_999}, "benefit_id"),
        ({"department_id": 999_999}, "department_id"),
    ],
)
def test_bad_input_names_its_field_and_changes_nothing(app, values, field):
    g = application_ground()
    with pytest.raises(ValidationFailed) as refused:
        applications.apply_mine(g.holder, g.details(**values), now=NOW)
    assert field in refused.value.errors
    assert _count(BenefitApplication) == 0


def test_a_benefit_not_by_application_or_inactive_is_refused(app):
    g = application_ground()
    free = make_benefit(g.department, kind=BenefitKind.free)
    inactive = make_application_benefit(g.department, name="停办的帮扶", is_active=False)
    for benefit in (free, inactive):
        with pytest.raises(ValidationFailed) as refused:
            applications.apply_mine(g.holder, g.details(benefit_id=benefit.id), now=NOW)
        assert "benefit_id" in refused.value.errors


def test_a_step_needs_an_opinion(app):
    g = application_ground()
    a = make_application(g)
    for opinion in (" ", None, "长" * 1001):
        with pytest.raises(ValidationFailed) as refused:
            applications.propose(g.district, scope(g.district), a.id, opinion=opinion, now=NOW)
        assert "opinion" in refused.value.errors
    with pytest.raises(ValidationFailed):
        applications.decline(g.district, scope(g.district), a.id, opinion="", now=NOW)
    assert len(_steps(a)) == 1


def test_closing_needs_a_result_and_an_outcome(app):
    g = application_ground()
    a = make_application(g, ApplicationStatus.in_hand)
    with pytest.raises(ValidationFailed) as refused:
        applications.close(g.staff, a.id, result=None, outcome="已办", now=NOW)
    assert "result" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        applications.close(g.staff, a.id, result=ApplicationResult.granted, outcome="", now=NOW)
    assert "outcome" in refused.value.errors
    assert db.session.get(BenefitApplication, a.id).status is ApplicationStatus.in_hand


def test_counts_by_status_and_filters(app):
    g = application_ground()
    make_application(g, ApplicationStatus.declined)
    make_application(g, ApplicationStatus.in_hand, at=NOW + timedelta(days=1))
    other_benefit = make_application_benefit(g.other_department, name="就业帮扶")
    applications.apply_for(
        g.office,
        scope(g.office),
        g.person.id,
        g.details(benefit_id=other_benefit.id, department_id=g.other_department.id),
        now=NOW,
    )
    office = scope(g.office)
    counts = applications.status_counts(office, applications.ApplicationFilter())
    assert (counts[ApplicationStatus.declined], counts[ApplicationStatus.in_hand]) == (1, 1)
    assert counts[ApplicationStatus.applied] == 1
    by_benefit = applications.ApplicationFilter(benefit_id=other_benefit.id)
    assert applications.status_counts(office, by_benefit)[ApplicationStatus.declined] == 0
    found = applications.list_applications(
        office, applications.ApplicationFilter(status=ApplicationStatus.in_hand), Window()
    )
    assert [row.application.status for row in found.items] == [ApplicationStatus.in_hand]
    shanhaiguan = g.places["shanhaiguan"].district_id
    in_shanhaiguan = applications.ApplicationFilter(district_id=shanhaiguan)
    assert applications.list_applications(office, in_shanhaiguan, Window()).total == 0
    in_haigang = applications.ApplicationFilter(district_id=g.person.district_id)
    assert applications.list_applications(office, in_haigang, Window()).total == 3


def test_the_person_is_told_of_each_step_others_took_once(app):
    g = application_ground()
    a = applications.apply_mine(g.holder, g.details(), now=NOW)
    applications.propose(g.district, scope(g.district), a.id, opinion="同意", now=NOW)
    applications.approve(g.office, scope(g.office), a.id, opinion="同意", now=NOW)

    later = NOW + timedelta(minutes=1)
    settings = current_settings().reminders
    due = [d for d in find_due(later, settings) if d.kind is NotificationKind.application_step]
    assert [(d.user_id, d.params["status"]) for d in due] == [
        (g.holder.id, "proposed"),
        (g.holder.id, "approved"),
    ]
    store(due, now=later, mail_enabled=False)
    store(due, now=later, mail_enabled=False)
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.application_step)
    ).all()
    assert len(told) == 2
