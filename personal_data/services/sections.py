"""The sections of a person's data export (个人信息副本): for each table that names the
account in a column (`via`: a foreign key to users.id, or the mobile number for the SMS codes),
the query of its rows for one user. Between them they cover every such column of the schema;
a test walks the schema and fails naming a table that holds the account's rows and is missing
here. What is never exported: secrets and their hashes (passwords, session keys, tokens, SMS
codes, one-time links, redeem codes, uploads' keys), and other people's data beyond what the
person sees in the app anyway (where the account acted on someone else's row, as a leader, a
clerk of the register or the office, the section says what was done and when, by ids, not to
whom: a clerk's log of whole views names the person's record and the fields, never their ID
number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased

from certificates.models import DocumentKind, IssuedDocument, SubjectKind
from core.auth.assignments import RoleAssignment
from core.auth.models import (
    ApiToken,
    AuditEntry,
    OneTimeLink,
    SmsCode,
    User,
    UserSession,
)
from core.consent.models import Consent
from core.regions import Region, Sector
from core.uploads.models import Upload
from events.models import (
    Activity,
    ActivityNotice,
    CheckIn,
    CheckInChange,
    CorrectionRequest,
    Shift,
    SignUp,
)
from honours.models import (
    Honour,
    HonourRevision,
    HonourType,
    Person,
    PersonRevision,
    Round,
    SensitiveView,
)
from honours.nomination_models import (
    BackgroundCheck,
    ConflictDeclaration,
    Nomination,
    NominationConsent,
    NominationFile,
    NominationLike,
    Nominator,
    Objection,
    PanelMember,
    PanelTally,
    PanelVote,
    ReviewStep,
    RoundDecision,
    RoundNotice,
)
from points.models import (
    Account,
    LedgerEntry,
    Merchant,
    MerchantStaff,
    RedeemCode,
    Redemption,
    RedemptionLine,
)
from reminders.message_models import ShiftMessage
from reminders.models import Notification, NotificationPreference
from volunteer.models import Membership, MembershipEvent, Team, VolunteerProfile

# `via` of the section that finds rows by the account's mobile number, not by its id.
BY_PHONE = "phone"


@dataclass(frozen=True)
class SectionSpec:
    """One section: its key and title, the table its rows come from, the column that names the
    account there (`via`), and the query of its rows for a user (the table's primary key
    always among the columns)."""

    key: str
    title: Any
    table: str
    via: str
    query: Callable[[User], Select]


def _own(model, column: str, *columns, order=None) -> Callable[[User], Select]:
    """The rows of `model` whose `column` is the user's id, with `columns`."""

    def query(user: User) -> Select:
        return (
            select(*columns)
            .where(getattr(model, column) == user.id)
            .order_by(*(order or [model.__table__.primary_key.columns.values()[0]]))
        )

    return query


def _ledger(user: User) -> Select:
    mine = select(Account.id).where(Account.owner_id == user.id)
    return (
        select(
            LedgerEntry.id,
            LedgerEntry.created_at,
            LedgerEntry.kind,
            LedgerEntry.cause_kind,
            LedgerEntry.cause_id,
            LedgerEntry.amount,
            LedgerEntry.from_account_id,
            LedgerEntry.to_account_id,
            LedgerEntry.memo,
            LedgerEntry.reverses_id,
        )
        .where(or_(LedgerEntry.from_account_id.in_(mine), LedgerEntry.to_account_id.in_(mine)))
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    )


def _membership_history(user: User) -> Select:
    # The history of the user's own memberships, whoever acted (a leader's reason for removing
    # them is about them); the steps they took on others' are in "membership_events_by_me".
    return (
        select(
            MembershipEvent.id,
            MembershipEvent.membership_id,
            Team.name.label("team"),
            MembershipEvent.action,
            MembershipEvent.reason,
            MembershipEvent.created_at,
        )
        .join(Membership, Membership.id == MembershipEvent.membership_id)
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == user.id)
        .order_by(MembershipEvent.created_at, MembershipEvent.id)
    )


def _lines(user: User) -> Select:
    return (
        select(
            RedemptionLine.id,
            RedemptionLine.redemption_id,
            RedemptionLine.name,
            RedemptionLine.unit_price,
            RedemptionLine.quantity,
        )
        .join(Redemption, Redemption.id == RedemptionLine.redemption_id)
        .where(Redemption.user_id == user.id)
        .order_by(RedemptionLine.id)
    )


