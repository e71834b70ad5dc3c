"""Pages of the bus company's list of card numbers: a bus partner's staff see the newest list on
their phone and download it as CSV; the office, on the bus partner's page, makes and revokes
the tokens of its service account and reads the lists made and who fetched them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import Who, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.pages import carry_out
from core.spreadsheets import Table, csv_bytes
from honours.bus_forms import ServiceTokenForm
from honours.bus_models import BusServiceAccount, FetchChannel
from honours.card_models import Partner, PartnerKind
from honours.services import bus_accounts, bus_list

bp = Blueprint("bus_list", __name__)
# The secret of a token just made, kept in the office's session until the partner's page shows
# it, once (as the user administration's reset links).
SHOWN_TOKEN = "bus_service_token"


# The partner's staff ----------------------------------------------------------------------------


@bp.get("/partner/bus-list")
@role_required(Who.partner_staff, owner="self")
def own_list():
    partner = bus_list.bus_partner_of(current_user, utcnow())
    return render_template(
        "honours/bus/own.html", partner=partner, export=bus_list.latest_export(partner.id)
    )


@bp.get("/partner/bus-list.csv")
@role_required(Who.partner_staff, owner="self")
def download():
    found = bus_list.read_list(current_user, now=utcnow(), channel=FetchChannel.download)
    export = found.export
    valid, invalid = _("Valid"), _("No longer valid")
    table = Table(
        title=_("Courtesy-card numbers that ride free"),
        filters=[
            (_("Bus company"), export.partner.name),
            (_("For the day"), export.night.isoformat()),
        ],
        headers=[_("Card number"), _("Status")],
        rows=[[n, valid] for n in found.valid] + [[n, invalid] for n in found.invalid],
    )
    name = f"bus-list-{export.night.isoformat()}.csv"
    db.session.commit()
    response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The office, on the partner's page --------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSection:
    """What the bus partner's page shows the office: its service account, tokens (and the one
    just made, once), lists and who fetched them, and the form for a new token."""

    account: BusServiceAccount | None
    tokens: list[bus_accounts.ServiceToken]
    exports: list[bus_list.ExportRow]
    shown: dict | None
    form: ServiceTokenForm


@bp.app_template_global()
def bus_office_section(partner: Partner) -> OfficeSection | None:
    """The bus section of a partner's page, for the office and a bus partner only."""
    if current_user.role is not Role.office or partner.kind is not PartnerKind.bus:
        return None
    shown = session.get(SHOWN_TOKEN)
    if shown is not None and shown.get("partner_id") == partner.id:
        session.pop(SHOWN_TOKEN)
    else:
        shown = None
    return OfficeSection(
        account=bus_accounts.service_account_of(partner.id),
        tokens=bus_accounts.list_service_tokens(current_user, partner.id, now=utcnow()),
        exports=bus_list.list_exports(current_user, partner.id),
        shown=shown,
        form=ServiceTokenForm(formdata=None),
    )


def _to_partner(partner_id: int) -> str:
    return url_for("card_partners.partner", partner_id=partner_id) + "#bus-list"


def _show_token_once(issued: bus_accounts.IssuedToken) -> None:
    session[SHOWN_TOKEN] = {
        "partner_id": issued.account.partner_id,
        "token_id": issued.token.id,
        "secret": issued.secret,
    }


@bp.post("/office/card-partners/<int:bus_partner_id>/service-tokens")
@role_required(Role.office)
def new_token(bus_partner_id: int):
    form = ServiceTokenForm()
    return carry_out(
        lambda: bus_accounts.issue_service_token(
            current_user, bus_partner_id, name=form.name.data, days=form.days.data, now=utcnow()
        ),
        form=form,
        done=_("The token is made. Copy it now: it is shown this once."),
        then=_to_partner(bus_partner_id),
        after=_show_token_once,
    )


@bp.post("/office/card-partners/<int:bus_partner_id>/service-tokens/<int:service_token_id>/revoke")
@role_required(Role.office)
def revoke_token(bus_partner_id: int, service_token_id: int):
    return carry_out(
        lambda: bus_accounts.revoke_service_token(
            current_user, bus_partner_id, service_token_id, now=utcnow()
        ),
        done=lambda token: _("The token %(name)s is revoked.", name=token.name),
        then=_to_partner(bus_partner_id),
    )
