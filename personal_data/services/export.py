"""A person's data export (个人信息副本): everything the platform holds about one account, by
section (personal_data.services.sections), for the JSON and Excel downloads and the API.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from core.auth.admin import record_action
from core.auth.models import AuditAction, User
from core.errors import Conflict
from core.extensions import db
from core.spreadsheets import Table, xlsx_bytes
from personal_data.services.card_sections import CARD_SECTIONS
from personal_data.services.care_sections import CARE_SECTIONS
from personal_data.services.conduct_sections import CONDUCT_SECTIONS
from personal_data.services.gift_sections import GIFT_SECTIONS
from personal_data.services.sections import SECTIONS as REGISTER_AND_SERVICE

# Every section of the export, in the order it lists them.
SECTIONS = [
    *REGISTER_AND_SERVICE,
    *CARD_SECTIONS,
    *CONDUCT_SECTIONS,
    *CARE_SECTIONS,
    *GIFT_SECTIONS,
]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    table: str
    via: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class PersonalData:
    """The whole export of one account, made at `exported_at`."""

    user_id: int
    exported_at: datetime
    sections: list[Section]


def _plain(value: Any) -> Any:
    """A value as JSON has it: times in ISO 8601 (UTC), enums by their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def require_open(user: User) -> None:
    """Raise Conflict if the account is closed (its data is anonymised; nothing to act on)."""
    if user.closed_at is not None:
        raise Conflict(_l("This account is closed."), code="account_closed")


def gather_personal_data(user: User, *, now: datetime) -> PersonalData:
    """Everything the platform holds about the user, by section (SECTIONS), and the export
    written to the audit log. Raises Conflict for a closed account."""
    require_open(user)
    sections = [
        Section(
            key=spec.key,
            title=str(spec.title),
            table=spec.table,
            via=spec.via,
            rows=[
                {name: _plain(value) for name, value in row._mapping.items()}
                for row in db.session.execute(spec.query(user))
            ],
        )
        for spec in SECTIONS
    ]
    record_action(user, AuditAction.data_exported, user, now=now)
    return PersonalData(user_id=user.id, exported_at=now, sections=sections)


def _cell(value: Any) -> Any:
    # Texts go in as texts (xlsx_bytes never lets one become a formula), unchanged.
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def as_workbook(data: PersonalData) -> bytes:
    """The export as an Excel workbook, a sheet per section, its columns as in the JSON; no
    cell is ever a formula (core.spreadsheets)."""
    tables = []
    for section in data.sections:
        headers = list(section.rows[0]) if section.rows else ["id"]
        tables.append(
            Table(
                title=section.title,
                headers=headers,
                rows=[[_cell(row.get(h)) for h in headers] for row in section.rows],
                filters=[(section.key, section.table)],
            )
        )
    return xlsx_bytes(tables)
