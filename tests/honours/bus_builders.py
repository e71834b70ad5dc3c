"""Builders for the bus company's list: a bus partner with its free-ride benefit, a token of its
service account, a night's list. They add and flush, and never commit."""

from __future__ import annotations

from datetime import datetime

from core.auth.models import User
from honours.bus_models import BusListExport, ListMaker
from honours.card_models import BenefitArea, Partner, PartnerKind
from honours.models import HonourLevel
from honours.services import bus_accounts, bus_list
from tests.honours.builders import NOW, make_office
from tests.honours.partner_builders import make_benefit, make_partner


def make_bus_partner(
    *,
    name: str | None = None,
    lowest_level: HonourLevel = HonourLevel.city,
    office: User | None = None,
    **values,
) -> Partner:
    """An approved bus partner whose free rides are for honours of `lowest_level` or higher."""
    office = office or make_office()
    partner = make_partner(name=name, kind=PartnerKind.bus, office=office, **values)
    make_benefit(
        partner,
        name=f"{partner.name}免费乘车",
        area=BenefitArea.transport,
        value_fen=200,
        limit_count=None,
        lowest_level=lowest_level,
        office=office,
    )
    return partner


def make_service_token(
    partner: Partner,
    office: User,
    *,
    name: str = "票务系统",
    days: int = 30,
    now: datetime = NOW,
) -> bus_accounts.IssuedToken:
    """A token of the partner's service account, made by the office (the account with it the
    first time)."""
    return bus_accounts.issue_service_token(office, partner.id, name=name, days=days, now=now)


def make_export(partner: Partner, *, now: datetime = NOW) -> BusListExport:
    """The partner's list for the night of `now` (which must not exist yet)."""
    export = bus_list.make_export(partner, now=now, made_by=ListMaker.job)
    assert export is not None, "the night's list exists already"
    return export
