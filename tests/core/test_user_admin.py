"""The office's user administration and audit log: finding accounts, disabling and enabling
(never oneself, never the last enabled office account), the office role, merchant staff links,
whole mobile numbers shown on asking, and an audit log entry for every one of those actions,
read on a page and exported."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from core.auth import admin
from core.auth.cli import office_actor
from core.auth.models import AuditAction, AuditEntry, Role
from core.clock import utcnow
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from points.models import MerchantStaff
from tests.builders import make_merchant, make_team, make_user
from tests.conftest import sign_in


def entries(action: AuditAction | None = None, **where) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return list(db.session.scalars(query))


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


# Searching ------------------------------------------------------------------------------------


def test_search_finds_accounts_by_part_of_the_number_or_the_name(app, office_user):
    zhang = make_user(phone="13912340001", display_name="张晓梅")
    wang = make_user(phone="13812340002", display_name="王海燕")

    def found(query: str) -> set[int]:
        return {u.id for u in admin.search_users(office_user, query=query).items}

    assert found("1234") == {zhang.id, wang.id}
    assert found("139 1234-0001") == {zhang.id}
    assert found("+8613812340002") == {wang.id}
    assert found("晓梅") == {zhang.id}
    assert found("%") == set()  # a wildcard is a character like any other
    assert {zhang.id, wang.id, office_user.id} <= found("")


def test_search_is_paginated_newest_first(app, office_user):
    made = [make_user(display_name=f"翻页{n}") for n in range(5)]
    first = admin.search_users(office_user, query="翻页", per_page=2)
    assert first.total == 5 and first.pages == 3
    assert [u.id for u in first.items] == [made[4].id, made[3].id]
    last = admin.search_users(office_user, query="翻页", page=3, per_page=2)
    assert [u.id for u in last.items] == [made[0].id]
    # A page far beyond the end is empty, not an error.
    assert admin.search_users(office_user, query="翻页", page=10**9).items == []


def test_search_refuses_anyone_but_the_office_and_overlong_queries(app, volunteer, office_user):
    with pytest.raises(Forbidden):
        admin.search_users(volunteer, query="")
    with pytest.raises(ValidationFailed):
        admin.search_users(office_user, query="张" * 21)


def test_the_user_list_page_searches_and_shows_masked_numbers(office_client, app):
    target = make_user(phone="13912349876", display_name="李志强")
    page = office_client.get("/office/users?q=李志强")
    assert page.status_code == 200
    assert "李志强" in page.text
    assert "139****9876" in page.text
    assert target.phone not in page.text
    assert office_client.get("/office/users?q=" + "李" * 30).status_code == 200
    second = office_client.get("/office/users?page=2&q=nobody")
    assert second.status_code == 200


def test_volunteers_and_merchant_staff_reach_none_of_it(volunteer_client, merchant_client):
    for client in (volunteer_client, merchant_client):
        for path in ("/office/users", "/office/audit", "/office/audit/export.csv"):
            assert client.get(path).status_code == 403


# A user's page and the whole number -----------------------------------------------------------


def test_a_users_page_shows_roles_teams_and_a_masked_number(office_client, app, office_user):
    leader = make_user(phone="13912345555", display_name="未淑云")
    team = make_team(leader, name="道德模范志愿服务队")
    page = office_client.get(f"/office/users/{leader.id}")
    assert page.status_code == 200
    assert "未淑云" in page.text and team.name in page.text
    assert "139****5555" in page.text
    assert leader.phone not in page.text
    assert entries(AuditAction.viewed_phone) == []


def test_showing_the_whole_number_is_written_to_the_audit_log(office_client, app, office_user):
    target = make_user(phone="13912346666", display_name="赵磊")
    page = office_client.get(f"/office/users/{target.id}/phone")
    assert page.status_code == 200
    assert "13912346666" in page.text
    (viewed,) = entries(AuditAction.viewed_phone)
    assert (viewed.actor_id, viewed.target_id) == (office_user.id, target.id)
    office_client.get(f"/office/users/{target.id}/phone")
    assert len(entries(AuditAction.viewed_phone)) == 2


def test_an_unknown_user_is_not_found(office_client):
    assert office_client.get("/office/users/999999").status_code == 404
    assert office_client.get("/office/users/999999/phone").status_code == 404
    assert entries() == []


# Disabling and enabling -----------------------------------------------------------------------


def test_disabling_signs_out_everywhere_and_enabling_lets_in_again(office_client, app, office_user):
    target = make_user(display_name="孙丽")
    db.session.commit()
    target_client = sign_in(app.test_client(), target)

    response = office_client.post(f"/office/users/{target.id}/disable")
    assert response.status_code == 302
    db.session.expire_all()
    assert target.is_enabled is False
    assert target_client.get("/profile").status_code == 302  # signed out
    (disabled,) = entries(AuditAction.disabled)
    assert (disabled.actor_id, disabled.target_id) == (office_user.id, target.id)

    office_client.post(f"/office/users/{target.id}/enable")
    db.session.expire_all()
    assert target.is_enabled is True
    (enabled,) = entries(AuditAction.enabled)
    assert (enabled.actor_id, enabled.target_id) == (office_user.id, target.id)
    sign_in(app.test_client(), target)


def test_asking_for_what_is_so_already_changes_and_logs_nothing(app, office_user):
    target = make_user()
    admin.set_account_enabled(office_user, target.id, enabled=True, now=utcnow())
    assert entries() == []


def test_the_office_cannot_disable_itself(office_client, app, office_user):
    make_user(role=Role.office, display_name="另一位文明办")
    response = office_client.post(f"/office/users/{office_user.id}/disable")
    assert response.status_code == 302
    assert ("danger", "不能停用自己的账号。") in flashes(office_client)
    db.session.expire_all()
    assert office_user.is_enabled is True
    assert entries() == []


def test_the_last_enabled_office_account_is_never_disabled(app, office_user):
    other = make_user(role=Role.office, display_name="另一位文明办")
    # Two offices: one may disable the other.
    admin.set_account_enabled(office_user, other.id, enabled=False, now=utcnow())
    # Now office_user is the last: the command line (or anyone) cannot disable it.
    with pytest.raises(Conflict) as refused:
        admin.set_account_enabled(office_actor(), office_user.id, enabled=False, now=utcnow())
    assert refused.value.code == "last_office"
    db.session.expire_all()
    assert office_user.is_enabled is True
    # A disabled office account does not count: enabling the other makes it possible again.
    admin.set_account_enabled(office_user, other.id, enabled=True, now=utcnow())
    admin.set_account_enabled(office_actor(), office_user.id, enabled=False, now=utcnow())


def test_the_command_line_refuses_to_disable_the_last_office_account(app, office_user):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "disable", office_user.phone])
    assert result.exit_code == 1
    assert "最后一个启用的文明办账号" in result.output
    db.session.expire_all()
    assert office_user.is_enabled is True


def test_the_command_line_disabling_is_logged_without_an_actor(app, office_user):
    target = make_user()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "disable", target.phone])
    assert result.exit_code == 0, result.output
    (disabled,) = entries(AuditAction.disabled)
    assert disabled.actor_id is None and disabled.target_id == target.id


# The office role ------------------------------------------------------------------------------


def test_granting_and_withdrawing_the_office_role(office_client, app, office_user):
    target = make_user(display_name="陈静")
    office_client.post(f"/office/users/{target.id}/grant-office")
    db.session.expire_all()
    assert target.role is Role.office
    (granted,) = entries(AuditAction.office_granted)
    assert (granted.actor_id, granted.target_id) == (office_user.id, target.id)
    # The new office account reaches the office's pages.
    assert sign_in(app.test_client(), target).get("/office/users").status_code == 200

    office_client.post(f"/office/users/{target.id}/withdraw-office")
    db.session.expire_all()
    assert target.role is Role.volunteer
    (withdrawn,) = entries(AuditAction.office_withdrawn)
    assert (withdrawn.actor_id, withdrawn.target_id) == (office_user.id, target.id)


def test_the_office_role_goes_to_volunteers_only(app, office_user):
    _merchant, staff, _items = make_merchant()
    with pytest.raises(Conflict):
        admin.grant_office(office_user, staff.id, now=utcnow())
    disabled = make_user()
    admin.set_account_enabled(office_user, disabled.id, enabled=False, now=utcnow())
    with pytest.raises(Conflict):
        admin.grant_office(office_user, disabled.id, now=utcnow())
    with pytest.raises(Forbidden):
        admin.grant_office(make_user(), disabled.id, now=utcnow())


def test_nobody_withdraws_their_own_or_the_last_office_role(office_client, app, office_user):
    office_client.post(f"/office/users/{office_user.id}/withdraw-office")
    db.session.expire_all()
    assert office_user.role is Role.office
    with pytest.raises(Conflict) as refused:
        admin.withdraw_office(office_actor(), office_user.id, now=utcnow())
    assert refused.value.code == "last_office"
    with pytest.raises(Conflict):
        admin.withdraw_office(office_user, make_user().id, now=utcnow())  # not an office account
    assert entries() == []


# Merchant staff links -------------------------------------------------------------------------


def test_removing_and_adding_a_merchant_staff_link(office_client, app, office_user):
    first, staff, _items = make_merchant(name="积分超市甲")
    second, _other, _ = make_merchant(name="爱心理发乙")
    page = office_client.get(f"/office/users/{staff.id}")
    assert "积分超市甲" in page.text

    office_client.post(f"/office/users/{staff.id}/merchant/remove")
    assert db.session.get(MerchantStaff, staff.id) is None
    (removed,) = entries(AuditAction.staff_unlinked)
    assert (removed.actor_id, removed.target_id) == (office_user.id, staff.id)
    assert removed.details == {"merchant_id": first.id, "merchant": "积分超市甲"}
    # Without a link the clerk reaches no counter.
    assert sign_in(app.test_client(), staff).get("/counter").status_code == 403

    office_client.post(f"/office/users/{staff.id}/merchant", data={"merchant_id": second.id})
    db.session.expire_all()
    assert db.session.get(MerchantStaff, staff.id).merchant_id == second.id
    (added,) = entries(AuditAction.staff_linked)
    assert (added.actor_id, added.target_id) == (office_user.id, staff.id)
    assert added.details == {"merchant_id": second.id, "merchant": "爱心理发乙"}


def test_a_staff_link_is_refused_what_it_cannot_be(office_client, app, office_user):
    from points.services import merchants

    merchant, staff, _items = make_merchant()
    volunteer = make_user()
    with pytest.raises(Conflict):
        merchants.link_staff(office_user, volunteer.id, merchant.id, now=utcnow())
    with pytest.raises(Conflict):  # linked already
        merchants.link_staff(office_user, staff.id, merchant.id, now=utcnow())
    with pytest.raises(Forbidden):
        merchants.unlink_staff(volunteer, staff.id, now=utcnow())
    # The page says why and changes nothing: no merchant chosen, an unknown one, no link.
    for data in ({}, {"merchant_id": "x"}, {"merchant_id": 999999}):
        response = office_client.post(f"/office/users/{volunteer.id}/merchant", data=data)
        assert response.status_code == 302
        assert any(category == "danger" for category, _ in flashes(office_client))
    office_client.post(f"/office/users/{volunteer.id}/merchant/remove")
    assert any(category == "danger" for category, _ in flashes(office_client))
    assert entries() == []


# The audit log --------------------------------------------------------------------------------


def test_the_audit_log_is_append_only(app, office_user):
    entry = admin.record_action(office_user, AuditAction.viewed_phone, office_user, now=utcnow())
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(
            text("UPDATE audit_log SET details = '{}' WHERE id = :id"), {"id": entry.id}
        )
    db.session.rollback()


def _some_history(office_user):
    now = utcnow()
    a, b = make_user(display_name="甲某", phone="13955550001"), make_user(display_name="乙某")
    admin.set_account_enabled(office_user, a.id, enabled=False, now=now - timedelta(minutes=3))
    admin.set_account_enabled(office_user, a.id, enabled=True, now=now - timedelta(minutes=2))
    admin.show_phone(office_user, b.id, now=now - timedelta(minutes=1))
    admin.set_account_enabled(office_actor(), b.id, enabled=False, now=now)
    return a, b


def test_the_audit_page_lists_and_filters_by_user_actor_and_action(office_client, app, office_user):
    a, _b = _some_history(office_user)
    page = office_client.get("/office/audit")
    assert page.status_code == 200
    assert page.text.count('data-testid="audit-entry"') == 4
    assert "停用账号" in page.text and "命令行" in page.text

    by_user = office_client.get(f"/office/audit?user_id={a.id}").text
    assert by_user.count('data-testid="audit-entry"') == 2
    by_phone = office_client.get("/office/audit?user=13955550001").text
    assert by_phone.count('data-testid="audit-entry"') == 2
    by_actor = office_client.get(f"/office/audit?actor={office_user.phone}").text
    assert by_actor.count('data-testid="audit-entry"') == 3
    by_action = office_client.get("/office/audit?action=viewed_phone").text
    assert by_action.count('data-testid="audit-entry"') == 1
    nobody = office_client.get("/office/audit?user=13000000000").text
    assert nobody.count('data-testid="audit-entry"') == 0
    # Malformed filters are said beside their fields; the page still answers.
    bad = office_client.get("/office/audit?user=abc&action=nonsense")
    assert bad.status_code == 200
    assert bad.text.count('data-testid="audit-entry"') == 0


def test_the_audit_page_is_paginated(office_client, app, office_user):
    target = make_user()
    for minute in range(25):
        admin.show_phone(office_user, target.id, now=utcnow() - timedelta(minutes=minute))
    first = office_client.get("/office/audit").text
    assert first.count('data-testid="audit-entry"') == 20
    assert "1 / 2" in first
    second = office_client.get("/office/audit?page=2").text
    assert second.count('data-testid="audit-entry"') == 5


def test_the_audit_log_exports_as_csv_and_excel_and_the_export_is_logged(
    office_client, app, office_user
):
    a, _b = _some_history(office_user)
    response = office_client.get(f"/office/audit/export.csv?user_id={a.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["操作日志"]
    header = rows.index(["时间", "操作人", "操作", "账号", "详情"])
    lines = rows[header + 1 :]
    assert [line[2] for line in lines] == ["启用账号", "停用账号"]
    assert all("甲某" in line[3] and "139****0001" in line[3] for line in lines)
    (exported,) = entries(AuditAction.audit_exported)
    assert exported.actor_id == office_user.id and exported.details == {"user_id": a.id}

    workbook = office_client.get("/office/audit/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "停用账号" in values and "导出操作日志" in values
    assert len(entries(AuditAction.audit_exported)) == 2
    assert office_client.get("/office/audit/export.pdf").status_code == 404


def test_every_office_action_of_the_pages_is_in_the_audit_log(office_client, app, office_user):
    """One of each, through the pages: each leaves its entry with the office as actor."""
    volunteer = make_user()
    _merchant, staff, _items = make_merchant()
    other, _s, _i = make_merchant()
    steps = [
        ("get", f"/office/users/{volunteer.id}/phone", {}, AuditAction.viewed_phone),
        ("post", f"/office/users/{volunteer.id}/disable", {}, AuditAction.disabled),
        ("post", f"/office/users/{volunteer.id}/enable", {}, AuditAction.enabled),
        ("post", f"/office/users/{volunteer.id}/reset-link", {}, AuditAction.reset_link_created),
        ("post", f"/office/users/{volunteer.id}/grant-office", {}, AuditAction.office_granted),
        ("post", f"/office/users/{volunteer.id}/withdraw-office", {}, AuditAction.office_withdrawn),
        ("post", f"/office/users/{staff.id}/merchant/remove", {}, AuditAction.staff_unlinked),
        (
            "post",
            f"/office/users/{staff.id}/merchant",
            {"merchant_id": other.id},
            AuditAction.staff_linked,
        ),
        ("get", "/office/audit/export.csv", {}, AuditAction.audit_exported),
    ]
    for method, path, data, action in steps:
        response = getattr(office_client, method)(path, data=data)
        assert response.status_code in (200, 302), path
        db.session.expire_all()
        (entry,) = entries(action)
        assert entry.actor_id == office_user.id, action
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == len(steps)
    # The account's page lists what was done to it.
    page = office_client.get(f"/office/users/{volunteer.id}").text
    assert page.count('data-testid="audit-entry"') == 6


def test_the_office_home_and_menu_lead_to_the_users(office_client):
    home = office_client.get("/office").text
    assert 'href="/office/users"' in home
    assert home.count('href="/office/users"') >= 2  # the card and the menu
