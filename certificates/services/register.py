"""The register of issued documents, for every kind: numbers without gaps per kind and year,
check codes, issuing, revoking, verifying, and what a public page may show of a person.

Nothing here knows what a document certifies: a kind hands over the content it printed (its
snapshot) and whom it is about, as data.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from certificates import pdf
from certificates.models import DocumentKind, DocumentSequence, IssuedDocument, SubjectKind
from core.auth.models import User
from core.auth.services import require_office
from core.clock import local_day
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found, insert_unless_present
from core.settings import CertificateSettings

# No 0/O, 1/I/L: a code read off paper and typed in is typed right. 31^8 ≈ 8.5 × 10^11 codes.
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_CODE_LENGTH = 8
# The series of each kind in its numbers: QHD-ZYFW-2026-000123 (志愿服务), QHD-HR-2026-000001
# (好人, an honour certificate).
KIND_CODES = {DocumentKind.service_certificate: "ZYFW", DocumentKind.honour_certificate: "HR"}
SERIAL_DIGITS = 6
# Where the public verification page is; the QR code on a document points here.
VERIFY_PATH = "/certificates/verify"
MAX_REVOCATION_REASON = 200
MAX_NUMBER = 40
PER_PAGE = 50


def new_check_code() -> str:
    """A random check code (secrets: a guessable code would let anyone confirm a forgery)."""
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def format_number(prefix: str, kind: DocumentKind, year: int, serial: int) -> str:
    parts = [prefix] if prefix else []
    return "-".join([*parts, KIND_CODES[kind], str(year), f"{serial:0{SERIAL_DIGITS}d}"])


def take_serial(kind: DocumentKind, year: int) -> int:
    """The next serial number of the kind's series for the year, in this transaction.

    The counter row is created if missing (ON CONFLICT DO NOTHING: a concurrent creator's row
    is waited for) and then incremented by one UPDATE, whose row lock makes concurrent issuers
    take turns until each commits; a transaction that rolls back takes its increment with it,
    so no number is skipped, unlike a database sequence.
    """
    db.session.execute(
        insert_unless_present(DocumentSequence.__table__, "kind", "year").values(
            kind=kind, year=year, last_serial=0
        )
    )
    return db.session.execute(
        update(DocumentSequence)
        .where(DocumentSequence.kind == kind, DocumentSequence.year == year)
        .values(last_serial=DocumentSequence.last_serial + 1)
        .returning(DocumentSequence.last_serial)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def verify_url(settings: CertificateSettings, number: str, code: str) -> str:
    return f"{settings.site_url}{VERIFY_PATH}?{urlencode({'number': number, 'code': code})}"


def issue_document(
    issuer: User,
    kind: DocumentKind,
    *,
    subject_kind: SubjectKind,
    subject_id: int,
    content: dict[str, Any],
    now: datetime,
    settings: CertificateSettings,
) -> IssuedDocument:
    """Enter a document in the register: the next number of its kind and year, a new check
    code, who issued it and when, and its content with the verification address added (the
    snapshot of what is printed). The caller has decided that `issuer` may issue it."""
    year = local_day(now).year
    serial = take_serial(kind, year)
    number = format_number(settings.number_prefix, kind, year, serial)
    code = new_check_code()
    snapshot = {
        **content,
        "verify_page": f"{settings.site_url}{VERIFY_PATH}",
        "verify_url": verify_url(settings, number, code),
    }
    document = IssuedDocument(
        kind=kind,
        year=year,
        serial=serial,
        number=number,
        check_code=code,
        subject_kind=subject_kind,
        subject_id=subject_id,
        issued_by_id=issuer.id,
        issued_at=now,
        snapshot=snapshot,
    )
    db.session.add(document)
    db.session.flush()
    return document


def revoke_document(
    office: User, document_id: int, *, reason: str, now: datetime
) -> IssuedDocument:
    """The office revokes a document, saying why; the verification page says so from then on.

    Raises Forbidden (not the office), NotFound, ValidationFailed (no reason, or too long),
    Conflict (revoked already).
    """
    require_office(office)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Give a reason."))]})
    if len(reason) > MAX_REVOCATION_REASON:
        message = _l("Enter a reason of at most %(n)d characters.", n=MAX_REVOCATION_REASON)
        raise ValidationFailed(errors={"reason": [str(message)]})
    document = get_or_not_found(IssuedDocument, document_id, _l("No such certificate."), lock=True)
    if document.is_revoked:
        raise Conflict(_l("This certificate is revoked already."))
    document.revoked_at = now
    document.revoked_by_id = office.id
    document.revocation_reason = reason
    db.session.flush()
    return document


def get_document(viewer: User, document_id: int) -> IssuedDocument:
    """A document for the office, or for the person it is about. Raises NotFound (also for
    someone else's: that it exists is not theirs to learn)."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None or not (viewer.is_office or is_about(document, viewer)):
        raise NotFound(_l("No such certificate."))
    return document


def render_document(viewer: User, document_id: int) -> tuple[IssuedDocument, bytes]:
    """A document and its PDF, printed from its snapshot (a revoked one says so on its face),
    for the office or the person it is about. Raises NotFound."""
    document = get_document(viewer, document_id)
    return document, print_document(document)


def print_document(document: IssuedDocument) -> bytes:
    """The document's PDF, printed from its snapshot (a revoked one says so on its face). The
    caller has decided that the reader may have it: a kind whose subject is no account (a
    person of the register of good people) decides that in its own package."""
    printable = pdf.Printable(
        kind=document.kind,
        number=document.number,
        check_code=document.check_code,
        issued_at=document.issued_at,
        snapshot=document.snapshot,
        revoked_on=local_day(document.revoked_at) if document.revoked_at else None,
    )
    return pdf.render(printable)


def is_about(document: IssuedDocument, user: User) -> bool:
    return document.subject_kind is SubjectKind.user and document.subject_id == user.id


def list_documents_about(subject_kind: SubjectKind, subject_id: int) -> list[IssuedDocument]:
    """The documents issued about one subject, the newest first."""
    return list(
        db.session.scalars(
            select(IssuedDocument)
            .where(
                IssuedDocument.subject_kind == subject_kind,
                IssuedDocument.subject_id == subject_id,
            )
            .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        )
    )


@dataclass(frozen=True)
class RegisterPage:
    documents: list[IssuedDocument]
    page: int
    pages: int
    total: int


def list_register(office: User, *, number: str = "", page: int = 1) -> RegisterPage:
    """The register for the office, the newest first, PER_PAGE to a page; `number` narrows it
    to the numbers containing it. Raises Forbidden."""
    require_office(office)
    query = select(IssuedDocument)
    wanted = normalize_number(number)
    if wanted:
        query = query.where(IssuedDocument.number.contains(wanted, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    documents = db.session.scalars(
        query.options(selectinload(IssuedDocument.issued_by))
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return RegisterPage(list(documents), page, pages, total)


# Verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public page says of a genuine document: enough to compare with the paper, and
    no more (a masked name, no identity number)."""

    number: str
    kind: DocumentKind
    masked_name: str
    issuer: str
    issued_on: date
    revoked_on: date | None
    total_hours: float | None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None


def normalize_number(number: str | None) -> str:
    """A number as typed: spaces dropped, letters upper case, at most MAX_NUMBER characters."""
    return re.sub(r"\s+", "", number or "").upper()[:MAX_NUMBER]


def normalize_code(code: str | None) -> str:
    """A check code as typed: spaces and dashes dropped, letters upper case."""
    return re.sub(r"[\s-]+", "", code or "").upper()[: CHECK_CODE_LENGTH * 2]


# Compared against when the number is unknown, so that both refusals do the same work.
_NO_CODE = "-" * CHECK_CODE_LENGTH


def verify(number: str | None, code: str | None) -> Verification | None:
    """The document with this number if `code` is its check code, else None: the same None for
    a wrong code as for a number never issued, so the page cannot be used to list numbers."""
    number, code = normalize_number(number), normalize_code(code)
    document = None
    if number and code:
        document = db.session.scalar(select(IssuedDocument).where(IssuedDocument.number == number))
    expected = document.check_code if document is not None else _NO_CODE
    if not hmac.compare_digest(expected.encode(), code.encode()) or document is None:
        return None
    snapshot = document.snapshot
    return Verification(
        number=document.number,
        kind=document.kind,
        masked_name=snapshot["masked_name"],
        issuer=snapshot["issuer"],
        issued_on=date.fromisoformat(snapshot["issued_on"]),
        revoked_on=local_day(document.revoked_at) if document.revoked_at else None,
        total_hours=snapshot.get("total_hours"),
    )


# What a page may show of a person -----------------------------------------------------


def mask_name(name: str) -> str:
    """张*明 for 张晓明, 李* for 李四, 欧**明 for 欧阳晓明: the first and last character stay."""
    chars = list(name.strip())
    if len(chars) <= 1:
        return "".join(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def mask_id_number(number: str) -> str:
    """An identity card number with its first 3 and last 4 characters shown
    (130***********123X): enough to compare with the card, not to use it."""
    number = number.strip().upper()
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
