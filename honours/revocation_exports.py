"""The revocations as a table to download (CSV or Excel): who decided what and when, and where
taking back the card and certificates stands."""

from __future__ import annotations

from flask_babel import gettext as _

from core.clock import to_local
from core.spreadsheets import Table
from honours.revocation_models import Revocation

# An export holds every revocation the reader may read, not one page.
EXPORT_ROWS = 100_000


def revocations_table(revocations: list[Revocation]) -> Table:
    """One line per revocation, the newest first (as the service gives them)."""
    rows = []
    for found in revocations:
        task = found.recall_task
        rows.append(
            [
                f"{to_local(found.decided_at):%Y-%m-%d %H:%M}",
                found.person.name,
                found.person.district.label,
                "；".join(h.honour_type.label for h in found.honours),
                "；".join(h.certificate_number for h in found.honours if h.certificate_number),
                found.decision_number or "",
                found.reason,
                found.decided_by.display_name,
                task.status.label if task is not None else "",
            ]
        )
    return Table(
        title=_("Revocations of honours"),
        headers=[
            _("Decided at"),
            _("Name"),
            _("District"),
            _("Honours revoked"),
            _("Certificate number"),
            _("Decision document number"),
            _("Reason"),
            _("Decided by"),
            _("Recall task"),
        ],
        rows=rows,
    )
