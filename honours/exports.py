"""The register as a table to download (CSV or Excel), with the filters written at the top;
ID numbers and phones whole only where the reader may see them, each whole line logged."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from core.auth.models import User
from core.districts import District
from core.extensions import db
from core.rows import Window
from core.spreadsheets import Table
from honours import services
from honours.models import HonourType, ViewChannel
from honours.services import RegisterFilter, Scope

# An export holds the whole register, not one page.
EXPORT_ROWS = 1_000_000


def describe_filters(filters: RegisterFilter) -> list[tuple[str, str]]:
    """The filters in words, for the top of an export."""
    honour_type = (
        db.session.get(HonourType, filters.honour_type_id) if filters.honour_type_id else None
    )
    district = db.session.get(District, filters.district_id) if filters.district_id else None
    return [
        (_("Level"), filters.level.label if filters.level else _("All")),
        (_("Honour"), honour_type.label if honour_type else _("All")),
        (_("Category"), filters.category.label if filters.category else _("All")),
        (_("District"), district.label if district else _("All districts")),
        (_("Year"), str(filters.year) if filters.year else _("All")),
    ]


def register_table(viewer: User, scope: Scope, filters: RegisterFilter, now: datetime) -> Table:
    """The register's lines for the filters; logs every person shown whole."""
    honours = services.list_register(scope, filters, Window(0, EXPORT_ROWS)).items
    persons = {h.person.id: h.person for h in honours if h.person is not None}
    services.log_whole_views(
        viewer.id,
        list(persons.values()),
        scope,
        channel=ViewChannel.export,
        place="honours.export",
        now=now,
    )
    rows = []
    for honour in honours:
        person = honour.person
        shown = services.sensitive_of(person, scope) if person is not None else None
        rows.append(
            [
                person.name if person else honour.team.name,
                honour.district.label if honour.district else "",
                person.region.label if person else "",
                honour.honour_type.label,
                honour.honour_type.level.label,
                honour.category.label if honour.category else "",
                honour.awarded_on.isoformat(),
                honour.certificate_number or "",
                honour.decision_number or "",
                honour.source.label,
                honour.source_url or "",
                (shown.id_number or "") if shown else "",
                (shown.phone or "") if shown else "",
            ]
        )
    return Table(
        title=_("Register of good people"),
        headers=[
            _("Name"),
            _("District"),
            _("Region"),
            _("Honour"),
            _("Level"),
            _("Category"),
            _("Awarded on"),
            _("Certificate number"),
            _("Decision document number"),
            _("Source"),
            _("Link"),
            _("ID number"),
            _("Phone"),
        ],
        rows=rows,
        filters=describe_filters(filters),
    )
