"""The guarantees of visits, through the services: who is visited (on the list, off it with a
reason, a deceased person only through a relative), edits kept as versions with the budget
following the cash, stale and late edits refused, verification by the district with the
receipt, locking, reversal once with the cash back, the corrected visit, the follow-up once,
and the receipt's and photo's files."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from care.models import CareBudget, FundSource, Recipient, VisitReversal, VisitStatus
from care.services import campaigns, visits
from core.auth.assignments import AssignmentKind
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.settings import current_settings
from core.uploads.services import read_upload
from honours.models import PersonStatus
from tests.care.builders import details, make_care_campaign, make_visit
from tests.care.visits_builders import image, locked_visit, stored, verified_visit, with_receipt
from tests.honours.builders import NOW, make_clerk, make_office, make_person, make_places
from tests.honours.card_builders import make_honoured

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def places():
    return make_places()


def _spent(care) -> dict[FundSource, int]:
    found = db.session.scalars(
        select(CareBudget)
        .where(CareBudget.care_campaign_id == care.id)
        .execution_options(populate_existing=True)
    )
    return {budget.fund_source: budget.spent_fen for budget in found}


def _listed(places, office, **values):
    """A good person of 文化里 on the list of a winter campaign with budgets from the city
    and the moral fund (10,000 and 5,000 yuan)."""
    person = make_honoured(places["wenhuali"], office, **values)
    care = make_care_campaign(
        office, budget={FundSource.city_budget: 1_000_000, FundSource.moral_fund: 500_000}
    )
    campaigns.make_list(office, care.id, now=NOW)
    return care, person


def test_a_visit_on_the_list_is_recorded_and_charged_to_its_fund(places):
    office = make_office()
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    care, person = _listed(places, office)

    visit = make_visit(clerk, care, person)

    assert visit.target_id is not None and visit.off_list_reason is None
    assert (visit.status, visit.version, visit.visited_at) == (VisitStatus.done, 1, NOW)
    assert _spent(care) == {FundSource.city_budget: 100_000, FundSource.moral_fund: 0}


def test_a_visit_off_the_list_is_refused_without_a_reason_and_kept_with_it(places):
    office = make_office()
    care, _ = _listed(places, office)
    stranger = make_person(places["wenhuali"], office, name="名单外")

    with pytest.raises(ValidationFailed) as refused:
        make_visit(office, care, stranger)
    assert refused.value.code == "off_list" and "off_list_reason" in refused.value.errors
    assert _spent(care)[FundSource.city_budget] == 0

    visit = make_visit(office, care, stranger, off_list_reason="  家中失火，临时增加走访  ")
    assert (visit.target_id, visit.off_list_reason) == (None, "家中失火，临时增加走访")


def test_a_deceased_person_is_visited_only_through_a_relative(places):
    office = make_office()
    care, person = _listed(places, office)
    person.status, person.died_on = PersonStatus.deceased, NOW.date()
    db.session.flush()

    with pytest.raises(ValidationFailed) as refused:
        make_visit(office, care, person)
    assert "recipient" in refused.value.errors
    with pytest.raises(ValidationFailed) as unnamed:
        make_visit(office, care, person, recipient=Recipient.relative)
    assert "relative_name" in unnamed.value.errors

    visit = make_visit(
        office,
        care,
        person,
        recipient=Recipient.relative,
        relative_name="张桂英",
        relative_relation="妻子",
    )
    assert (visit.recipient, visit.relative_name) == (Recipient.relative, "张桂英")


def test_an_edit_keeps_a_version_and_moves_the_cash_between_funds(places):
    office = make_office()
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    care, person = _listed(places, office)
    visit = make_visit(clerk, care, person)

    edited = visits.edit_visit(
        clerk,
        visit.id,
        details(cash_fen=150_000, fund_source=FundSource.moral_fund),
        expected_version=1,
        now=NOW,
    )

    assert (edited.version, edited.cash_fen, edited.fund_source) == (
        2,
        150_000,
        FundSource.moral_fund,
    )
    (version,) = edited.versions
    assert (version.version, version.changed_by_id) == (2, clerk.id)
    assert version.changes == {
        "cash_fen": [100_000, 150_000],
        "fund_source": ["city_budget", "moral_fund"],
    }
    assert _spent(care) == {FundSource.city_budget: 0, FundSource.moral_fund: 150_000}


def test_an_edit_over_what_the_fund_has_left_changes_nothing(places):
    office = make_office()
    care, person = _listed(places, office)
    visit = make_visit(office, care, person)

    with pytest.raises(ValidationFailed) as refused:
        visits.edit_visit(
            office,
            visit.id,
            details(cash_fen=1_000_000, fund_source=FundSource.moral_fund),
            expected_version=1,
            now=NOW,
        )
    assert refused.value.code == "over_budget"


def test_an_edit_from_a_stale_version_is_refused(places):
    office = make_office()
    care, person = _listed(places, office)
    visit = make_visit(office, care, person)
    visits.edit_visit(office, visit.id, details(needs="屋顶漏雨"), expected_version=1, now=NOW)

    with pytest.raises(Conflict) as stale:
        visits.edit_visit(office, visit.id, details(needs="取暖"), expected_version=1, now=NOW)
    assert stale.value.code == "changed_meanwhile"


def test_a_verified_or_locked_visit_is_not_edited(places):
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    care, person = _listed(places, office)
    verified = verified_visit(office, district, care, person)

    for state in ("verified", "locked"):
        with pytest.raises(Conflict) as refused:
            visits.edit_visit(
                office,
                verified.id,
                details(cash_fen=50_000),
                expected_version=verified.version,
                now=NOW,
            )
        assert refused.value.code == "not_editable", state
        visits.lock_visits(office, care.id, now=NOW)
        db.session.refresh(verified)
    assert verified.status is VisitStatus.locked
    with pytest.raises(Conflict):
        visits.add_photo(office, verified.id, stored(office, visits.PHOTO_KIND, image()), now=NOW)


def test_verification_needs_the_receipt_of_the_cash_and_a_district_clerk_or_the_city(places):
    office = make_office()
    community = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    care, person = _listed(places, office)
    visit = make_visit(community, care, person)

    with pytest.raises(ValidationFailed) as unreceipted:
        visits.verify_visit(district, visit.id, now=NOW)
    assert "receipt" in unreceipted.value.errors
    visit = with_receipt(community, visit)
    with pytest.raises(Forbidden):
        visits.verify_visit(community, visit.id, now=NOW)

    verified = visits.verify_visit(district, visit.id, now=NOW)
    assert (verified.status, verified.verified_by_id) == (VisitStatus.verified, district.id)
    with pytest.raises(Conflict):
        visits.verify_visit(office, visit.id, now=NOW)


def test_a_planned_visit_is_not_verified_and_one_without_cash_needs_no_receipt(places):
    office = make_office()
    care, person = _listed(places, office)
    planned = make_visit(office, care, person, done=False, cash_fen=0, fund_source=None)

    with pytest.raises(Conflict) as refused:
        visits.verify_visit(office, planned.id, now=NOW)
    assert refused.value.code == "not_done"
    done = visits.mark_done(office, planned.id, expected_version=1, now=NOW)
    assert visits.verify_visit(office, done.id, now=NOW).status is VisitStatus.verified


def test_locking_takes_the_verified_visits_only_and_is_the_citys(places):
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    care, person = _listed(places, office)
    verified = verified_visit(office, district, care, person)
    waiting = make_visit(office, care, person)

    with pytest.raises(Forbidden):
        visits.lock_visits(district, care.id, now=NOW)
    assert visits.lock_visits(office, care.id, now=NOW) == 1
    db.session.refresh(verified)
    db.session.refresh(waiting)
    assert (verified.status, verified.locked_by_id) == (VisitStatus.locked, office.id)
    assert waiting.status is VisitStatus.done
    assert visits.lock_visits(office, care.id, now=NOW) == 0


def test_only_a_locked_visit_is_reversed_once_by_the_city_and_its_cash_goes_back(places):
    office = make_office()
    district = make_clerk(AssignmentKind.district_clerk, places["haigang"])
    care, person = _listed(places, office)
    verified = verified_visit(office, district, care, person)
    with pytest.raises(Conflict) as unlocked:
        visits.reverse_visit(office, verified.id, "资金来源记错", now=NOW)
    assert unlocked.value.code == "not_locked"
    visits.lock_visits(office, care.id, now=NOW)
    db.session.refresh(verified)
    assert _spent(care)[FundSource.city_budget] == 100_000

    with pytest.raises(Forbidden):
        visits.reverse_visit(district, verified.id, "资金来源记错", now=NOW)
    with pytest.raises(ValidationFailed):
        visits.reverse_visit(office, verified.id, "  ", now=NOW)
    reversal = visits.reverse_visit(office, verified.id, "资金来源记错", now=NOW)

    assert (reversal.cash_fen, reversal.reversed_by_id) == (100_000, office.id)
    assert _spent(care)[FundSource.city_budget] == 0
    with pytest.raises(Conflict) as again:
        visits.reverse_visit(office, verified.id, "再冲一次", now=NOW)
    assert again.value.code == "reversed_already"
    assert _spent(care)[FundSource.city_budget] == 0
    db.session.refresh(verified)
    assert verified.status is VisitStatus.locked and verified.cash_fen == 100_000


def test_a_corrected_visit_points_at_the_reversed_one_only(places):
    office = make_office()
    care, person = _listed(places, office)
    kept = make_visit(office, care, person)
    locked = locked_visit(office, care, person)
    with pytest.raises(ValidationFailed) as not_reversed:
        visits.record_visit(
            office, care.id, person.id, details(), now=NOW, done=True, corrects_id=kept.id
        )
    assert "corrects_id" in not_reversed.value.errors
    visits.reverse_visit(office, locked.id, "资金来源记错", now=NOW)

    anew = visits.record_visit(
        office,
        care.id,
        person.id,
        details(fund_source=FundSource.moral_fund),
        now=NOW,
        done=True,
        corrects_id=locked.id,
    )

    assert anew.corrects_id == locked.id
    assert db.session.scalar(select(VisitReversal.visit_id)) == locked.id
    assert _spent(care) == {FundSource.city_budget: 100_000, FundSource.moral_fund: 100_000}


def test_a_follow_up_is_done_once(places):
    office = make_office()
    care, person = _listed(places, office)
    visit = make_visit(office, care, person)
    bare = make_visit(office, care, person, follow_up="")

    done = visits.complete_follow_up(office, visit.id, now=NOW)
    assert done.follow_up_done_at == NOW
    with pytest.raises(Conflict) as again:
        visits.complete_follow_up(office, visit.id, now=NOW)
    assert again.value.code == "follow_up_done"
    with pytest.raises(Conflict) as nothing:
        visits.complete_follow_up(office, bare.id, now=NOW)
    assert nothing.value.code == "no_follow_up"


def test_a_receipt_is_an_image_or_a_pdf(places):
    office = make_office()
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

    with pytest.raises(ValidationFailed):
        stored(office, visits.RECEIPT_KIND, io.BytesIO(b"name,cash\nzhang,1000\n"))
    assert stored(office, visits.RECEIPT_KIND, io.BytesIO(pdf)).content_type == "application/pdf"
    assert stored(office, visits.RECEIPT_KIND, image("JPEG")).content_type == "image/jpeg"


def test_a_receipt_or_photo_is_the_actors_own_and_serves_one_visit(places):
    office = make_office()
    clerk = make_clerk(AssignmentKind.community_clerk, places["wenhuali"])
    care, person = _listed(places, office)
    visit = make_visit(clerk, care, person)
    others = stored(office, visits.PHOTO_KIND, image())

    with pytest.raises(ValidationFailed):
        visits.add_photo(clerk, visit.id, others, now=NOW)
    own = stored(clerk, visits.PHOTO_KIND, image())
    visits.add_photo(clerk, visit.id, own, now=NOW)
    second = make_visit(clerk, care, person)
    with pytest.raises(ValidationFailed):
        visits.add_photo(clerk, second.id, own, now=NOW)


def test_a_photo_is_stored_without_its_gps_position(places):
    office = make_office()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 56.0, 7.0), 3: "E", 4: (119.0, 35.0, 52.0)}
    taken = image("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(taken.getvalue())).getexif().get_ifd(0x8825)

    upload = stored(office, visits.PHOTO_KIND, taken)

    kept = read_upload(upload, current_settings().uploads)
    reopened = Image.open(io.BytesIO(kept))
    assert dict(reopened.getexif()) == {} and not reopened.getexif().get_ifd(0x8825)
    assert "exif" not in reopened.info and b"Exif" not in kept and b"PhoneMaker" not in kept