def _check_in_changes_on_mine(user: User) -> Select:
    return (
        select(
            CheckInChange.id,
            CheckInChange.check_in_id,
            CheckInChange.field,
            CheckInChange.old_value,
            CheckInChange.new_value,
            CheckInChange.reason,
            CheckInChange.created_at,
        )
        .join(CheckIn, CheckIn.id == CheckInChange.check_in_id)
        .where(CheckIn.user_id == user.id)
        .order_by(CheckInChange.id)
    )


def _sms_codes(user: User) -> Select:
    return (
        select(
            SmsCode.id,
            SmsCode.purpose,
            SmsCode.is_sent,
            SmsCode.attempts,
            SmsCode.created_at,
            SmsCode.expires_at,
            SmsCode.ended_at,
        )
        .where(SmsCode.phone == user.phone)
        .order_by(SmsCode.id)
    )


def _consents_by_phone(user: User) -> Select:
    """Answers about publishing a nomination that the user's phone proved with a consent code:
    the user answered for themselves, a child or a relative who died."""
    return (
        select(
            NominationConsent.id,
            NominationConsent.nomination_id,
            NominationConsent.agreed,
            NominationConsent.giver,
            NominationConsent.giver_name,
            NominationConsent.relation,
            NominationConsent.phone,
            NominationConsent.recorded_at,
        )
        .where(NominationConsent.phone == user.phone)
        .order_by(NominationConsent.id)
    )


def _objections_by_phone(user: User) -> Select:
    """Objections that keep the user's number as the objector's: their own, filed from their
    account while it held that number."""
    return (
        select(Objection.id, Objection.nomination_id, Objection.name, Objection.filed_at)
        .where(Objection.phone == user.phone)
        .order_by(Objection.id)
    )


def _certificates(user: User) -> Select:
    return (
        select(
            IssuedDocument.id,
            IssuedDocument.kind,
            IssuedDocument.number,
            # Printed on the person's own paper beside the number: no secret to them.
            IssuedDocument.check_code,
            IssuedDocument.issued_at,
            IssuedDocument.snapshot,
            IssuedDocument.revoked_at,
            IssuedDocument.revocation_reason,
        )
        .where(
            or_(
                and_(
                    IssuedDocument.subject_kind == SubjectKind.user,
                    IssuedDocument.subject_id == user.id,
                ),
                # An honour certificate is about a record of the register: the user's own
                # record's honours carry their numbers.
                and_(
                    IssuedDocument.kind == DocumentKind.honour_certificate,
                    IssuedDocument.number.in_(
                        select(Honour.certificate_number)
                        .join(Person, Person.id == Honour.person_id)
                        .where(Person.user_id == user.id)
                    ),
                ),
            )
        )
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)
    )


def _assignments(column: str, *columns) -> Callable[[User], Select]:
    """The role assignments whose `column` names the user: the kind, the names of the region or
    sector (the city's public tree), and `columns`; never whose assignment it was."""

    def query(user: User) -> Select:
        return (
            select(
                RoleAssignment.id,
                RoleAssignment.kind,
                Region.name.label("region"),
                Sector.name.label("sector"),
                *columns,
            )
            .outerjoin(Region, Region.id == RoleAssignment.region_id)
            .outerjoin(Sector, Sector.id == RoleAssignment.sector_id)
            .where(getattr(RoleAssignment, column) == user.id)
            .order_by(RoleAssignment.id)
        )

    return query


def _register_record(user: User) -> Select:
    # The register's record of the user is about them: their own ID number, address and the
    # office's notes are theirs to have a copy of. The guardian's name and number are another
    # person's, and who entered or changed it is in the history, by what and when.
    return (
        select(
            Person.id,
            Person.name,
            Person.gender,
            Person.birth_date,
            Person.id_number,
            Person.phone,
            Region.name.label("region"),
            Person.address,
            Person.status,
            Person.died_on,
            Person.hardship_notes,
            Person.story,
            Person.has_publication_consent,
            Person.consent_recorded_at,
            Person.merged_into_id,
            Person.created_at,
            Person.updated_at,
        )
        .join(Region, Region.id == Person.region_id)
        .where(Person.user_id == user.id)
        .order_by(Person.id)
    )


def _register_by_phone(user: User) -> Select:
    # A record holding the number may be someone else's (a family's shared phone, a typing
    # mistake): the person learns that the register holds their number and where, and asks the
    # office, without the record's name, ID number or notes.
    return (
        select(Person.id, Person.phone, Person.created_at)
        .where(Person.phone == user.phone)
        .order_by(Person.id)
    )


