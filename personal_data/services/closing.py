"""Closing an account (注销账号): the person's data is anonymised and the account disabled for
good, while what the platform must keep stays consistent: hours served (check-ins), the points
ledger (never rewritten), the register of issued certificates (still verifiable), the files the
person uploaded (evidence in someone's record) and the log of whole views they made as a clerk.

One record keeps the person's name and number: the register of good people's (好人库) record
of them, if the office entered one. It is the office's register of a public honour, kept on its
own legal basis (the public interest, and its own consent to publication on the roll), not data
of the volunteer account: closing the account unlinks it and does not erase it.

Only a volunteer closes their own account. Office and merchant staff accounts belong to the
office or a merchant, not to the person alone, and are disabled by the office's user
administration instead.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from certificates.models import IssuedDocument, SubjectKind
from core.auth import passwords
from core.auth import services as auth
from core.auth.admin import record_action
from core.auth.assignments import RoleAssignment
from core.auth.models import (
    ApiToken,
    AuditAction,
    OneTimeLink,
    Role,
    SmsCode,
    User,
    UserSession,
)
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found
from core.uploads.models import Upload
from events import services as events
from events.models import CorrectionRequest, Shift, SignUp
from honours.models import Person, PersonRevision, RevisionAction
from honours.nomination_models import Nominator, Objection
from personal_data.services.export import require_open
from points.models import RedeemCode
from reminders.models import Notification, NotificationKind, NotificationPreference
from volunteer import services as volunteers
from volunteer.models import (
    Membership,
    MembershipAction,
    MembershipEvent,
    MembershipStatus,
    VolunteerProfile,
)

# What a closed account is called wherever its name was shown (attendance lists, teams'
# histories, the office's pages). Stored, not translated: it stands in a name column.
CLOSED_NAME = "已注销用户"
# Not a hash argon2 can read, so no password ever matches it.
NO_PASSWORD = "!closed"
# The reason in the register's history where closing unlinked a record; stored, as clerks'
# reasons are.
UNLINKED_REASON = "关联的志愿者账号已注销"


def placeholder_phone(user_id: int) -> str:
    """What replaces a closed account's mobile number: a 0 and the id in ten digits. It fits
    the column (11 characters), is unique as the id is, and is never a mainland mobile number
    (those start with 1), so nobody can sign in, ask for a code or register with it."""
    return f"0{user_id:010d}"


def _scrub(text: str | None, olds: list[str]) -> str | None:
    for old in olds:
        if text and old:
            text = text.replace(old, CLOSED_NAME)
    return text


def _leave_teams(user: User, now: datetime) -> None:
    """The user leaves every team they are a member of (through the membership rule, which
    keeps a team's last leader) and withdraws every request to join, each step in the
    membership's history. Raises Conflict, naming the team, for its only leader."""
    held = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.team))
        .where(
            Membership.user_id == user.id,
            Membership.status.in_((MembershipStatus.active, MembershipStatus.requested)),
        )
        .order_by(Membership.id)
    ).all()
    for membership in held:
        if membership.status is MembershipStatus.requested:
            membership.status = MembershipStatus.left
            db.session.add(
                MembershipEvent(
                    membership=membership,
                    action=MembershipAction.left,
                    actor_id=user.id,
                    created_at=now,
                )
            )
            continue
        try:
            volunteers.leave_team(user, membership.team_id, now=now)
        except Conflict:
            raise Conflict(
                _l(
                    "You are the only leader of %(team)s: make another member leader first.",
                    team=membership.team.name,
                ),
                code="only_leader",
            ) from None
    db.session.flush()


def _cancel_future_sign_ups(user: User, now: datetime) -> None:
    # Through the sign-up rule itself, so that a freed seat goes to the first one waiting;
    # with no cut-off: a closed account will not come, however soon the shift starts.
    upcoming = db.session.scalars(
        select(SignUp.shift_id)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(
            SignUp.user_id == user.id,
            SignUp.status.in_(events.ACTIVE_SIGN_UPS),
            Shift.starts_at > now,
        )
        .order_by(Shift.starts_at)
    ).all()
    for shift_id in upcoming:
        events.cancel_sign_up(user, shift_id, now=now, cutoff_hours=0)


