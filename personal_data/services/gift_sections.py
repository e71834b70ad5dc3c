"""The export's sections about gifting points (积分转赠): the family links one asked for or was
asked to confirm, the gifts one gave or received, and the awards from a charity pool one
received or, as the office, made. The other people of a link, a gift or an award are named by
id only. Beside them, the versions of the points expiry policy one set as the office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from personal_data.services.sections import SectionSpec, _own
from points.gift_models import FamilyLink, PointsGift, PoolAward
from points.lot_models import ExpiryPolicy


def _section(key: str, title, model, via: str, *columns) -> SectionSpec:
    """A section of the rows of `model` whose `via` column names the account."""
    return SectionSpec(key, title, model.__tablename__, via, _own(model, via, model.id, *columns))


_LINK = (
    FamilyLink.requester_id,
    FamilyLink.relative_id,
    FamilyLink.relation,
    FamilyLink.status,
    FamilyLink.created_at,
    FamilyLink.answered_at,
    FamilyLink.ended_at,
)
_GIFT = (
    PointsGift.kind,
    PointsGift.giver_id,
    PointsGift.recipient_id,
    PointsGift.team_id,
    PointsGift.amount,
    PointsGift.note,
    PointsGift.created_at,
)
_AWARD = (
    PoolAward.team_id,
    PoolAward.recipient_id,
    PoolAward.amount,
    PoolAward.reason,
    PoolAward.created_at,
)

GIFT_SECTIONS: list[SectionSpec] = [
    _section(
        "family_links_asked", _l("Family links I asked for"), FamilyLink, "requester_id", *_LINK
    ),
    _section(
        "family_links_answered",
        _l("Family links I was asked to confirm"),
        FamilyLink,
        "relative_id",
        *_LINK,
    ),
    _section("points_gifts_given", _l("Points I gave"), PointsGift, "giver_id", *_GIFT),
    _section("points_gifts_received", _l("Points given to me"), PointsGift, "recipient_id", *_GIFT),
    _section(
        "pool_awards_received",
        _l("Awards to me from a charity pool"),
        PoolAward,
        "recipient_id",
        *_AWARD,
    ),
    _section(
        "pool_awards_made", _l("Awards I made from a charity pool"), PoolAward, "actor_id", *_AWARD
    ),
    _section(
        "points_expiry_policies_set",
        _l("Points expiry policies I set"),
        ExpiryPolicy,
        "set_by_id",
        ExpiryPolicy.rule,
        ExpiryPolicy.months,
        ExpiryPolicy.since,
        ExpiryPolicy.set_at,
    ),
]
