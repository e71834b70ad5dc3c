"""Condolence funds paid before these records began (历年慰问金台账): the office enters each
past year's total per fund source from its books, once, so that the running total of
condolence funds starts where the city's does. A total entered is not changed.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from care.models import FundSource, PastCareTotal
from core.auth.models import User
from core.clock import local_day
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from honours.services.scope import require_city, scope_of

# The first year a city's books may hold: the office's condolence funds began after it.
FIRST_YEAR = 1949
# Ten million yuan: more than a year's condolence funds from one source ever are, and within
# the column (a 32-bit integer of fen).
PAST_TOTAL_MAX_FEN = 1_000_000_000
PERSONS_MAX = 1_000_000
MAX_NOTE = 500


def record_past_total(
    actor: User,
    *,
    year: int,
    fund_source: FundSource,
    cash_fen: int,
    persons: int,
    note: str,
    now: datetime,
) -> PastCareTotal:
    """Record a past year's condolence funds from one fund source (the office only): a year
    before the current one, cash in fen, how many persons, a note. Written once per year and
    fund source, also under two requests at once. Flushes. Raises Forbidden,
    ValidationFailed, Conflict (that year's total from that source is recorded already)."""
    require_city(scope_of(actor, now))
    errors: dict[str, list[str]] = {}
    last_year = local_day(now).year - 1
    if not FIRST_YEAR <= year <= last_year:
        errors["year"] = [
            str(_l("A past year from %(first)d to %(last)d.", first=FIRST_YEAR, last=last_year))
        ]
    if not 0 <= cash_fen <= PAST_TOTAL_MAX_FEN:
        errors["cash_yuan"] = [str(_l("The value is too large."))]
    if not 0 <= persons <= PERSONS_MAX:
        errors["persons"] = [str(_l("A number of persons from 0 to %(max)d.", max=PERSONS_MAX))]
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [str(_l("At most %(count)d characters.", count=MAX_NOTE))]
    if errors:
        raise ValidationFailed(errors=errors)
    total = PastCareTotal(
        year=year,
        fund_source=fund_source,
        cash_fen=cash_fen,
        persons=persons,
        note=note,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(total)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _l(
                "The %(year)d total from %(source)s is recorded already; a recorded total is "
                "not changed.",
                year=year,
                source=fund_source.label,
            ),
            code="recorded_already",
        ) from None
    return total


def list_past_totals(actor: User, *, now: datetime) -> list[PastCareTotal]:
    """The past years' totals recorded, latest year first (the office only). Raises
    Forbidden, NotFound (not a clerk)."""
    require_city(scope_of(actor, now))
    return list(
        db.session.scalars(
            select(PastCareTotal).order_by(PastCareTotal.year.desc(), PastCareTotal.fund_source)
        )
    )