def _register_history(user: User) -> Select:
    # What was done to the user's record and when, with the clerk's reason; the values before
    # and after are in the record itself, as far as they are the user's.
    return (
        select(
            PersonRevision.id,
            PersonRevision.person_id,
            PersonRevision.action,
            PersonRevision.reason,
            PersonRevision.created_at,
        )
        .join(Person, Person.id == PersonRevision.person_id)
        .where(Person.user_id == user.id)
        .order_by(PersonRevision.created_at, PersonRevision.id)
    )


def _register_honours(user: User) -> Select:
    return (
        select(
            Honour.id,
            HonourType.name.label("honour"),
            HonourType.level,
            Honour.category,
            Honour.awarded_on,
            Honour.certificate_number,
            Honour.decision_number,
            Honour.source,
            Honour.source_name,
            Honour.source_url,
            Honour.revoked_at,
        )
        .join(HonourType, HonourType.id == Honour.honour_type_id)
        .join(Person, Person.id == Honour.person_id)
        .where(Person.user_id == user.id)
        .order_by(Honour.awarded_on, Honour.id)
    )


def _views_of_my_record(user: User) -> Select:
    # Which fields of the user's record a clerk saw whole, when and how; not which clerk.
    return (
        select(
            SensitiveView.id,
            SensitiveView.person_id,
            SensitiveView.fields,
            SensitiveView.channel,
            SensitiveView.viewed_at,
        )
        .join(Person, Person.id == SensitiveView.person_id)
        .where(Person.user_id == user.id)
        .order_by(SensitiveView.viewed_at, SensitiveView.id)
    )


def _honours_recorded(user: User) -> Select:
    return (
        select(
            Honour.id,
            Honour.person_id,
            Honour.team_id,
            HonourType.name.label("honour"),
            Honour.awarded_on,
            Honour.created_at,
        )
        .join(HonourType, HonourType.id == Honour.honour_type_id)
        .where(Honour.created_by_id == user.id)
        .order_by(Honour.id)
    )


_shift_of_sign_up = aliased(Shift)
_shift_of_check_in = aliased(Shift)

