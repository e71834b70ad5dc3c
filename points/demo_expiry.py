"""Demo data of points expiry (积分有效期): the city's policy, points expired month by month
since, and a volunteer whose points expire within the month, whatever the day of the load."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from core.auth.services import find_user_by_phone
from core.clock import local_day, local_moment, utcnow
from core.demo import OFFICE
from points import services
from points.lot_models import ExpiryRule
from points.services import expiry

# Points expire 12 months after they were earned, the rule since two years ago.
MONTHS = 12
# 李志强's points the office credited late (service records handed in after the fact) eleven
# months ago: they expire this many days after the load, so his points page warns of them and
# the reminders of the load tell him 30 days ahead.
LATE_CREDIT = ("13900000001", 25, "补记积分：社区义诊引导服务（服务记录迟交）", 20)
# Points the office credited more than a year ago, left unspent and expired in an earlier month
# (phone, points, reason, how many months before this one they expired, on the 15th), so that
# the office's figures show more than one month whatever the day of the load.
EXPIRED_CREDITS = [
    ("13900000006", 30, "表彰：年度优秀志愿者", 1),
    ("13900000008", 20, "补记积分：社区消夏晚会秩序维护", 2),
    ("13900000005", 15, "补记积分：敬老院包饺子活动", 4),
]
# The nightly job runs at 00:30 local.
NIGHTLY = time(0, 30)


def load() -> list[tuple[str, str, str]]:
    """On the first load only (while no policy is set): set the policy, make the credits, and
    replay the nightly expiry of every day of the last 12 months, so that the office's figures
    show points expired month by month; no accounts."""
    if expiry.current_policy() is not None:
        return []
    now = utcnow()
    today = local_day(now)
    office = find_user_by_phone(OFFICE[0])
    expiry.set_policy(
        office,
        rule=ExpiryRule.months,
        months=MONTHS,
        now=local_moment(today - relativedelta(years=2), time(10)),
    )
    phone, amount, reason, days_left = LATE_CREDIT
    credits = [(phone, amount, reason, today + timedelta(days=days_left))]
    for phone, amount, reason, months_ago in EXPIRED_CREDITS:
        credits.append(
            (phone, amount, reason, today.replace(day=15) - relativedelta(months=months_ago))
        )
    for number, (phone, amount, reason, expires_on) in enumerate(credits):
        services.adjust(
            office,
            find_user_by_phone(phone).id,
            amount=amount,
            reason=reason,
            key=f"demo-expiry-credit-{number}",
            now=local_moment(expires_on - relativedelta(months=MONTHS), time(10)),
        )
    day = today - relativedelta(months=MONTHS) + timedelta(days=1)
    while day <= today:
        expiry.expire_points(now=_nightly(day, now))
        day += timedelta(days=1)
    return []


def _nightly(day: date, now: datetime) -> datetime:
    """The job's moment on `day`, or now on a day whose run is still to come."""
    return min(local_moment(day, NIGHTLY), now)
