"""The pipeline's shared rules: one nominee's key, the step that moves a nomination and is
kept, who reviews which stage, who is barred from acting, who may read a nomination, and the
consent that every public view of it filters by."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.auth.assignments import AssignmentKind
from core.errors import Conflict, Forbidden, NotFound
from core.extensions import db
from honours.nomination_models import (
    ConflictDeclaration,
    ConsentGiver,
    ConsentMethod,
    Nomination,
    NominationConsent,
    PanelMember,
    Stage,
    StepAction,
)
from honours.services import pipeline
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_places
from tests.honours.nomination_builders import make_nomination, open_round


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


def test_a_nominee_is_known_by_the_id_number_or_else_by_name_birth_date_and_district():
    with_id = pipeline.nominee_key("李秀英", None, 1, "13030219580312002x")
    assert with_id == pipeline.nominee_key("王芳", date(1990, 1, 1), 2, "13030219580312002X")
    by_name = pipeline.nominee_key(" 李秀英 ", date(1958, 3, 12), 1, None)
    assert by_name == pipeline.nominee_key("李秀英", date(1958, 3, 12), 1, "")
    assert by_name != pipeline.nominee_key("李秀英", date(1958, 3, 12), 2, None)
    assert by_name != pipeline.nominee_key("李秀英", None, 1, None)


def test_a_step_moves_the_nomination_and_is_kept_with_who_and_when(places, round_):
    clerk = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    later = NOW + timedelta(hours=3)

    step = pipeline.record_step(
        nomination,
        StepAction.forwarded,
        Stage.district,
        clerk,
        now=later,
        opinion="事迹属实",
        checklist={"identity_confirmed": True},
        declared_no_conflict=True,
    )

    assert (nomination.stage, nomination.stage_entered_at) == (Stage.district, later)
    assert (step.from_stage, step.to_stage, step.actor_id) == (
        Stage.street,
        Stage.district,
        clerk.id,
    )
    assert step.checklist == {"identity_confirmed": True} and step.declared_no_conflict
    # A step that leaves the stage where it is keeps the time the stage was reached.
    pipeline.record_step(
        nomination, StepAction.consent_given, Stage.district, clerk, now=later + timedelta(hours=1)
    )
    assert nomination.stage_entered_at == later
    assert [s.action for s in nomination.steps] == [StepAction.forwarded, StepAction.consent_given]


def test_each_stage_is_reviewed_by_its_level_in_its_region_and_the_city_by_the_city(places, round_):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.community)
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    neighbour = make_clerk(AssignmentKind.community_clerk, places["hongqilu"])
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    elsewhere = make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"])
    office = make_office()

    assert pipeline.reviews_stage(community, nomination, NOW)
    assert not any(
        pipeline.reviews_stage(user, nomination, NOW) for user in (neighbour, street, office)
    )
    nomination.stage = Stage.district
    assert pipeline.reviews_stage(district, nomination, NOW)
    assert not pipeline.reviews_stage(elsewhere, nomination, NOW)
    nomination.stage = Stage.city
    assert pipeline.reviews_stage(office, nomination, NOW)
    assert not pipeline.reviews_stage(district, nomination, NOW)
    nomination.stage = Stage.consent
    assert not pipeline.reviews_stage(office, nomination, NOW)


def test_one_who_filed_a_nomination_or_declared_a_conflict_never_acts_on_it(places, round_):
    filer = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    nomination = make_nomination(round_, places["wenhuali"], by=filer)
    conflicted = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    db.session.add(
        ConflictDeclaration(
            nomination_id=nomination.id, user_id=conflicted.id, reason="亲属", declared_at=NOW
        )
    )
    db.session.flush()

    with pytest.raises(Forbidden):
        pipeline.require_no_conflict(filer, nomination)
    with pytest.raises(Forbidden):
        pipeline.require_no_conflict(conflicted, nomination)
    pipeline.require_no_conflict(make_office(), nomination)


def test_a_nomination_is_read_by_its_region_the_city_its_filers_and_later_its_panel(places, round_):
    public = make_user(display_name="热心市民")
    nomination = make_nomination(round_, places["wenhuali"], by=public, stage=Stage.street)
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    other_street = make_clerk(AssignmentKind.street_clerk, places["haibinlu"])
    reviewer = make_clerk(AssignmentKind.panel_reviewer)
    db.session.add(
        PanelMember(
            round_id=round_.id, user_id=reviewer.id, assigned_by_id=public.id, assigned_at=NOW
        )
    )
    db.session.flush()

    for reader in (public, street, make_office()):
        assert pipeline.readable_nomination(reader, nomination.id, NOW) is nomination
    for stranger in (other_street, reviewer, make_user()):
        with pytest.raises(NotFound):
            pipeline.readable_nomination(stranger, nomination.id, NOW)
    nomination.stage = Stage.panel
    assert pipeline.may_read(reviewer, nomination, NOW)
    with pytest.raises(NotFound):
        pipeline.readable_nomination(make_office(), nomination.id + 1000, NOW)


def test_a_step_not_taken_at_the_stage_is_refused_naming_it(places, round_):
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.street)
    with pytest.raises(Conflict):
        pipeline.require_stage(nomination, Stage.community, Stage.city)
    pipeline.require_stage(nomination, Stage.street)


def test_the_latest_answer_about_publishing_holds_and_a_withdrawal_hides_at_once(places, round_):
    office = make_office()
    nomination = make_nomination(round_, places["wenhuali"], stage=Stage.notice)
    shown = select(Nomination.id).where(pipeline.consent_holds())

    def answer(agreed: bool, minutes: int) -> None:
        db.session.add(
            NominationConsent(
                nomination_id=nomination.id,
                agreed=agreed,
                giver=ConsentGiver.nominee,
                method=ConsentMethod.verified_phone,
                phone="13803350001",
                recorded_by_id=office.id,
                recorded_at=NOW + timedelta(minutes=minutes),
            )
        )
        db.session.flush()

    assert pipeline.latest_consent(nomination) is None
    assert nomination.id not in db.session.scalars(shown).all()
    answer(True, 1)
    assert nomination.id in db.session.scalars(shown).all()
    answer(False, 2)
    assert pipeline.latest_consent(nomination).agreed is False
    assert nomination.id not in db.session.scalars(shown).all()
