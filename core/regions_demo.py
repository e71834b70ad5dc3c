"""Demo data of the region tree: the city's tree with the demo's communities, the sectors, the
holiday calendar, and a community, a street and a district clerk along one branch of 海港区
(文化里社区 → 文化路街道 → 海港区)."""

from __future__ import annotations

from datetime import timedelta

from core.auth.assignments import AssignmentKind, assignments_of, grant_assignment
from core.auth.models import Role
from core.clock import utcnow
from core.demo import OFFICE, ensure_account
from core.regions import ensure_regions, ensure_sectors, get_region_by_code
from core.workdays import ensure_holidays

# (phone, name, kind, region code)
CLERKS = [
    ("13500000001", "社区专干 赵文华", AssignmentKind.community_clerk, "haigang-wenhualu-01"),
    ("13500000002", "街道专干 钱海滨", AssignmentKind.street_clerk, "haigang-wenhualu"),
    ("13500000003", "区文明办 孙港城", AssignmentKind.district_clerk, "haigang"),
]
# How long the demo's scoped roles have been held when the demo is loaded: a season, so that
# the demo's nominations, reviewed from the first day of last month on, were theirs to review.
ROLES_HELD_FOR = timedelta(days=75)


def _assign(office, user, kind: AssignmentKind, region_code: str, now) -> None:
    """Give the demo's assignment, as the demo's office account, ROLES_HELD_FOR before `now`,
    unless the account holds it already."""
    region = get_region_by_code(region_code)
    held = {(a.kind, a.region_id) for a in assignments_of(user, now)}
    if (kind, region.id) not in held:
        grant_assignment(office, user.id, kind, now=now - ROLES_HELD_FOR, region_id=region.id)


def load() -> list[tuple[str, str, str]]:
    """Create what is missing; return the clerks' demo accounts as (role, phone, name)."""
    ensure_regions(demo_communities=True)
    ensure_sectors()
    ensure_holidays()
    now = utcnow()
    office = ensure_account(*OFFICE, Role.office)
    accounts = []
    for phone, name, kind, region_code in CLERKS:
        user = ensure_account(phone, name, Role.volunteer)
        _assign(office, user, kind, region_code, now)
        accounts.append((kind.value, phone, name))
    return accounts
