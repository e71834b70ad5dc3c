"""A merchant's statement (对账单) of redemptions and reversals, and its CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.auth.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.spreadsheets import safe_cell
from points.models import Merchant, Redemption
from points.services.merchants import managed_merchant


@dataclass(frozen=True)
class Statement:
    """A merchant's redemptions and reversals in a period, with totals (对账单)."""

    merchant: Merchant
    start: datetime
    end: datetime
    redemptions: list[Redemption]
    reversals: list[Redemption]

    @property
    def redeemed(self) -> int:
        return sum(r.total for r in self.redemptions)

    @property
    def reversed(self) -> int:
        return sum(r.total for r in self.reversals)

    @property
    def net(self) -> int:
        return self.redeemed - self.reversed


def merchant_statement(
    user: User, merchant_id: int, *, start: datetime, end: datetime
) -> Statement:
    """Redemptions made and reversals done in [start, end), each list newest first (what the
    counter just did is what staff look for), for the merchant's staff or the office. Raises
    Forbidden, NotFound, ValidationFailed (end before start)."""
    merchant = managed_merchant(user, merchant_id)
    if end <= start:
        raise ValidationFailed(errors={"end": [str(_l("The end must be after the start."))]})
    base = (
        select(Redemption)
        .where(Redemption.merchant_id == merchant.id)
        .options(selectinload(Redemption.lines), selectinload(Redemption.user))
    )
    made = base.where(Redemption.created_at >= start, Redemption.created_at < end)
    undone = base.where(Redemption.reversed_at >= start, Redemption.reversed_at < end)
    return Statement(
        merchant,
        start,
        end,
        list(db.session.scalars(made.order_by(Redemption.created_at.desc(), Redemption.id.desc()))),
        list(
            db.session.scalars(undone.order_by(Redemption.reversed_at.desc(), Redemption.id.desc()))
        ),
    )


def statement_csv(statement: Statement, *, zone: tzinfo) -> str:
    """The statement as CSV for Excel on Chinese Windows (UTF-8 with BOM added by the
    caller's encoding), oldest first as a ledger reads, times in `zone` (the one the pages
    show, named in the header), with cells that could be formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["类型", f"时间 ({_zone_name(zone)})", "单号", "志愿者", "商品", "积分"])
    rows = [("兑换", r.created_at, r, r.total) for r in statement.redemptions] + [
        ("撤销", r.reversed_at, r, -r.total) for r in statement.reversals
    ]
    for kind, moment, r, points in sorted(rows, key=lambda x: (x[1], x[2].id)):
        goods = "；".join(f"{line.name}×{line.quantity}" for line in r.lines)
        writer.writerow(
            [
                kind,
                f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}",
                r.id,
                safe_cell(r.user.display_name),
                safe_cell(goods),
                points,
            ]
        )
    writer.writerow(["合计", "", "", "", "", statement.net])
    return buffer.getvalue()


def _zone_name(zone: tzinfo) -> str:
    """What a reader knows the zone by: its IANA key (Asia/Shanghai)."""
    return getattr(zone, "key", None) or str(zone)
