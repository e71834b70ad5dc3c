"""Builders of the review's rows for other packages' tests (the personal data export): steps,
declared conflicts and background checks taken by one clerk. They add and flush, and never
commit."""

from __future__ import annotations

from datetime import datetime

from core.auth.models import User
from core.clock import local_day
from core.regions import Region
from honours.nomination_models import Agency, Stage
from honours.services import background, review
from tests.honours.nomination_builders import make_nomination, open_round


def review_as_district_clerk(clerk: User, office: User, place: Region, now: datetime) -> None:
    """As the district clerk of `place`, `clerk` records a background check of one nominee
    and rejects that nomination with the reason, and declares a conflict of interest with
    another; the office filed both, in a round of its own."""
    round_ = open_round(office)
    checked = make_nomination(round_, place, stage=Stage.district, by=office, name="钱有福")
    background.record_check(clerk, checked.id, Agency.police, {"sent_on": local_day(now)}, now=now)
    review.review(clerk, checked.id, "reject", opinion="群众反映不一，暂不推荐", now=now)
    declared = make_nomination(round_, place, stage=Stage.district, by=office, name="孙有德")
    review.declare_conflict(clerk, declared.id, "同一单位同事", now=now)
