"""The side's objects of the conduct feature in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.settings import current_settings
from core.workdays import load_calendar
from honours.conduct_models import ClauseKind, SourceKind
from honours.services import breach_case_steps, breach_cases, clauses

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """A prohibition the side's office entered (`clause_id`; clauses are city-wide, each side
    enters one),
    and a breach case about the side's person that its district clerk entered from a caller
    and is investigating: `case_id`. The caller's phone and the description are private to
    the district and the city."""
    office, clerk = side.users["office"], side.users["district_clerk"]
    version = clauses.create_clause(
        office,
        ClauseKind.prohibition,
        {"title": f"禁止条款{side.tag}", "text": f"不得以荣誉称号名义谋利（{side.tag}）。"},
        now=now,
    )
    phone = {"甲": "13903354001", "乙": "13903354002"}[side.tag]
    description = f"违规线索{side.tag}：以好人名义为商家代言收费"
    case = breach_cases.report_case(
        clerk,
        {
            "person_id": side.person.id,
            "clause_ids": [version.clause_id],
            "description": description,
            "source_kind": SourceKind.public,
            "source_name": "来电",
            "reporter_name": f"举报人{side.tag}",
            "reporter_phone": phone,
        },
        now=now,
        settings=current_settings().conduct,
        calendar=load_calendar(),
    )
    breach_case_steps.start_investigation(clerk, case.id, "已受理核查", now=now)
    # The side's own clause: only the office reaches the routes naming one.
    side.ids["clause_id"] = version.clause_id
    side.ids["case_id"] = case.id
    side.texts.extend([phone, description])