def _drop_notifications(user: User) -> None:
    """The user's inbox and pending email go; so do their choices. A leader's reminder of the
    user's request to join names them: the name there becomes CLOSED_NAME."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(
        delete(NotificationPreference).where(NotificationPreference.user_id == user.id)
    )
    memberships = db.session.scalars(
        select(Membership.id).where(Membership.user_id == user.id)
    ).all()
    if not memberships:
        return
    # The finder's subject for a join request: membership:<id>:<time asked>.
    naming = db.session.scalars(
        select(Notification).where(
            Notification.kind == NotificationKind.join_request_waiting,
            or_(*(Notification.subject.like(f"membership:{m}:%") for m in memberships)),
        )
    )
    for notification in naming:
        notification.params = {**notification.params, "name": CLOSED_NAME}


def _end_credentials(user: User, now: datetime) -> None:
    """Every sign-in ends and every token is revoked; what the user named them or the browser
    said of itself goes; one-time links (they hold the email address) and SMS codes to the
    number are deleted; a redeem code still valid ends now."""
    auth.sign_out_everywhere(user, now=now)
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id).values(name=""))
    db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id).values(user_agent="")
    )
    db.session.execute(delete(OneTimeLink).where(OneTimeLink.user_id == user.id))
    db.session.execute(delete(SmsCode).where(SmsCode.phone == user.phone))
    db.session.execute(
        update(RedeemCode)
        .where(
            RedeemCode.user_id == user.id,
            RedeemCode.used_at.is_(None),
            RedeemCode.expires_at > now,
        )
        .values(expires_at=now)
    )


def _mask_certificates(user: User) -> None:
    """A certificate's snapshot keeps the masked name (张*明) that the public verification page
    shows and the paper carries beside the number, so the paper still verifies; the full name
    it printed is replaced by that masked name."""
    documents = db.session.scalars(
        select(IssuedDocument).where(
            IssuedDocument.subject_kind == SubjectKind.user,
            IssuedDocument.subject_id == user.id,
        )
    )
    for document in documents:
        masked = document.snapshot.get("masked_name") or ""
        if user.display_name in masked:
            # A one-character name is its own mask.
            masked = "*"
        document.snapshot = {**document.snapshot, "name": masked, "masked_name": masked}


def _withdraw_assignments(user: User, now: datetime) -> None:
    """The user's live role assignments (clerk, reviewer, editor) end now, withdrawn by the
    closing account itself: a closed account acts nowhere, and the history says so. Each
    withdrawal is written to the audit log as the office's are. The rows stay, as every
    withdrawn assignment does."""
    live = db.session.scalars(
        select(RoleAssignment)
        .options(joinedload(RoleAssignment.region), joinedload(RoleAssignment.sector))
        .where(RoleAssignment.user_id == user.id, RoleAssignment.withdrawn_at.is_(None))
        .order_by(RoleAssignment.id)
    ).all()
    for assignment in live:
        # Conditional, as the office's withdrawal is: of it and the closing at once, one counts.
        ended = db.session.execute(
            update(RoleAssignment)
            .where(RoleAssignment.id == assignment.id, RoleAssignment.withdrawn_at.is_(None))
            .values(withdrawn_at=now, withdrawn_by_id=user.id)
            .execution_options(synchronize_session=False)
        )
        if ended.rowcount != 1:
            continue
        db.session.refresh(assignment)
        details = {"kind": assignment.kind.value, "assignment_id": assignment.id}
        if assignment.region is not None:
            details["region"] = assignment.region.name
        if assignment.sector is not None:
            details["sector"] = assignment.sector.name
        record_action(user, AuditAction.assignment_withdrawn, user, now=now, details=details)


def _neutral_upload_names(user: User) -> None:
    """The files the user uploaded stay (a photo or a scan may be evidence in someone's
    record), but their names go, as a name may carry the user's (张三拍摄.jpg): each becomes
    upload-<id> with the extension of what was stored. The bytes and their key are untouched."""
    for upload in db.session.scalars(select(Upload).where(Upload.uploaded_by_id == user.id)):
        extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else ""
        upload.filename = f"upload-{upload.id}" + (f".{extension}" if extension else "")


def _unnamed_nominators(user: User) -> None:
    """Where the user put their name to a nomination, their name and number go; the nomination
    stays the office's, and who nominated it is kept by the account's id."""
    db.session.execute(
        update(Nominator)
        .where(Nominator.user_id == user.id)
        .values(name=CLOSED_NAME, contact_phone=None)
        .execution_options(synchronize_session=False)
    )


def _objector_unnamed(user: User, olds: list[str]) -> None:
    """Objections the user filed to public notices stay with their answers (the office's
    record of why an entry stayed or went), but no longer name the objector: the name becomes
    CLOSED_NAME, the number the placeholder, and the user's name or number in their words
    goes too."""
    for objection in db.session.scalars(select(Objection).where(Objection.user_id == user.id)):
        objection.name = CLOSED_NAME
        objection.phone = placeholder_phone(user.id)
        objection.text = _scrub(objection.text, olds)


def _unlink_register(user: User, now: datetime) -> None:
    """The register of good people's record of the user (merged ones too) no longer names the
    account; the unlinking is a revision of the record, as every change there is. The record
    itself stays whole: see the module's docstring."""
    for person in db.session.scalars(
        select(Person).where(Person.user_id == user.id).order_by(Person.id)
    ):
        person.user_id = None
        person.updated_at = now
        db.session.add(
            PersonRevision(
                person_id=person.id,
                action=RevisionAction.corrected,
                changes={"user_id": [user.id, None]},
                reason=UNLINKED_REASON,
                actor_id=user.id,
                created_at=now,
            )
        )