SECTIONS: list[SectionSpec] = [
    SectionSpec(
        "account",
        _l("Account"),
        "users",
        "id",
        _own(
            User,
            "id",
            User.id,
            User.phone,
            User.display_name,
            User.role,
            User.email,
            User.email_verified_at,
            User.phone_verified_at,
            User.locale,
            User.is_enabled,
            User.created_at,
        ),
    ),
    SectionSpec(
        "volunteer_profile",
        _l("Volunteer profile"),
        "volunteer_profile",
        "user_id",
        _own(
            VolunteerProfile,
            "user_id",
            VolunteerProfile.user_id,
            VolunteerProfile.district_id,
            VolunteerProfile.skills,
            VolunteerProfile.updated_at,
        ),
    ),
    SectionSpec(
        "consents",
        _l("Consents"),
        "consent",
        "user_id",
        _own(
            Consent,
            "user_id",
            Consent.id,
            Consent.kind,
            Consent.version,
            Consent.given_at,
            Consent.withdrawn_at,
        ),
    ),
    SectionSpec(
        "sessions",
        _l("Sign-in sessions"),
        "user_session",
        "user_id",
        _own(
            UserSession,
            "user_id",
            UserSession.id,
            UserSession.user_agent,
            UserSession.is_remembered,
            UserSession.created_at,
            UserSession.expires_at,
            UserSession.ended_at,
        ),
    ),
    SectionSpec(
        "api_tokens",
        _l("API tokens"),
        "api_token",
        "user_id",
        _own(
            ApiToken,
            "user_id",
            ApiToken.id,
            ApiToken.name,
            ApiToken.created_at,
            ApiToken.expires_at,
            ApiToken.revoked_at,
        ),
    ),
    SectionSpec(
        "one_time_links",
        _l("Password reset and email links"),
        "one_time_link",
        "user_id",
        _own(
            OneTimeLink,
            "user_id",
            OneTimeLink.id,
            OneTimeLink.purpose,
            OneTimeLink.email,
            OneTimeLink.created_at,
            OneTimeLink.expires_at,
            OneTimeLink.used_at,
            OneTimeLink.ended_at,
        ),
    ),
    SectionSpec(
        "links_made",
        _l("Reset links I made for others"),
        "one_time_link",
        "created_by_id",
        _own(
            OneTimeLink,
            "created_by_id",
            OneTimeLink.id,
            OneTimeLink.purpose,
            OneTimeLink.created_at,
        ),
    ),
    SectionSpec("sms_codes", _l("SMS codes"), "sms_code", BY_PHONE, _sms_codes),
    SectionSpec(
        "audit_about_me",
        _l("Audit log entries about my account"),
        "audit_log",
        "target_id",
        _own(
            AuditEntry,
            "target_id",
            AuditEntry.id,
            AuditEntry.action,
            AuditEntry.details,
            AuditEntry.created_at,
        ),
    ),
    SectionSpec(
        "audit_by_me",
        _l("Audit log entries of what I did"),
        "audit_log",
        "actor_id",
        _own(AuditEntry, "actor_id", AuditEntry.id, AuditEntry.action, AuditEntry.created_at),
    ),
    SectionSpec(
        "teams_founded",
        _l("Teams I founded or applied for"),
        "team",
        "founder_id",
        _own(
            Team,
            "founder_id",
            Team.id,
            Team.name,
            Team.categories,
            Team.description,
            Team.status,
            Team.decision_reason,
            Team.created_at,
            Team.decided_at,
        ),
    ),
    SectionSpec(
        "teams_decided",
        _l("Team applications I decided"),
        "team",
        "decided_by_id",
        _own(Team, "decided_by_id", Team.id, Team.name, Team.status, Team.decided_at),
    ),
    SectionSpec(
        "memberships",
        _l("Team memberships"),
        "membership",
        "user_id",
        lambda user: (
            select(
                Membership.id,
                Team.name.label("team"),
                Membership.role,
                Membership.status,
                Membership.requested_at,
                Membership.joined_at,
            )
            .join(Team, Team.id == Membership.team_id)
            .where(Membership.user_id == user.id)
            .order_by(Membership.id)
        ),
    ),
    SectionSpec(
        "membership_history",
        _l("History of my memberships"),
        "membership_event",
        "membership.user_id",
        _membership_history,
    ),
    SectionSpec(
        "membership_events_by_me",
        _l("Membership steps I took"),
        "membership_event",
        "actor_id",
        _own(
            MembershipEvent,
            "actor_id",
            MembershipEvent.id,
            MembershipEvent.membership_id,
            MembershipEvent.action,
            MembershipEvent.created_at,
        ),
    ),
    SectionSpec(
        "activities_created",
        _l("Activities I created"),
        "activity",
        "created_by_id",
        _own(
            Activity,
            "created_by_id",
            Activity.id,
            Activity.title,
            Activity.status,
            Activity.address,
            Activity.created_at,
        ),
    ),
    SectionSpec(
        "activity_notices",
        _l("Notices of cancelled or changed activities"),
        "activity_notice",
        "user_id",
        _own(
            ActivityNotice,
            "user_id",
            ActivityNotice.id,
            ActivityNotice.activity_id,
            ActivityNotice.shift_id,
            ActivityNotice.kind,
            ActivityNotice.message,
            ActivityNotice.created_at,
        ),
    ),
    SectionSpec(
        "sign_ups",
        _l("Sign-ups"),
        "sign_up",
        "user_id",
        lambda user: (
            select(
                SignUp.id,
                SignUp.shift_id,
                Activity.title.label("activity"),
                _shift_of_sign_up.starts_at.label("shift_starts_at"),
                SignUp.status,
                SignUp.created_at,
                SignUp.promoted_at,
                SignUp.cancelled_at,
            )
            .join(_shift_of_sign_up, _shift_of_sign_up.id == SignUp.shift_id)
            .join(Activity, Activity.id == _shift_of_sign_up.activity_id)
            .where(SignUp.user_id == user.id)
            .order_by(SignUp.id)
        ),
    ),
    SectionSpec(
        "check_ins",
        _l("Check-ins (service record)"),
        "check_in",
        "user_id",
        lambda user: (
            select(
                CheckIn.id,
                CheckIn.shift_id,
                Activity.title.label("activity"),
                _shift_of_check_in.starts_at.label("shift_starts_at"),
                CheckIn.method,
                CheckIn.is_walk_in,
                CheckIn.checked_in_at,
                CheckIn.checked_out_at,
                CheckIn.is_auto_checked_out,
                CheckIn.status,
                CheckIn.served_minutes,
                CheckIn.points_due,
                CheckIn.confirmed_at,
            )
            .join(_shift_of_check_in, _shift_of_check_in.id == CheckIn.shift_id)
            .join(Activity, Activity.id == _shift_of_check_in.activity_id)
            .where(CheckIn.user_id == user.id)
            .order_by(CheckIn.id)
        ),
    ),
    SectionSpec(
        "check_ins_confirmed",
        _l("Attendance I confirmed"),
        "check_in",
        "confirmed_by_id",
        _own(CheckIn, "confirmed_by_id", CheckIn.id, CheckIn.shift_id, CheckIn.confirmed_at),
    ),
    SectionSpec(
        "check_in_changes",
        _l("Changes to my check-in times"),
        "check_in_change",
        "check_in.user_id",
        _check_in_changes_on_mine,
    ),
    SectionSpec(
        "check_in_changes_by_me",
        _l("Check-in times I changed"),
        "check_in_change",
        "actor_id",
        _own(
            CheckInChange,
            "actor_id",
            CheckInChange.id,
            CheckInChange.check_in_id,
            CheckInChange.field,
            CheckInChange.created_at,
        ),
    ),
    SectionSpec(
        "correction_requests",
        _l("Correction requests"),
        "correction_request",
        "user_id",
        _own(
            CorrectionRequest,
            "user_id",
            CorrectionRequest.id,
            CorrectionRequest.shift_id,
            CorrectionRequest.checked_in_at,
            CorrectionRequest.checked_out_at,
            CorrectionRequest.message,
            CorrectionRequest.status,
            CorrectionRequest.reply,
            CorrectionRequest.created_at,
            CorrectionRequest.decided_at,
        ),
    ),
    SectionSpec(
        "corrections_decided",
        _l("Correction requests I decided"),
        "correction_request",
        "decided_by_id",
        _own(
            CorrectionRequest,
            "decided_by_id",
            CorrectionRequest.id,
            CorrectionRequest.shift_id,
            CorrectionRequest.status,
            CorrectionRequest.decided_at,
        ),
    ),
    SectionSpec(
        "points_accounts",
        _l("Points accounts"),
        "points_account",
        "owner_id",
        _own(Account, "owner_id", Account.id, Account.kind, Account.balance),
    ),
    SectionSpec(
        "points_history",
        _l("Points history"),
        "ledger_entry",
        "points_account.owner_id",
        _ledger,
    ),
    SectionSpec(
        "ledger_entries_by_me",
        _l("Points movements I made"),
        "ledger_entry",
        "actor_id",
        _own(
            LedgerEntry,
            "actor_id",
            LedgerEntry.id,
            LedgerEntry.kind,
            LedgerEntry.amount,
            LedgerEntry.created_at,
        ),
    ),
    SectionSpec(
        "merchant_staff",
        _l("Merchant I serve at"),
        "merchant_staff",
        "user_id",
        lambda user: (
            select(
                MerchantStaff.user_id, MerchantStaff.merchant_id, Merchant.name.label("merchant")
            )
            .join(Merchant, Merchant.id == MerchantStaff.merchant_id)
            .where(MerchantStaff.user_id == user.id)
        ),
    ),
    SectionSpec(
        "redeem_codes",
        _l("Redeem codes"),
        "redeem_code",
        "user_id",
        _own(
            RedeemCode,
            "user_id",
            RedeemCode.id,
            RedeemCode.created_at,
            RedeemCode.expires_at,
            RedeemCode.used_at,
        ),
    ),
    SectionSpec(
        "redemptions",
        _l("Purchases with points"),
        "redemption",
        "user_id",
        lambda user: (
            select(
                Redemption.id,
                Merchant.name.label("merchant"),
                Redemption.total,
                Redemption.status,
                Redemption.created_at,
                Redemption.reversed_at,
                Redemption.reversal_reason,
            )
            .join(Merchant, Merchant.id == Redemption.merchant_id)
            .where(Redemption.user_id == user.id)
            .order_by(Redemption.id)
        ),
    ),
    SectionSpec(
        "redemption_lines",
        _l("Goods of my purchases"),
        "redemption_line",
        "redemption.user_id",
        _lines,
    ),
    SectionSpec(
        "redemptions_served",
        _l("Purchases I served at the counter"),
        "redemption",
        "staff_id",
        _own(
            Redemption,
            "staff_id",
            Redemption.id,
            Redemption.merchant_id,
            Redemption.total,
            Redemption.created_at,
        ),
    ),
    SectionSpec(
        "redemptions_reversed",
        _l("Purchases I reversed"),
        "redemption",
        "reversed_by_id",
        _own(
            Redemption,
            "reversed_by_id",
            Redemption.id,
            Redemption.merchant_id,
            Redemption.total,
            Redemption.reversed_at,
            Redemption.reversal_reason,
        ),
    ),
    SectionSpec(
        "notifications",
        _l("Notifications"),
        "notification",
        "user_id",
        _own(
            Notification,
            "user_id",
            Notification.id,
            Notification.kind,
            Notification.params,
            Notification.created_at,
            Notification.read_at,
            Notification.email_status,
            Notification.email_sent_at,
            Notification.email_error,
        ),
    ),
    SectionSpec(
        "notification_preferences",
        _l("Notification choices"),
        "notification_preference",
        "user_id",
        _own(
            NotificationPreference,
            "user_id",
            NotificationPreference.id,
            NotificationPreference.kind,
            NotificationPreference.choice,
            NotificationPreference.updated_at,
        ),
    ),
    SectionSpec(
        "shift_messages_sent",
        _l("Messages I sent to a shift's volunteers"),
        "shift_message",
        "author_id",
        _own(
            ShiftMessage,
            "author_id",
            ShiftMessage.id,
            ShiftMessage.shift_id,
            ShiftMessage.audience,
            ShiftMessage.template,
            ShiftMessage.body,
            ShiftMessage.created_at,
        ),
    ),
    SectionSpec(
        "certificates",
        _l("Certificates issued to me"),
        "issued_document",
        "subject_id",
        _certificates,
    ),
    SectionSpec(
        "certificates_issued",
        _l("Certificates I issued"),
        "issued_document",
        "issued_by_id",
        _own(
            IssuedDocument,
            "issued_by_id",
            IssuedDocument.id,
            IssuedDocument.number,
            IssuedDocument.issued_at,
        ),
    ),
    SectionSpec(
        "certificates_revoked",
        _l("Certificates I revoked"),
        "issued_document",
        "revoked_by_id",
        _own(
            IssuedDocument,
            "revoked_by_id",
            IssuedDocument.id,
            IssuedDocument.number,
            IssuedDocument.revoked_at,
            IssuedDocument.revocation_reason,
        ),
    ),
    SectionSpec(
        "uploads",
        _l("Files I uploaded"),
        "upload",
        "uploaded_by_id",
        _own(
            Upload,
            "uploaded_by_id",
            Upload.id,
            Upload.kind,
            Upload.filename,
            Upload.content_type,
            Upload.size,
            Upload.width,
            Upload.height,
            Upload.created_at,
        ),
    ),
    SectionSpec(
        "role_assignments",
        _l("Roles assigned to me"),
        "role_assignment",
        "user_id",
        _assignments("user_id", RoleAssignment.granted_at, RoleAssignment.withdrawn_at),
    ),
    SectionSpec(
        "assignments_granted",
        _l("Roles I assigned"),
        "role_assignment",
        "granted_by_id",
        _assignments("granted_by_id", RoleAssignment.granted_at),
    ),
    SectionSpec(
        "assignments_withdrawn",
        _l("Roles I withdrew"),
        "role_assignment",
        "withdrawn_by_id",
        _assignments("withdrawn_by_id", RoleAssignment.withdrawn_at),
    ),
    SectionSpec(
        "register_record",
        _l("My record in the register of good people"),
        "person",
        "user_id",
        _register_record,
    ),
    SectionSpec(
        "register_by_phone",
        _l("Records of the register that hold my mobile number"),
        "person",
        BY_PHONE,
        _register_by_phone,
    ),
    SectionSpec(
        "register_history",
        _l("History of my record in the register"),
        "person_revision",
        "person.user_id",
        _register_history,
    ),
    SectionSpec(
        "register_honours",
        _l("My honours"),
        "honour",
        "person.user_id",
        _register_honours,
    ),
    SectionSpec(
        "register_views",
        _l("Whole views of my record's sensitive fields"),
        "sensitive_view",
        "person.user_id",
        _views_of_my_record,
    ),
    SectionSpec(
        "persons_entered",
        _l("Records I entered in the register"),
        "person",
        "created_by_id",
        _own(Person, "created_by_id", Person.id, Person.created_at),
    ),
    SectionSpec(
        "consents_recorded",
        _l("Publication consents I recorded"),
        "person",
        "consent_recorded_by_id",
        _own(
            Person,
            "consent_recorded_by_id",
            Person.id,
            Person.has_publication_consent,
            Person.consent_recorded_at,
        ),
    ),
    SectionSpec(
        "person_changes_by_me",
        _l("Changes I made to records of the register"),
        "person_revision",
        "actor_id",
        _own(
            PersonRevision,
            "actor_id",
            PersonRevision.id,
            PersonRevision.person_id,
            PersonRevision.action,
            PersonRevision.created_at,
        ),
    ),
    SectionSpec(
        "honours_recorded",
        _l("Honours I recorded"),
        "honour",
        "created_by_id",
        _honours_recorded,
    ),
    SectionSpec(
        "honour_changes_by_me",
        _l("Changes I made to honours"),
        "honour_revision",
        "actor_id",
        _own(
            HonourRevision,
            "actor_id",
            HonourRevision.id,
            HonourRevision.honour_id,
            HonourRevision.action,
            HonourRevision.created_at,
        ),
    ),
    SectionSpec(
        "rounds_prepared",
        _l("Rounds of nominations I prepared"),
        "honour_round",
        "created_by_id",
        _own(Round, "created_by_id", Round.id, Round.name, Round.created_at),
    ),
    SectionSpec(
        "rounds_opened",
        _l("Rounds of nominations I opened"),
        "honour_round",
        "opened_by_id",
        _own(Round, "opened_by_id", Round.id, Round.name, Round.opened_at),
    ),
    SectionSpec(
        "rounds_closed",
        _l("Rounds of nominations I closed"),
        "honour_round",
        "closed_by_id",
        _own(Round, "closed_by_id", Round.id, Round.name, Round.closed_at),
    ),
    SectionSpec(
        "decisions_recorded",
        _l("Decisions on rounds I recorded"),
        "round_decision",
        "recorded_by_id",
        _own(
            RoundDecision,
            "recorded_by_id",
            RoundDecision.id,
            RoundDecision.round_id,
            RoundDecision.document_number,
            RoundDecision.decided_on,
            RoundDecision.recorded_at,
        ),
    ),
    SectionSpec(
        "sensitive_views_by_me",
        _l("Sensitive fields I saw whole"),
        "sensitive_view",
        "viewer_id",
        _own(
            SensitiveView,
            "viewer_id",
            SensitiveView.id,
            SensitiveView.person_id,
            SensitiveView.fields,
            SensitiveView.channel,
            SensitiveView.place,
            SensitiveView.viewed_at,
        ),
    ),
    SectionSpec(
        "nomination_consents_recorded",
        _l("Answers about publishing nominations I recorded"),
        "nomination_consent",
        "recorded_by_id",
        # Who answered and their phone are the answering person's, not the clerk's.
        _own(
            NominationConsent,
            "recorded_by_id",
            NominationConsent.id,
            NominationConsent.nomination_id,
            NominationConsent.agreed,
            NominationConsent.giver,
            NominationConsent.method,
            NominationConsent.recorded_at,
        ),
    ),
    SectionSpec(
        "nomination_consents_by_my_phone",
        _l("Answers about publishing nominations given from my phone"),
        "nomination_consent",
        BY_PHONE,
        _consents_by_phone,
    ),
    SectionSpec(
        "panels_i_sit_on",
        _l("Panels of rounds I sit on"),
        "round_panel_member",
        "user_id",
        _own(
            PanelMember,
            "user_id",
            PanelMember.id,
            PanelMember.round_id,
            PanelMember.assigned_at,
        ),
    ),
    SectionSpec(
        "panel_members_assigned",
        _l("Panel reviewers I put on rounds"),
        "round_panel_member",
        "assigned_by_id",
        _own(
            PanelMember,
            "assigned_by_id",
            PanelMember.id,
            PanelMember.round_id,
            PanelMember.user_id,
            PanelMember.assigned_at,
        ),
    ),
    SectionSpec(
        "panel_votes",
        _l("My votes on the panel"),
        "panel_vote",
        "reviewer_id",
        _own(
            PanelVote,
            "reviewer_id",
            PanelVote.id,
            PanelVote.nomination_id,
            PanelVote.vote,
            PanelVote.score,
            PanelVote.comment,
            PanelVote.voted_at,
        ),
    ),
    SectionSpec(
        "panel_tallies_closed",
        _l("Panel reviews I closed"),
        "panel_tally",
        "closed_by_id",
        _own(
            PanelTally,
            "closed_by_id",
            PanelTally.id,
            PanelTally.nomination_id,
            PanelTally.votes_for,
            PanelTally.votes_against,
            PanelTally.abstentions,
            PanelTally.closed_at,
        ),
    ),
    SectionSpec(
        "nominations_entered",
        _l("Nominations I entered"),
        "nomination",
        "created_by_id",
        # By number, round, channel and stage: who the nominee is, is the nominee's own.
        _own(
            Nomination,
            "created_by_id",
            Nomination.id,
            Nomination.round_id,
            Nomination.channel,
            Nomination.stage,
            Nomination.created_at,
        ),
    ),
    SectionSpec(
        "nominations_nominated",
        _l("Nominations I put my name to"),
        "nominator",
        "user_id",
        _own(
            Nominator,
            "user_id",
            Nominator.id,
            Nominator.nomination_id,
            Nominator.from_nomination_id,
            Nominator.kind,
            Nominator.name,
            Nominator.contact_phone,
            Nominator.added_at,
        ),
    ),
    SectionSpec(
        "nomination_files_added",
        _l("Files I added to nominations"),
        "nomination_file",
        "added_by_id",
        _own(
            NominationFile,
            "added_by_id",
            NominationFile.id,
            NominationFile.nomination_id,
            NominationFile.kind,
            NominationFile.upload_id,
            NominationFile.added_at,
        ),
    ),
    SectionSpec(
        "nomination_steps_taken",
        _l("Steps I took on nominations"),
        "nomination_step",
        "actor_id",
        # What was done and when, by ids: the opinion is about the nominee.
        _own(
            ReviewStep,
            "actor_id",
            ReviewStep.id,
            ReviewStep.nomination_id,
            ReviewStep.action,
            ReviewStep.from_stage,
            ReviewStep.to_stage,
            ReviewStep.declared_no_conflict,
            ReviewStep.acted_at,
        ),
    ),
    SectionSpec(
        "nomination_conflicts_declared",
        _l("Conflicts of interest I declared"),
        "nomination_conflict",
        "user_id",
        _own(
            ConflictDeclaration,
            "user_id",
            ConflictDeclaration.id,
            ConflictDeclaration.nomination_id,
            ConflictDeclaration.reason,
            ConflictDeclaration.declared_at,
        ),
    ),
    SectionSpec(
        "background_checks_recorded",
        _l("Background checks I recorded"),
        "background_check",
        "recorded_by_id",
        # When and with which agency, by ids: what an agency answered is about the nominee.
        _own(
            BackgroundCheck,
            "recorded_by_id",
            BackgroundCheck.id,
            BackgroundCheck.nomination_id,
            BackgroundCheck.agency,
            BackgroundCheck.sent_on,
            BackgroundCheck.answered_on,
            BackgroundCheck.updated_at,
        ),
    ),
    SectionSpec(
        "notices_opened",
        _l("Public notices I opened"),
        "round_notice",
        "opened_by_id",
        _own(
            RoundNotice,
            "opened_by_id",
            RoundNotice.id,
            RoundNotice.round_id,
            RoundNotice.opens_at,
            RoundNotice.closes_at,
        ),
    ),
    SectionSpec(
        "objections_filed",
        _l("My objections to public notices"),
        "objection",
        "user_id",
        _own(
            Objection,
            "user_id",
            Objection.id,
            Objection.nomination_id,
            Objection.name,
            Objection.phone,
            Objection.text,
            Objection.filed_at,
            Objection.due_on,
            Objection.outcome,
            Objection.answer,
            Objection.answered_at,
        ),
    ),
    SectionSpec(
        "objections_by_my_phone",
        _l("Objections to public notices filed with my number"),
        "objection",
        BY_PHONE,
        _objections_by_phone,
    ),
    SectionSpec(
        "objections_answered",
        _l("Objections I answered"),
        "objection",
        "answered_by_id",
        # What was decided and when, by ids: the objector's name, number and words are theirs.
        _own(
            Objection,
            "answered_by_id",
            Objection.id,
            Objection.nomination_id,
            Objection.outcome,
            Objection.answered_at,
        ),
    ),
    SectionSpec(
        "likes",
        _l("My likes of entries on public notices"),
        "nomination_like",
        "user_id",
        _own(
            NominationLike,
            "user_id",
            NominationLike.id,
            NominationLike.nomination_id,
            NominationLike.day,
            NominationLike.created_at,
        ),
    ),
]
