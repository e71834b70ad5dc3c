"""Consent to publishing a nomination: who answers (the nominee; a guardian for a child under 14;
a close relative after death), how (a signed form's scan, or a phone proved by an SMS code) and
what follows (the panel, or archived as declined); a later withdrawal hides it at once, and
after the approval takes the person off the roll. Every refusal changes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.assignments import AssignmentKind
from core.auth.sms import current_gateway
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.settings import current_settings
from core.uploads import services as uploads
from honours.models import PersonStatus
from honours.nomination_models import (
    ConsentGiver,
    ConsentMethod,
    Nomination,
    NominationConsent,
    PanelMember,
    ReviewStep,
    Stage,
    StepAction,
)
from honours.services import nomination_consent as consent
from honours.services import pipeline
from tests.builders import make_user
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places
from tests.honours.nomination_builders import make_nomination, open_round

PHONE = "13903351234"


@pytest.fixture
def places(app):
    return make_places()


@pytest.fixture
def round_(places):
    return open_round()


@pytest.fixture
def clerk(places):
    return make_clerk(AssignmentKind.community_clerk, places["wenhuali"])


def png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (16, 16), (250, 250, 250)).save(image, format="PNG")
    image.seek(0)
    return image


def scan() -> consent.Scan:
    return consent.Scan(png(), "同意书.png")


def agree(**values):
    return {"agreed": True, "giver": "nominee", "method": "signed_form", **values}


def record(user, nomination, values, *, at=NOW, with_scan=True):
    return consent.record_consent(
        user,
        nomination.id,
        values,
        now=at,
        settings=current_settings(),
        scan=scan() if with_scan else None,
    )


def at_consent(round_, place, **values):
    return make_nomination(round_, place, stage=Stage.consent, **values)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def child(place, years: int = 10):
    born = date(NOW.year - years, 3, 1)
    return make_person(
        place, name="王小明", birth_date=born, guardian_name="王芳", guardian_relation="母亲"
    )


# Agreeing and declining -----------------------------------------------------------------------


def test_the_nominees_agreement_by_a_signed_form_sends_it_to_the_panel(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])

    answer = record(clerk, nomination, agree())

    assert nomination.stage is Stage.panel and nomination.stage_entered_at == NOW
    assert (answer.giver, answer.method, answer.agreed) == (
        ConsentGiver.nominee,
        ConsentMethod.signed_form,
        True,
    )
    assert (answer.recorded_by_id, answer.recorded_at) == (clerk.id, NOW)
    assert answer.form.kind == consent.FORM_KIND and answer.form.content_type == "image/png"
    step = nomination.steps[-1]
    assert (step.action, step.from_stage, step.to_stage, step.actor_id) == (
        StepAction.consent_given,
        Stage.consent,
        Stage.panel,
        clerk.id,
    )
    assert pipeline.latest_consent(nomination) is answer


def test_a_pdf_form_is_taken_too_and_read_only_by_the_clerks_of_the_region(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])
    pdf = consent.Scan(io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "form.pdf")

    answer = consent.record_consent(
        clerk, nomination.id, agree(), now=NOW, settings=current_settings(), scan=pdf
    )

    form = answer.form
    assert form.content_type == "application/pdf"
    street = make_clerk(AssignmentKind.street_clerk, places["wenhualu"])
    elsewhere = make_clerk(AssignmentKind.community_clerk, places["hongqilu"])
    reviewer = make_clerk(AssignmentKind.panel_reviewer)
    assert uploads.may_read(clerk, form, now=NOW) and uploads.may_read(street, form, now=NOW)
    assert uploads.may_read(make_office(), form, now=NOW)
    assert not uploads.may_read(elsewhere, form, now=NOW)
    assert not uploads.may_read(reviewer, form, now=NOW)
    assert not uploads.may_read(None, form, now=NOW)


def test_a_refusal_archives_it_as_declined_and_it_is_never_public(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])

    answer = record(clerk, nomination, agree(agreed=False))

    assert not answer.agreed
    assert nomination.stage is Stage.declined and not nomination.stage.is_live
    assert nomination.steps[-1].action is StepAction.consent_declined
    public = select(Nomination.id).where(Nomination.stage == Stage.notice, pipeline.consent_holds())
    assert nomination.id not in db.session.scalars(public).all()
    # Archived: nothing more is taken for it.
    with pytest.raises(Conflict):
        record(clerk, nomination, agree())
    assert count(NominationConsent) == 1


def test_the_phone_method_sends_a_code_to_the_giver_and_takes_it_back(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])
    settings = current_settings()

    consent.send_consent_code(
        clerk, nomination.id, PHONE, now=NOW, settings=settings, gateway=current_gateway()
    )
    code = current_gateway().last_code(PHONE, "consent")
    answer = record(
        clerk,
        nomination,
        {
            "agreed": True,
            "giver": "nominee",
            "method": "verified_phone",
            "phone": PHONE,
            "code": code,
        },
        with_scan=False,
    )

    assert answer.method is ConsentMethod.verified_phone and answer.phone == PHONE
    assert answer.form_upload_id is None and nomination.stage is Stage.panel


def test_a_wrong_code_is_refused_keeping_its_try_and_nothing_else(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])
    consent.send_consent_code(
        clerk, nomination.id, PHONE, now=NOW, settings=current_settings(), gateway=current_gateway()
    )
    right = current_gateway().last_code(PHONE, "consent")
    wrong = "000000" if right != "000000" else "111111"

    with pytest.raises(ValidationFailed) as refused:
        record(
            clerk,
            nomination,
            {
                "agreed": True,
                "giver": "nominee",
                "method": "verified_phone",
                "phone": PHONE,
                "code": wrong,
            },
            with_scan=False,
        )

    assert "code" in refused.value.errors and refused.value.keeps_changes
    assert nomination.stage is Stage.consent and count(NominationConsent) == 0


def test_a_sign_in_code_of_the_same_phone_proves_no_consent(places, round_, clerk):
    from core.auth.models import SmsPurpose
    from core.auth.sms_services import request_code

    make_user(phone=PHONE)
    nomination = at_consent(round_, places["wenhuali"])
    request_code(
        PHONE,
        SmsPurpose.sign_in,
        now=NOW,
        settings=current_settings().sms,
        gateway=current_gateway(),
    )
    code = current_gateway().last_code(PHONE, "sign_in")

    with pytest.raises(ValidationFailed) as refused:
        record(
            clerk,
            nomination,
            {
                "agreed": True,
                "giver": "nominee",
                "method": "verified_phone",
                "phone": PHONE,
                "code": code,
            },
            with_scan=False,
        )

    assert "code" in refused.value.errors and nomination.stage is Stage.consent


# Who answers ----------------------------------------------------------------------------------


def test_a_guardian_answers_for_a_child_under_14_with_name_and_relation(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"], person=child(places["wenhuali"]))

    answer = record(clerk, nomination, agree(giver="guardian", giver_name="王芳", relation="母亲"))

    assert (answer.giver, answer.giver_name, answer.relation) == (
        ConsentGiver.guardian,
        "王芳",
        "母亲",
    )
    assert nomination.stage is Stage.panel


def test_a_minors_own_consent_is_refused_with_a_clear_message(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"], person=child(places["wenhuali"]))

    with pytest.raises(ValidationFailed) as refused:
        record(clerk, nomination, agree())

    assert refused.value.errors["giver"] == [str(consent.GIVER_REFUSALS[ConsentGiver.guardian])]
    assert nomination.stage is Stage.consent and count(NominationConsent) == 0


def test_a_guardian_without_name_or_relation_is_refused_naming_them(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"], person=child(places["wenhuali"]))

    with pytest.raises(ValidationFailed) as refused:
        record(clerk, nomination, agree(giver="guardian", giver_name=" "))

    assert set(refused.value.errors) == {"giver_name", "relation"}
    assert count(NominationConsent) == 0


def test_the_age_counts_on_the_day_of_the_answer(places, round_, clerk):
    # 14 on the day after NOW's local day: a guardian answers today, the nominee tomorrow.
    born = date(NOW.year - 14, NOW.month, NOW.day + 1)
    teen = make_person(
        places["wenhuali"],
        name="李小红",
        birth_date=born,
        guardian_name="李强",
        guardian_relation="父亲",
    )
    nomination = at_consent(round_, places["wenhuali"], person=teen)

    with pytest.raises(ValidationFailed):
        record(clerk, nomination, agree())
    answer = record(clerk, nomination, agree(), at=NOW + timedelta(days=1))

    assert answer.giver is ConsentGiver.nominee


def test_a_close_relative_answers_for_a_deceased_nominee(places, round_, clerk):
    person = make_person(
        places["wenhuali"],
        name="赵德义",
        status=PersonStatus.deceased,
        died_on=date(2026, 4, 2),
    )
    nomination = at_consent(round_, places["wenhuali"], person=person)

    with pytest.raises(ValidationFailed) as own:
        record(clerk, nomination, agree())
    answer = record(clerk, nomination, agree(giver="relative", giver_name="赵明", relation="儿子"))

    assert own.value.errors["giver"] == [str(consent.GIVER_REFUSALS[ConsentGiver.relative])]
    assert answer.giver is ConsentGiver.relative and nomination.stage is Stage.panel


def test_a_relative_or_a_guardian_for_a_living_adult_is_refused(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])

    for giver in ("relative", "guardian"):
        with pytest.raises(ValidationFailed) as refused:
            record(clerk, nomination, agree(giver=giver, giver_name="李明", relation="儿子"))
        assert "giver" in refused.value.errors

    assert nomination.stage is Stage.consent and count(NominationConsent) == 0


def test_a_nominee_without_a_birth_date_waits_for_it_in_the_register(places, round_, clerk):
    person = make_person(places["wenhuali"], name="孙大娘", id_number=None)
    person.birth_date = None
    nomination = at_consent(round_, places["wenhuali"], person=person)

    with pytest.raises(ValidationFailed) as refused:
        record(clerk, nomination, agree())

    assert refused.value.errors == {"giver": [str(consent.NO_BIRTH_DATE)]}


@pytest.mark.parametrize(
    "values, fields",
    [
        ({"agreed": None}, {"agreed"}),
        ({"giver": "friend"}, {"giver"}),
        ({"method": "letter"}, {"method"}),
        ({"method": "verified_phone"}, {"phone", "code"}),
    ],
)
def test_a_wrong_or_missing_field_is_named(places, round_, clerk, values, fields):
    nomination = at_consent(round_, places["wenhuali"])

    with pytest.raises(ValidationFailed) as refused:
        record(clerk, nomination, agree(**values))

    assert set(refused.value.errors) == fields
    assert count(NominationConsent) == 0 and nomination.stage is Stage.consent


def test_a_signed_form_without_its_scan_or_with_a_file_that_is_none_is_refused(
    places, round_, clerk
):
    nomination = at_consent(round_, places["wenhuali"])

    with pytest.raises(ValidationFailed) as missing:
        record(clerk, nomination, agree(), with_scan=False)
    with pytest.raises(ValidationFailed) as bad:
        consent.record_consent(
            clerk,
            nomination.id,
            agree(),
            now=NOW,
            settings=current_settings(),
            scan=consent.Scan(io.BytesIO(b"not a scan"), "x.txt"),
        )

    assert "form" in missing.value.errors and "form" in bad.value.errors
    assert count(NominationConsent) == 0


# Who records it, and when ---------------------------------------------------------------------


def test_clerks_above_the_community_and_the_city_record_it_too(places, round_):
    for recorder in (
        make_clerk(AssignmentKind.street_clerk, places["wenhualu"]),
        make_clerk(AssignmentKind.district_clerk, places["haigang"]),
        make_clerk(AssignmentKind.city_staff),
        make_office(),
    ):
        nomination = at_consent(round_, places["wenhuali"])
        record(recorder, nomination, agree())
        assert nomination.stage is Stage.panel


def test_consent_by_the_wrong_person_is_refused_and_changes_nothing(places, round_):
    nomination = at_consent(round_, places["wenhuali"])
    nominator = make_user(display_name="热心群众")
    filed = at_consent(round_, places["wenhuali"], by=nominator)

    # A clerk of the next community knows nothing of it.
    with pytest.raises(NotFound):
        record(make_clerk(AssignmentKind.community_clerk, places["hongqilu"]), nomination, agree())
    with pytest.raises(NotFound):
        record(make_user(), nomination, agree())
    with pytest.raises(NotFound):
        record(
            make_clerk(AssignmentKind.district_clerk, places["shanhaiguan"]), nomination, agree()
        )
    # The nominator reads their nomination but records no consent.
    with pytest.raises(Forbidden):
        record(nominator, filed, agree())

    assert count(NominationConsent) == 0
    assert {nomination.stage, filed.stage} == {Stage.consent}


@pytest.mark.parametrize("stage", [Stage.community, Stage.city, Stage.rejected, Stage.withdrawn])
def test_no_answer_is_taken_before_the_consent_stage_or_once_it_ended(places, round_, clerk, stage):
    nomination = make_nomination(round_, places["wenhuali"], stage=stage)

    with pytest.raises(Conflict):
        record(clerk, nomination, agree())
    with pytest.raises(Conflict):
        consent.send_consent_code(
            clerk,
            nomination.id,
            PHONE,
            now=NOW,
            settings=current_settings(),
            gateway=current_gateway(),
        )

    assert count(NominationConsent) == 0


# Withdrawal -----------------------------------------------------------------------------------


def test_a_withdrawal_at_the_notice_hides_it_at_once_and_may_be_given_again(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])
    record(clerk, nomination, agree())
    nomination.stage = Stage.notice
    public = select(Nomination.id).where(Nomination.stage == Stage.notice, pipeline.consent_holds())
    assert db.session.scalars(public).all() == [nomination.id]

    later = NOW + timedelta(days=2)
    withdrawal = record(clerk, nomination, agree(agreed=False), at=later)

    assert not withdrawal.agreed and nomination.stage is Stage.notice
    assert db.session.scalars(public).all() == []
    steps = db.session.scalar(select(func.count()).select_from(ReviewStep))
    with pytest.raises(Conflict):
        record(clerk, nomination, agree(agreed=False), at=later)
    record(clerk, nomination, agree(), at=later + timedelta(hours=1))
    assert db.session.scalars(public).all() == [nomination.id]
    assert db.session.scalar(select(func.count()).select_from(ReviewStep)) == steps
    assert count(NominationConsent) == 3


def test_agreeing_twice_at_the_panel_is_refused_and_the_panel_records_nothing(
    places, round_, clerk
):
    nomination = at_consent(round_, places["wenhuali"])
    record(clerk, nomination, agree())
    reviewer = make_clerk(AssignmentKind.panel_reviewer, name="评议员")
    db.session.add(
        PanelMember(
            round_id=round_.id, user_id=reviewer.id, assigned_by_id=clerk.id, assigned_at=NOW
        )
    )
    db.session.flush()

    with pytest.raises(Conflict):
        record(clerk, nomination, agree())
    # The panel reads the nomination now, but records no answer about it.
    with pytest.raises(Forbidden):
        record(reviewer, nomination, agree(agreed=False))

    assert count(NominationConsent) == 1


def test_a_withdrawal_after_approval_takes_the_person_off_the_roll(places, round_, clerk):
    office = make_office()
    nomination = at_consent(round_, places["wenhuali"])
    record(clerk, nomination, agree())
    nomination.stage = Stage.approved
    from honours.services import record_consent as roll_consent

    roll_consent(
        office, pipeline.scope_of(office, NOW), nomination.person_id, is_given=True, now=NOW
    )
    person = nomination.person
    assert person.has_publication_consent

    record(clerk, nomination, agree(agreed=False), at=NOW + timedelta(days=30))

    assert not person.has_publication_consent
    assert person.consent_recorded_by_id == clerk.id
    assert nomination.stage is Stage.approved


# The page's section ---------------------------------------------------------------------------


def test_the_section_shows_the_answers_to_its_clerks_only_with_phones_masked(places, round_, clerk):
    nomination = at_consent(round_, places["wenhuali"])
    assert consent.consent_state(clerk, nomination, NOW).may_record
    consent.send_consent_code(
        clerk, nomination.id, PHONE, now=NOW, settings=current_settings(), gateway=current_gateway()
    )
    code = current_gateway().last_code(PHONE, "consent")
    record(
        clerk,
        nomination,
        {
            "agreed": True,
            "giver": "nominee",
            "method": "verified_phone",
            "phone": PHONE,
            "code": code,
        },
        with_scan=False,
    )

    state = consent.consent_state(clerk, nomination, NOW)

    assert state.holds and state.required is ConsentGiver.nominee
    assert [shown.phone for shown in state.answers] == ["139****1234"]
    assert consent.consent_state(make_clerk(AssignmentKind.panel_reviewer), nomination, NOW) is None
    early = make_nomination(round_, places["wenhuali"], stage=Stage.city)
    assert consent.consent_state(clerk, early, NOW) is None
    listed = consent.list_consents(make_office(), nomination.id, now=NOW)
    assert [shown.answer.agreed for shown in listed] == [True]
