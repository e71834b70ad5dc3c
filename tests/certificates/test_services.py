"""The certificate register and the service certificate: numbers, check codes, content from the
service record, who may issue, revocation and verification."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from certificates import services
from certificates.models import DocumentKind, DocumentSequence, IssuedDocument, SubjectKind
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from tests.builders import make_user
from tests.certificates.builders import certificate_settings, serve


@pytest.fixture
def office(app):
    return make_user(role=Role.office, display_name="市文明办王主任")


def _issue(actor, volunteer, now=None):
    return services.issue_service_certificate(
        actor, volunteer.id, now=now or utcnow(), settings=certificate_settings()
    )


# Numbers and check codes ----------------------------------------------------------------


def test_numbers_run_in_sequence_per_kind_and_year_with_the_prefix(office):
    volunteer = make_user(display_name="李志强")
    serve(volunteer)
    now = utcnow()
    year = local_day(now).year

    first, second = _issue(volunteer, volunteer, now), _issue(office, volunteer, now)
    next_year = _issue(volunteer, volunteer, now + timedelta(days=366))

    assert first.number == f"QHD-ZYFW-{year}-000001"
    assert second.number == f"QHD-ZYFW-{year}-000002"
    assert (second.year, second.serial) == (year, 2)
    assert next_year.number == f"QHD-ZYFW-{local_day(now + timedelta(days=366)).year}-000001"


def test_the_year_of_a_number_is_the_local_one(office):
    volunteer = make_user()
    serve(volunteer)
    # 1 January 00:30 in Shanghai is still 31 December in UTC.
    new_year = datetime(2030, 12, 31, 16, 30, tzinfo=UTC)
    document = _issue(office, volunteer, new_year)
    assert document.number.startswith("QHD-ZYFW-2031-")


def test_a_number_taken_by_a_transaction_that_rolled_back_is_given_again(app, office):
    volunteer = make_user()
    serve(volunteer)
    db.session.commit()
    _issue(office, volunteer)
    db.session.rollback()
    document = _issue(office, volunteer)
    assert document.serial == 1


def test_the_check_code_is_eight_characters_of_the_unambiguous_alphabet():
    codes = {services.new_check_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", code)
    assert not set("01OIL") & set(services.CHECK_CODE_ALPHABET)


def test_each_certificate_gets_its_own_check_code_printed_in_its_address(office):
    volunteer = make_user()
    serve(volunteer)
    a, b = _issue(office, volunteer), _issue(office, volunteer)
    assert a.check_code != b.check_code
    assert a.snapshot["verify_url"] == (
        f"http://127.0.0.1:5000/certificates/verify?number={a.number}&code={a.check_code}"
    )


def test_the_sequence_row_counts_what_was_issued(office):
    volunteer = make_user()
    serve(volunteer)
    for _ in range(3):
        _issue(office, volunteer)
    row = db.session.get(
        DocumentSequence, (DocumentKind.service_certificate, local_day(utcnow()).year)
    )
    assert row.last_serial == 3


# Content -----------------------------------------------------------------------------------


def test_the_certificate_holds_hours_by_year_and_campaign_from_the_service_record(office):
    volunteer = make_user(display_name="张晓明")
    activity = serve(volunteer, hours=2, ago_hours=30)
    serve(volunteer, hours=3, activity=activity, ago_hours=60)
    serve(volunteer, hours=1, ago_hours=90)  # another team, another campaign of the same name

    document = _issue(volunteer, volunteer)

    s = document.snapshot
    year = local_day(utcnow()).year
    assert (s["name"], s["masked_name"]) == ("张晓明", "张*明")
    assert s["identity"] == {"kind": "volunteer_number", "value": f"{volunteer.id:08d}"}
    assert (s["total_shifts"], s["total_minutes"], s["total_hours"]) == (3, 360, 6.0)
    assert s["years"] == [{"year": year, "shifts": 3, "hours": 6.0}]
    assert [c["hours"] for c in s["campaigns"]] == [6.0]
    assert s["campaigns"][0]["campaign"] == "测试活动季"
    assert len(s["teams"]) == 2
    assert s["issuer"] == "秦皇岛市精神文明建设委员会办公室"
    assert s["issued_on"] == local_day(utcnow()).isoformat()
    assert document.subject_kind is SubjectKind.user and document.subject_id == volunteer.id


def test_nothing_to_certify_without_confirmed_service(office):
    volunteer = make_user()
    with pytest.raises(Conflict):
        _issue(volunteer, volunteer)
    assert db.session.query(IssuedDocument).count() == 0


def test_a_name_the_font_cannot_print_is_refused_naming_the_character(office):
    volunteer = make_user(display_name="𠮷田")
    serve(volunteer)
    with pytest.raises(ValidationFailed) as refused:
        _issue(office, volunteer)
    assert "𠮷" in str(refused.value.message)


# Who may issue -----------------------------------------------------------------------------


def test_a_volunteer_issues_their_own_and_the_register_records_who_and_when(office):
    volunteer = make_user()
    serve(volunteer)
    now = utcnow()
    document = _issue(volunteer, volunteer, now)
    assert document.issued_by_id == volunteer.id
    assert document.issued_at == now


def test_the_office_issues_for_any_volunteer_and_is_recorded_as_the_issuer(office):
    volunteer = make_user()
    serve(volunteer)
    document = _issue(office, volunteer)
    assert document.issued_by_id == office.id
    assert document.subject_id == volunteer.id


def test_a_volunteer_cannot_issue_for_another(office):
    volunteer, other = make_user(), make_user()
    serve(other)
    with pytest.raises(Forbidden):
        _issue(volunteer, other)


def test_merchant_staff_cannot_issue(app):
    staff, volunteer = make_user(role=Role.merchant_staff), make_user()
    serve(volunteer)
    with pytest.raises(Forbidden):
        _issue(staff, volunteer)


def test_the_office_cannot_issue_for_an_account_that_is_no_volunteer(office):
    with pytest.raises(NotFound):
        _issue(office, make_user(role=Role.merchant_staff))


def test_a_volunteer_lists_only_their_own(office):
    volunteer, other = make_user(), make_user()
    serve(volunteer)
    serve(other)
    mine = _issue(volunteer, volunteer)
    _issue(other, other)
    assert services.list_my_certificates(volunteer) == [mine]


def test_someone_elses_document_is_not_found(office):
    volunteer, other = make_user(), make_user()
    serve(volunteer)
    document = _issue(volunteer, volunteer)
    with pytest.raises(NotFound):
        services.get_document(other, document.id)
    assert services.get_document(office, document.id) is document


# Verification ------------------------------------------------------------------------------


def test_the_right_number_and_code_verify(office):
    volunteer = make_user(display_name="王海燕")
    serve(volunteer, hours=3)
    document = _issue(volunteer, volunteer)

    found = services.verify(document.number, document.check_code)

    assert found.number == document.number
    assert found.masked_name == "王*燕"
    assert found.total_hours == 3.0
    assert found.issued_on == local_day(document.issued_at)
    assert not found.is_revoked


def test_typing_is_forgiven_in_case_and_spaces(office):
    volunteer = make_user()
    serve(volunteer)
    document = _issue(volunteer, volunteer)
    code = document.check_code
    typed = f" {document.number.lower()} ", f"{code[:4].lower()} {code[4:]}"
    assert services.verify(*typed) is not None


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(office):
    volunteer = make_user()
    serve(volunteer)
    document = _issue(volunteer, volunteer)
    wrong = "".join("2" if c != "2" else "3" for c in document.check_code)
    unknown = document.number[:-6] + "999999"
    assert services.verify(document.number, wrong) is None
    assert services.verify(unknown, document.check_code) is None
    assert services.verify(document.number, "") is None
    assert services.verify("", document.check_code) is None


# Revocation --------------------------------------------------------------------------------


def test_the_office_revokes_with_a_reason_and_verification_says_so(office):
    volunteer = make_user()
    serve(volunteer)
    document = _issue(volunteer, volunteer)
    now = utcnow()

    services.revoke_document(office, document.id, reason="时长更正后重新出具", now=now)

    assert (document.revoked_at, document.revoked_by_id) == (now, office.id)
    assert document.revocation_reason == "时长更正后重新出具"
    found = services.verify(document.number, document.check_code)
    assert found.is_revoked and found.revoked_on == local_day(now)


def test_revocation_needs_the_office_and_a_reason_and_happens_once(office):
    volunteer = make_user()
    serve(volunteer)
    document = _issue(volunteer, volunteer)
    with pytest.raises(Forbidden):
        services.revoke_document(volunteer, document.id, reason="不要了", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.revoke_document(office, document.id, reason="  ", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.revoke_document(office, document.id, reason="长" * 201, now=utcnow())
    services.revoke_document(office, document.id, reason="重复出具", now=utcnow())
    with pytest.raises(Conflict):
        services.revoke_document(office, document.id, reason="再撤一次", now=utcnow())
    with pytest.raises(NotFound):
        services.revoke_document(office, document.id + 1, reason="没有这张", now=utcnow())


# Masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张晓明", "张*明"),
        ("李四", "李*"),
        ("欧阳晓明", "欧**明"),
        ("刘䶮", "刘*"),
        ("赵孟𫖯", "赵*𫖯"),
        ("王", "王"),
    ],
)
def test_names_are_masked_to_their_first_and_last_characters(name, masked):
    assert services.mask_name(name) == masked


def test_identity_numbers_show_their_first_three_and_last_four():
    assert services.mask_id_number("13030219900101123x") == "130***********123X"
