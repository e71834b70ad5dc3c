"""The certificate pages: a volunteer issues and downloads their own from the service record,
the office issues, reads the register and revokes, and anyone verifies by number and code
(the same answer for a wrong code as for no such number, and not endlessly)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from certificates import services
from certificates.models import IssuedDocument
from core.clock import utcnow
from core.extensions import db
from tests.builders import make_user
from tests.certificates.builders import certificate_settings, serve
from tests.conftest import sign_in


def _issued(volunteer, actor=None) -> IssuedDocument:
    return services.issue_service_certificate(
        actor or volunteer, volunteer.id, now=utcnow(), settings=certificate_settings()
    )


def _documents() -> list[IssuedDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.id)))


# The volunteer ---------------------------------------------------------------------------


def test_the_service_record_leads_to_the_certificates(volunteer_client, volunteer):
    page = volunteer_client.get("/me/service-record").text
    assert 'href="/me/certificates"' in page


def test_a_volunteer_issues_their_own_and_downloads_it(volunteer_client, volunteer):
    serve(volunteer, hours=2)

    issued = volunteer_client.post("/me/certificates")

    assert issued.status_code == 302 and issued.headers["Location"] == "/me/certificates"
    (document,) = _documents()
    assert (document.subject_id, document.issued_by_id) == (volunteer.id, volunteer.id)
    page = volunteer_client.get("/me/certificates").text
    assert document.number in page
    assert f'href="/certificates/{document.id}.pdf"' in page

    download = volunteer_client.get(f"/certificates/{document.id}.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert f'filename="{document.number}.pdf"' in download.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(download.data)).pages[0].extract_text()
    assert document.check_code in text


def test_a_volunteer_issues_at_most_ten_a_day(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        volunteer = make_user()
        serve(volunteer)
        db.session.commit()
        client = sign_in(app.test_client(), volunteer)
        for _ in range(10):
            assert client.post("/me/certificates").status_code == 302
        assert client.post("/me/certificates").status_code == 429
        assert len(_documents()) == 10


def test_a_volunteer_without_confirmed_service_is_told_so(volunteer_client, volunteer):
    refused = volunteer_client.post("/me/certificates", follow_redirects=True)
    assert "还没有可证明的已确认服务" in refused.text
    assert _documents() == []


def test_a_volunteer_cannot_download_anothers_certificate(volunteer_client, volunteer):
    other = make_user(display_name="别人")
    serve(other)
    document = _issued(other)
    assert volunteer_client.get(f"/certificates/{document.id}.pdf").status_code == 404


def test_a_volunteer_cannot_reach_the_office_routes(volunteer_client, volunteer):
    other = make_user()
    serve(other)
    document = _issued(other)
    assert volunteer_client.post(f"/office/volunteers/{other.id}/certificates").status_code == 403
    assert volunteer_client.get("/office/certificates").status_code == 403
    revoke = volunteer_client.post(
        f"/office/certificates/{document.id}/revoke", data={"reason": "不要了"}
    )
    assert revoke.status_code == 403
    assert [d.issued_by_id for d in _documents()] == [other.id]
    assert _documents()[0].revoked_at is None


# The office ------------------------------------------------------------------------------


def test_the_office_issues_from_a_volunteers_record(office_client, office_user):
    volunteer = make_user(display_name="张晓梅")
    serve(volunteer)
    record = office_client.get(f"/office/volunteers/{volunteer.id}/service-record").text
    assert f'action="/office/volunteers/{volunteer.id}/certificates"' in record

    issued = office_client.post(f"/office/volunteers/{volunteer.id}/certificates")

    (document,) = _documents()
    assert issued.headers["Location"] == f"/office/certificates/{document.id}"
    assert (document.subject_id, document.issued_by_id) == (volunteer.id, office_user.id)
    page = office_client.get(f"/office/certificates/{document.id}").text
    assert document.number in page and document.check_code in page
    assert office_user.display_name in page


def test_the_register_lists_every_certificate_and_finds_a_number(office_client, office_user):
    a, b = make_user(display_name="王海燕"), make_user(display_name="刘建国")
    activity = serve(a)
    serve(b, activity=activity)
    first, second = _issued(a), _issued(b, office_user)

    page = office_client.get("/office/certificates").text
    assert first.number in page and second.number in page
    assert "王海燕" in page and "刘建国" in page

    found = office_client.get(f"/office/certificates?number={second.number[-6:]}").text
    assert second.number in found and first.number not in found


def test_the_office_revokes_with_a_reason_and_the_page_says_so(office_client, office_user):
    volunteer = make_user()
    serve(volunteer)
    document = _issued(volunteer)
    url = f"/office/certificates/{document.id}/revoke"

    assert office_client.post(url, data={"reason": ""}).status_code == 422
    done = office_client.post(url, data={"reason": "服务时长更正"})

    assert done.headers["Location"] == f"/office/certificates/{document.id}"
    (stored,) = _documents()
    assert stored.revocation_reason == "服务时长更正"
    assert stored.revoked_by_id == office_user.id
    page = office_client.get(f"/office/certificates/{document.id}").text
    assert "服务时长更正" in page and 'data-testid="reason"' in page
    verified = office_client.get(
        "/certificates/verify",
        query_string={"number": document.number, "code": document.check_code},
    ).text
    assert 'data-testid="revoked"' in verified and 'data-testid="genuine"' not in verified


def test_the_office_home_leads_to_the_register(office_client):
    assert 'href="/office/certificates"' in office_client.get("/office").text


# Verification ----------------------------------------------------------------------------


def _verify(client, number, code):
    return client.get("/certificates/verify", query_string={"number": number, "code": code})


def test_anyone_verifies_a_genuine_certificate(client):
    volunteer = make_user(display_name="张晓明")
    serve(volunteer, hours=3)
    document = _issued(volunteer)

    page = _verify(client, document.number, document.check_code)

    assert page.status_code == 200
    text = page.text
    assert 'data-testid="genuine"' in text
    assert document.number in text
    assert "张*明" in text and "张晓明" not in text
    assert '<dd class="col-7" data-testid="hours">3.0</dd>' in text
    assert volunteer.phone not in text


def test_a_wrong_code_gets_the_same_answer_as_a_number_never_issued(client):
    volunteer = make_user(display_name="张晓明")
    serve(volunteer)
    document = _issued(volunteer)
    unknown = document.number[:-6] + "999999"
    wrong = "".join("2" if c != "2" else "3" for c in document.check_code)

    wrong_code = _verify(client, document.number, wrong)
    no_such_number = _verify(client, unknown, wrong)

    assert wrong_code.status_code == no_such_number.status_code == 200
    assert 'data-testid="not-confirmed"' in wrong_code.text
    # The pages differ only in the number typed, which the form shows again.
    assert wrong_code.text.replace(document.number, "N") == no_such_number.text.replace(
        unknown, "N"
    )


def test_the_page_without_a_question_offers_the_form(client):
    page = client.get("/certificates/verify").text
    assert 'name="number"' in page and 'name="code"' in page
    assert 'data-testid="not-confirmed"' not in page


def test_the_qr_code_address_opens_the_verification(client):
    volunteer = make_user()
    serve(volunteer)
    document = _issued(volunteer)
    path = re.sub(r"^https?://[^/]+", "", document.snapshot["verify_url"])
    assert 'data-testid="genuine"' in client.get(path).text


def test_verification_is_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, CERTIFICATE_VERIFICATIONS_PER_ADDRESS="3 per minute")
    with app.app_context():
        client = app.test_client()
        for n in range(3):
            assert _verify(client, f"QHD-ZYFW-2026-00000{n}", "AAAAAAAA").status_code == 200
        blocked = _verify(client, "QHD-ZYFW-2026-000009", "AAAAAAAA")
        assert blocked.status_code == 429
        # The bare form is no look-up and stays open.
        assert client.get("/certificates/verify").status_code == 200
        other = app.test_client()
        other_address = {"REMOTE_ADDR": "127.0.0.2"}
        assert (
            other.get(
                "/certificates/verify?number=X&code=Y", environ_overrides=other_address
            ).status_code
            == 200
        )


def test_the_verification_page_speaks_english_on_request(client):
    client.post("/language", data={"locale": "en"})
    page = client.get("/certificates/verify?number=X&code=Y").text
    assert "No certificate matches this number and check code." in page


def test_a_signed_in_volunteer_may_verify_too(make_app):
    app = make_app()
    with app.app_context():
        volunteer = make_user()
        serve(volunteer)
        document = _issued(volunteer)
        db.session.commit()
        client = sign_in(app.test_client(), volunteer)
        assert 'data-testid="genuine"' in _verify(client, document.number, document.check_code).text