def close_account(user: User, *, password: str, now: datetime) -> User:
    """Close the volunteer's own account (注销), confirmed with their password.

    The mobile number becomes a placeholder (`placeholder_phone`), free for a new account; the
    name becomes CLOSED_NAME; the email address, skills and home district are cleared, as are
    the number's and address's proofs. The account is disabled with `closed_at` set; every
    sign-in and token ends; the user leaves every team; their sign-ups for shifts not started
    yet are cancelled (seats go to those waiting); their inbox, pending reminders, one-time
    links, SMS codes and live redeem code go; the full name on their certificates is masked.
    Role assignments still live are withdrawn (kept in the history, and in the audit log).
    Files the user uploaded stay, renamed upload-<id>.<extension>; where they nominated a good
    person, the nomination keeps them by id, without their name and number. The register of good
    people's record of the user is unlinked from the account (a revision says so) and kept
    whole, name and number with it: it is the office's register of a public honour, on its own
    legal basis and publication consent, not the account's data. Check-ins (hours), the points
    ledger, the audit log, the register's histories and the log of whole views the user made
    as a clerk are kept as they are: they hold the account's id, never its number, name or
    address. Objections the user filed stay, with CLOSED_NAME and the placeholder number for
    the objector. The closing is written to the audit log.

    Raises Conflict (closed already; the only leader of a team), Forbidden (not a volunteer
    account), ValidationFailed (wrong password).
    """
    # Locked first: two closings at once take turns, and the second finds the account closed.
    user = get_or_not_found(User, user.id, lock=True)
    require_open(user)
    if user.role is not Role.volunteer:
        raise Forbidden(
            _l("Office and merchant accounts are closed by the office's user administration.")
        )
    if not passwords.verify_password(user.password_hash, password or ""):
        raise ValidationFailed(errors={"password": [str(_l("The password is wrong."))]})
    olds = [user.phone, user.display_name, user.email or ""]

    _leave_teams(user, now)
    _cancel_future_sign_ups(user, now)
    _drop_notifications(user)
    _end_credentials(user, now)
    _mask_certificates(user)
    _withdraw_assignments(user, now)
    _neutral_upload_names(user)
    _unnamed_nominators(user)
    _unlink_register(user, now)
    _objector_unnamed(user, olds)
    for request in db.session.scalars(
        select(CorrectionRequest).where(CorrectionRequest.user_id == user.id)
    ):
        # The user's own words may name them; the times they asked for stay.
        request.message = _scrub(request.message, olds)
    profile = db.session.get(VolunteerProfile, user.id)
    if profile is not None:
        profile.skills = []
        profile.district_id = None

    user.phone = placeholder_phone(user.id)
    user.display_name = CLOSED_NAME
    user.email = None
    user.email_verified_at = None
    user.phone_verified_at = None
    user.password_hash = NO_PASSWORD
    user.is_enabled = False
    user.closed_at = now
    db.session.flush()
    record_action(user, AuditAction.account_closed, user, now=now)
    return user
