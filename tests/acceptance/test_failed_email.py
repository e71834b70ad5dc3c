"""The office on a 360 px phone follows the failed-email count to the list, reads why each
email failed and sends one again."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.acceptance.test_csp import sign_in_as, visit
from tests.acceptance.test_first_visit import assert_fits_the_screen

pytestmark = pytest.mark.browser

LONG_ERROR = (
    "SMTPRecipientsRefused: {'a.very.long.address.of.a.volunteer@mail.example.org': "
    "(550, b'5.1.1 <a.very.long.address.of.a.volunteer@mail.example.org>: Recipient address "
    "rejected: User unknown in virtual mailbox table')}"
)


def test_the_office_sends_a_failed_email_again_on_a_phone(
    page: Page, context: BrowserContext, live_server, app
):
    from core.auth.models import Role
    from core.extensions import db
    from reminders.models import EmailStatus, Notification
    from tests.builders import make_user
    from tests.reminders.test_failed_email import failed_email

    office = make_user(role=Role.office, display_name="文明办")
    row = failed_email(error=LONG_ERROR)
    gone = failed_email()
    gone.user.email = None
    phone, row_id = office.phone, row.id
    db.session.commit()
    # SQLite: no transaction of the test may stay open while the server works.
    db.session.close()

    sign_in_as(page, context, live_server, phone)
    visit(page, live_server + "/office")
    page.get_by_test_id("to-failed-email").click()
    expect(page.get_by_role("heading", name="未送达的邮件")).to_be_visible()
    expect(page.get_by_test_id("failed-email")).to_have_count(2)
    expect(page.get_by_text("Recipient address rejected")).to_be_visible()
    assert_fits_the_screen(page)

    page.locator(f"[data-testid=failed-email][data-id='{row_id}']").get_by_test_id("resend").click()

    expect(page.get_by_text("已将 1 封邮件重新加入发送队列")).to_be_visible()
    expect(page.get_by_test_id("failed-email")).to_have_count(1)
    expect(page.get_by_test_id("cannot-resend")).to_be_visible()
    assert_fits_the_screen(page)
    db.session.expire_all()
    assert db.session.get(Notification, row_id).email_status is EmailStatus.pending
