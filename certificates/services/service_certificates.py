"""The service certificate (志愿服务证明): a volunteer's confirmed service hours, in all, by
campaign year and by campaign, taken from the service record and entered in the register.

It reads the office's service record (the one place that says what counts as served), so it
sits above `office`; the register it writes to (`register`) imports neither.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from certificates import pdf
from certificates.models import DocumentKind, IssuedDocument, SubjectKind
from certificates.services.register import issue_document, list_documents_about, mask_name
from core.auth.models import Role, User
from core.clock import local_day
from core.errors import Conflict, Forbidden, ValidationFailed
from core.settings import CertificateSettings
from office import services as office
from office.services import ServiceRecord


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def certificate_content(
    record: ServiceRecord, *, issued_on: date, settings: CertificateSettings
) -> dict[str, Any]:
    """What a service certificate prints for the record, as plain JSON values: the volunteer,
    hours in all, by year and by campaign (the newest first), the teams, issuer and date.

    The profile holds no identity card number (personal information is kept to what the
    platform needs), so the volunteer is identified by the platform's volunteer number.
    """
    volunteer = record.volunteer
    years: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    campaigns: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    teams: dict[str, int] = defaultdict(int)
    for line in record.lines:
        for sums in (years[line.campaign_year], campaigns[(line.campaign_year, line.campaign)]):
            sums[0] += 1
            sums[1] += line.minutes
        teams[line.team] += line.minutes
    minutes = sum(line.minutes for line in record.lines)
    days = [line.day for line in record.lines]
    return {
        "name": volunteer.display_name,
        "masked_name": mask_name(volunteer.display_name),
        "identity": {"kind": "volunteer_number", "value": f"{volunteer.id:08d}"},
        "first_day": min(days).isoformat(),
        "last_day": max(days).isoformat(),
        "total_shifts": len(record.lines),
        "total_minutes": minutes,
        "total_hours": _hours(minutes),
        "years": [
            {"year": year, "shifts": n, "hours": _hours(m)}
            for year, (n, m) in sorted(years.items(), reverse=True)
        ],
        # Newest year first; within a year, in the order the campaigns were last served.
        "campaigns": [
            {"year": year, "campaign": name, "shifts": n, "hours": _hours(m)}
            for (year, name), (n, m) in sorted(
                campaigns.items(), key=lambda item: item[0][0], reverse=True
            )
        ],
        "teams": sorted(teams, key=lambda team: -teams[team]),
        "issuer": settings.issuer,
        "contact": settings.contact,
        "issued_on": issued_on.isoformat(),
    }


def _printed_texts(content: dict[str, Any]) -> list[str]:
    return [
        content["name"],
        content["issuer"],
        content["contact"],
        *content["teams"],
        *(c["campaign"] for c in content["campaigns"]),
    ]


def issue_service_certificate(
    actor: User, volunteer_id: int, *, now: datetime, settings: CertificateSettings
) -> IssuedDocument:
    """Issue a service certificate of the volunteer's confirmed service until now, by the
    volunteer themself or by the office, and enter it in the register.

    Raises Forbidden (anyone else), NotFound (no such volunteer), Conflict (no confirmed
    service yet), ValidationFailed (a name holds a character the certificate cannot print).
    """
    if actor.id != volunteer_id and actor.role is not Role.office:
        raise Forbidden(_l("A volunteer may issue a certificate for themself only."))
    record = office.service_record(actor, volunteer_id)
    if not record.lines:
        raise Conflict(_l("There is no confirmed service to certify yet."))
    content = certificate_content(record, issued_on=local_day(now), settings=settings)
    if missing := pdf.missing_characters(*_printed_texts(content)):
        raise ValidationFailed(
            _l(
                "The certificate cannot print %(characters)s; ask the office to correct the name.",
                characters=" ".join(missing),
            )
        )
    return issue_document(
        actor,
        DocumentKind.service_certificate,
        subject_kind=SubjectKind.user,
        subject_id=record.volunteer.id,
        content=content,
        now=now,
        settings=settings,
    )


def list_my_certificates(volunteer: User) -> list[IssuedDocument]:
    """The volunteer's service certificates, the newest first."""
    return [
        document
        for document in list_documents_about(SubjectKind.user, volunteer.id)
        if document.kind is DocumentKind.service_certificate
    ]
