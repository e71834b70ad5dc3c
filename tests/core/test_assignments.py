"""Scoped roles: the office grants and withdraws clerk, sector, city staff, reviewer and editor
assignments with history; who may act where; the pages, the API and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import regions
from core.auth import assignments
from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import AuditAction, AuditEntry, Role
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from tests.builders import make_user
from tests.concurrency import run_at_once
from tests.conftest import POSTGRES_URL

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
CLERK, STREET, DISTRICT = (
    AssignmentKind.community_clerk,
    AssignmentKind.street_clerk,
    AssignmentKind.district_clerk,
)


@pytest.fixture
def tree(app):
    regions.ensure_regions(demo_communities=True)
    regions.ensure_sectors()
    return {region.code: region for region in regions.list_regions()}


def grant(office, user, kind, region=None, *, now=NOW, sector=None):
    return assignments.grant_assignment(
        office,
        user.id,
        kind,
        now=now,
        region_id=region.id if region is not None else None,
        sector_id=sector.id if sector is not None else None,
    )


def log_of(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_a_clerk_is_assigned_to_a_region_of_the_matching_level(tree, office_user, volunteer):
    community = tree["haigang-wenhualu-01"]
    assignment = grant(office_user, volunteer, CLERK, community)

    assert assignment.region == community and assignment.granted_by_id == office_user.id
    assert assignments.assignments_of(volunteer, NOW) == [assignment]
    (entry,) = log_of(AuditAction.assignment_granted)
    assert entry.target_id == volunteer.id and entry.actor_id == office_user.id
    assert entry.details == {
        "kind": "community_clerk",
        "region": "文化里社区",
        "assignment_id": assignment.id,
    }


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (CLERK, "haigang-wenhualu"),
        (STREET, "haigang-wenhualu-01"),
        (STREET, "haigang"),
        (DISTRICT, "qinhuangdao"),
        (DISTRICT, "haigang-wenhualu"),
    ],
)
def test_a_region_of_the_wrong_level_is_refused(tree, office_user, volunteer, kind, code):
    with pytest.raises(ValidationFailed) as refused:
        grant(office_user, volunteer, kind, tree[code])
    assert "region_id" in refused.value.errors
    assert db.session.scalar(db.select(db.func.count(RoleAssignment.id))) == 0
    assert log_of(AuditAction.assignment_granted) == []


def test_a_missing_region_or_sector_is_refused(tree, office_user, volunteer):
    with pytest.raises(ValidationFailed) as no_region:
        assignments.grant_assignment(office_user, volunteer.id, CLERK, now=NOW, region_id=999999)
    assert "region_id" in no_region.value.errors
    with pytest.raises(ValidationFailed) as no_sector:
        assignments.grant_assignment(
            office_user, volunteer.id, AssignmentKind.sector_clerk, now=NOW
        )
    assert "sector_id" in no_sector.value.errors


def test_granting_twice_is_refused_but_another_region_is_another_assignment(
    tree, office_user, volunteer
):
    grant(office_user, volunteer, CLERK, tree["haigang-wenhualu-01"])
    with pytest.raises(Conflict):
        grant(office_user, volunteer, CLERK, tree["haigang-wenhualu-01"])
    grant(office_user, volunteer, CLERK, tree["haigang-wenhualu-02"])
    grant(office_user, volunteer, AssignmentKind.media_editor)
    with pytest.raises(Conflict):
        grant(office_user, volunteer, AssignmentKind.media_editor)
    sector = regions.list_sectors()[0]
    grant(office_user, volunteer, AssignmentKind.sector_clerk, sector=sector)
    with pytest.raises(Conflict):
        grant(office_user, volunteer, AssignmentKind.sector_clerk, sector=sector)
    assert len(assignments.assignments_of(volunteer, NOW)) == 4
    assert len(log_of(AuditAction.assignment_granted)) == 4


def test_withdrawing_keeps_the_history_and_twice_is_refused(tree, office_user, volunteer):
    street = tree["haigang-wenhualu"]
    first = grant(office_user, volunteer, STREET, street)
    later = NOW + timedelta(days=30)

    withdrawn = assignments.withdraw_assignment(office_user, first.id, now=later)
    assert withdrawn.withdrawn_at == later and withdrawn.withdrawn_by_id == office_user.id
    with pytest.raises(Conflict):
        assignments.withdraw_assignment(office_user, first.id, now=later)
    assert len(log_of(AuditAction.assignment_withdrawn)) == 1

    # Held before, not after.
    assert assignments.assignments_of(volunteer, NOW + timedelta(days=1)) == [first]
    assert assignments.assignments_of(volunteer, later) == []
    # Granted again: a new row, the old one stays.
    again = grant(office_user, volunteer, STREET, street, now=later + timedelta(days=1))
    history = assignments.assignment_history(office_user, volunteer.id)
    assert [a.id for a in history] == [again.id, first.id]


def test_only_the_office_grants_and_withdraws(tree, office_user, volunteer):
    other = make_user(display_name="另一位志愿者")
    with pytest.raises(Forbidden):
        grant(volunteer, other, CLERK, tree["haigang-wenhualu-01"])
    held = grant(office_user, other, CLERK, tree["haigang-wenhualu-01"])
    # City staff act everywhere, but the grants stay the office's.
    grant(office_user, volunteer, AssignmentKind.city_staff)
    with pytest.raises(Forbidden):
        assignments.withdraw_assignment(volunteer, held.id, now=NOW)
    with pytest.raises(Forbidden):
        assignments.assignment_history(volunteer, other.id)


def test_unknown_accounts_and_assignments_are_not_found(tree, office_user):
    with pytest.raises(NotFound):
        assignments.grant_assignment(office_user, 999999, AssignmentKind.media_editor, now=NOW)
    with pytest.raises(NotFound):
        assignments.withdraw_assignment(office_user, 999999, now=NOW)


def test_a_disabled_account_gets_no_assignment(tree, office_user, volunteer):
    volunteer.is_enabled = False
    with pytest.raises(Conflict):
        grant(office_user, volunteer, AssignmentKind.panel_reviewer)


def test_a_clerk_acts_in_their_region_and_below_only(tree, office_user, volunteer):
    street, community = tree["haigang-wenhualu"], tree["haigang-wenhualu-01"]
    grant(office_user, volunteer, STREET, street)

    assert assignments.may_act_in(volunteer, street)
    assert assignments.may_act_in(volunteer, community)
    assert not assignments.may_act_in(volunteer, tree["haigang-haibinlu-01"])
    assert not assignments.may_act_in(volunteer, tree["haigang"])
    assert not assignments.may_act_in(volunteer, community, kinds=[DISTRICT])
    with pytest.raises(Forbidden):
        assignments.require_act_in(volunteer, tree["shanhaiguan-nanguan"])

    scope = assignments.clerk_scope(volunteer)
    assert not scope.everywhere
    assert scope.regions == ((street, STREET),)
    assert scope.region_ids() == regions.descendant_ids(street)

    nobody = make_user(display_name="无分配")
    assert not assignments.may_act_in(nobody, community)
    assert assignments.clerk_scope(nobody).region_ids() == set()


def test_the_office_and_city_staff_act_everywhere(tree, office_user, volunteer):
    assert assignments.may_act_in(office_user, tree["qinglong-qinglong-01"])
    assert assignments.clerk_scope(office_user).region_ids() is None
    staff = grant(office_user, volunteer, AssignmentKind.city_staff)
    assert assignments.may_act_in(volunteer, tree["qinglong-qinglong-01"], kinds=[CLERK])

    assignments.withdraw_assignment(office_user, staff.id, now=NOW + timedelta(hours=1))
    assert not assignments.may_act_in(volunteer, tree["qinglong-qinglong-01"])
    grant(office_user, volunteer, AssignmentKind.city_staff, now=NOW + timedelta(hours=2))
    assert assignments.may_act_in(volunteer, tree["qinglong-qinglong-01"])
    # A disabled account acts nowhere, whatever it holds.
    volunteer.is_enabled = False
    assert not assignments.may_act_in(volunteer, tree["qinglong-qinglong-01"])


def test_the_user_page_grants_shows_history_and_withdraws(app, tree, office_client, volunteer):
    community = tree["haigang-wenhualu-01"]
    db.session.commit()

    page = office_client.get(f"/office/users/{volunteer.id}")
    assert page.status_code == 200 and 'data-testid="grant-assignment"' in page.text

    granted = office_client.post(
        f"/office/users/{volunteer.id}/assignments",
        data={"kind": "community_clerk", "region_id": community.id, "sector_id": ""},
    )
    assert granted.status_code == 302
    (held,) = assignments.assignments_of(volunteer, datetime.now(UTC))

    wrong = office_client.post(
        f"/office/users/{volunteer.id}/assignments",
        data={"kind": "district_clerk", "region_id": community.id},
    )
    assert wrong.status_code == 302
    page = office_client.get(f"/office/users/{volunteer.id}")
    assert "文化里社区" in page.text and 'data-active="yes"' in page.text

    withdrawn = office_client.post(f"/office/assignments/{held.id}/withdraw")
    assert withdrawn.status_code == 302
    assert withdrawn.headers["Location"].endswith(f"/office/users/{volunteer.id}")
    page = office_client.get(f"/office/users/{volunteer.id}")
    assert 'data-active="no"' in page.text and 'data-active="yes"' not in page.text

    twice = office_client.post(f"/office/assignments/{held.id}/withdraw", follow_redirects=True)
    assert twice.status_code == 200
    assert len(log_of(AuditAction.assignment_withdrawn)) == 1

    audit = office_client.get(f"/office/audit?user_id={volunteer.id}")
    assert audit.status_code == 200 and "文化里社区" in audit.text


def test_the_api_grants_lists_and_withdraws(app, tree, office_user, volunteer, bearer):
    client = app.test_client()
    office = bearer(office_user)
    street = tree["haigang-wenhualu"]

    created = client.post(
        f"/api/v1/office/users/{volunteer.id}/assignments",
        json={"kind": "street_clerk", "region_id": street.id},
        headers=office,
    )
    assert created.status_code == 201, created.json
    assert created.json["region"] == {"id": street.id, "code": street.code, "name": "文化路街道"}

    twice = client.post(
        f"/api/v1/office/users/{volunteer.id}/assignments",
        json={"kind": "street_clerk", "region_id": street.id},
        headers=office,
    )
    assert twice.status_code == 409

    wrong = client.post(
        f"/api/v1/office/users/{volunteer.id}/assignments",
        json={"kind": "community_clerk", "region_id": street.id},
        headers=office,
    )
    assert wrong.status_code == 422 and "region_id" in wrong.json["errors"]

    refused = client.post(
        f"/api/v1/office/users/{volunteer.id}/assignments",
        json={"kind": "media_editor"},
        headers=bearer(volunteer),
    )
    assert refused.status_code == 403

    withdrawn = client.post(
        f"/api/v1/office/assignments/{created.json['id']}/withdrawal", headers=office
    )
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_at"]
    again = client.post(
        f"/api/v1/office/assignments/{created.json['id']}/withdrawal", headers=office
    )
    assert again.status_code == 409

    listed = client.get(f"/api/v1/office/users/{volunteer.id}/assignments", headers=office)
    assert [a["kind"] for a in listed.json] == ["street_clerk"]


@pytest.mark.skipif(not POSTGRES_URL, reason="concurrent grants need PostgreSQL")
def test_two_offices_granting_at_once_make_one_assignment(app, tree, office_user, volunteer):
    other_office = make_user(role=Role.office, display_name="文明办二")
    offices = [office_user.id, other_office.id]
    community_id, user_id = tree["haigang-wenhualu-01"].id, volunteer.id

    def work(i):
        from core.auth.models import User

        office = db.session.get(User, offices[i % 2])
        return assignments.grant_assignment(
            office, user_id, CLERK, now=NOW, region_id=community_id
        ).id

    results = run_at_once(app, 4, work)
    made = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1 and len(refused) == 3, results
    assert db.session.scalar(db.select(db.func.count(RoleAssignment.id))) == 1
    assert len(log_of(AuditAction.assignment_granted)) == 1
