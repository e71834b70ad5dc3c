"""The people of the export gifting points: the volunteer links with a family member they asked
and with one who asked them, gives the first points, gets some from the second and donates to
the city's pool; the office awards the volunteer from the pool and sets a points expiry policy.
Builders add and flush, never commit."""

from __future__ import annotations

from datetime import datetime

from core.auth.models import User
from points import services as points
from points.gift_models import GiftKind, Relation
from points.lot_models import ExpiryRule
from points.services import expiry
from tests.builders import give_points, make_user


def gifting(volunteer: User, office: User, now: datetime) -> None:
    """See the module's docstring."""
    asked, asking = make_user(display_name="家人一"), make_user(display_name="家人二")
    give_points(volunteer, 30)
    give_points(asking, 10)
    mine = points.request_link(volunteer, phone=asked.phone, relation=Relation.parent, now=now)
    points.answer_link(asked, mine.id, accept=True, now=now)
    theirs = points.request_link(asking, phone=volunteer.phone, relation=Relation.sibling, now=now)
    points.answer_link(volunteer, theirs.id, accept=True, now=now)

    def give(giver: User, key: str, **target) -> None:
        points.give_points(
            giver, amount=10, note="节日快乐", key=key, now=now, monthly_cap=500, **target
        )

    give(volunteer, "people-gift", kind=GiftKind.family, recipient_id=asked.id)
    give(asking, "people-gift", kind=GiftKind.family, recipient_id=volunteer.id)
    give(volunteer, "people-donation", kind=GiftKind.city_pool)
    points.award_from_pool(
        office,
        team_id=None,
        recipient_id=volunteer.id,
        amount=5,
        reason="助老服务表彰",
        key="people-award",
        now=now,
    )
    # The office sets an expiry policy (points earned before today count from today).
    expiry.set_policy(office, rule=ExpiryRule.months, months=24, now=now)
