"""Volunteer rules: self-registration, the profile, teams and memberships."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.auth import services as auth
from core.auth.models import Role, SmsPurpose, User
from core.auth.services import require_office
from core.auth.sms_services import use_code
from core.collation import in_pinyin_order
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.districts import get_district
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.rows import get_or_not_found
from core.settings import SmsSettings
from volunteer.models import (
    Membership,
    MembershipAction,
    MembershipEvent,
    MembershipRole,
    MembershipStatus,
    ServiceCategory,
    Skill,
    Team,
    TeamStatus,
    VolunteerProfile,
)

# Plain addresses only: characters that mean something in a mail header (, ; : < > ( ) ")
# would make the address unusable for the reminder email.
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
EMAIL_MAX = 254


def get_volunteer_by_phone(phone: str) -> User:
    """The volunteer with this mobile number (a leader checking someone in, the office adjusting
    points). Raises ValidationFailed on the phone field: a malformed number, or no volunteer."""
    volunteer = auth.find_user_by_phone(auth.normalize_phone(phone))
    if volunteer is None or volunteer.role is not Role.volunteer:
        raise ValidationFailed(errors={"phone": [str(_l("No volunteer has this mobile number."))]})
    return volunteer


def register_volunteer(
    *, phone: str, password: str, display_name: str, district_id: int | None = None
) -> User:
    """Self-registration: create a volunteer account with its profile.

    Raises ValidationFailed (bad phone, weak password, empty name, unknown district) or
    Conflict (the number is registered already).
    """
    if district_id is not None:
        get_district(district_id)
    user = auth.create_user(
        phone=phone, password=password, display_name=display_name, role=Role.volunteer
    )
    db.session.add(VolunteerProfile(user=user, district_id=district_id, skills=[]))
    db.session.flush()
    return user


def register_volunteer_with_code(
    *,
    phone: str,
    password: str,
    display_name: str,
    district_id: int | None = None,
    code: str,
    agreed: bool,
    now: datetime,
    settings: SmsSettings,
) -> User:
    """Self-registration (page and API) with the code sent by SMS to the number, which then
    counts as verified, and the consent to the current privacy notice (隐私政策), recorded in
    the same transaction as the account.

    Raises ValidationFailed (bad phone, weak password, unknown district, empty name, notice
    not agreed to; no live, expired or used-up code), WrongCode or Conflict (the number is
    registered already). The checks that write nothing come before the code, so that they
    cost no try of it.
    """
    consents.require_agreement(agreed)
    auth.normalize_phone(phone)
    auth.check_password_strength(password)
    if district_id is not None:
        get_district(district_id)
    phone = use_code(phone, SmsPurpose.register, code, now=now, settings=settings)
    user = register_volunteer(
        phone=phone, password=password, display_name=display_name, district_id=district_id
    )
    user.phone_verified_at = now
    consents.give_consent(user, ConsentKind.privacy_notice, now=now)
    return user


def get_profile(user: User) -> VolunteerProfile:
    """The user's profile; accounts created without one (office, CLI) get an empty one."""
    profile = db.session.get(VolunteerProfile, user.id)
    if profile is None:
        profile = VolunteerProfile(user=user, skills=[])
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(
    user: User,
    *,
    display_name: str,
    district_id: int | None,
    skills: list[str],
    email: str | None,
) -> VolunteerProfile:
    """Change the user's own name, district, skills and email.

    Raises ValidationFailed for an empty name, unknown district or skill, or a malformed email.
    """
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(errors={"display_name": [str(_l("Enter your name."))]})
    known = {skill.value for skill in Skill}
    unknown = [value for value in skills if value not in known]
    if unknown:
        raise ValidationFailed(errors={"skills": [str(_l("Choose skills from the list."))]})
    email = (email or "").strip() or None
    if email is not None and (len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email)):
        raise ValidationFailed(errors={"email": [str(_l("Enter a valid email address."))]})
    if district_id is not None:
        get_district(district_id)
    profile = get_profile(user)
    user.display_name = display_name[:64]
    if email != user.email:
        # A new address is unproved until its holder opens the link sent to it.
        user.email_verified_at = None
    user.email = email
    profile.district_id = district_id
    # Keep the list's order stable and free of repeats, whatever the form sent.
    profile.skills = [skill.value for skill in Skill if skill.value in set(skills)]
    db.session.flush()
    return profile


# Teams (志愿服务队) and memberships ------------------------------------------------------


def _clean_categories(categories: list[str]) -> list[str]:
    chosen = set(categories or [])
    known = [c.value for c in ServiceCategory]
    if chosen - set(known):
        raise ValidationFailed(errors={"categories": [str(_l("Choose categories from the list."))]})
    return [value for value in known if value in chosen]


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": [str(_l("Give a reason."))]})
    return reason


def _record(membership: Membership, action: MembershipAction, actor: User, now, reason=None):
    db.session.add(
        MembershipEvent(
            membership=membership, action=action, actor_id=actor.id, reason=reason, created_at=now
        )
    )


def get_team(team_id: int) -> Team:
    """Return the team; raise NotFound if there is none."""
    return get_or_not_found(Team, team_id, _l("No such team."))


def apply_for_team(
    founder: User,
    *,
    name: str,
    district_id: int,
    categories: list[str],
    description: str,
    now: datetime,
) -> Team:
    """A volunteer asks to found a team; the office decides. Raises Forbidden (not a
    volunteer), ValidationFailed (empty or taken name, unknown district or category)."""
    _require_volunteer(founder)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(errors={"name": [str(_l("Enter the team's name."))]})
    if len(name) > 80:
        raise ValidationFailed(errors={"name": [str(_l("Use at most 80 characters."))]})
    if db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())):
        raise ValidationFailed(errors={"name": [str(_l("A team of this name exists already."))]})
    get_district(district_id)
    team = Team(
        name=name,
        district_id=district_id,
        categories=_clean_categories(categories),
        description=(description or "").strip(),
        status=TeamStatus.pending,
        founder_id=founder.id,
        created_at=now,
    )
    db.session.add(team)
    db.session.flush()
    return team


def _require_volunteer(user: User) -> None:
    if user.role is not Role.volunteer:
        raise Forbidden(_l("Only volunteers found and join teams."))


def list_teams_to_decide(office: User) -> list[Team]:
    """Team applications waiting for the office, oldest first. Raises Forbidden."""
    require_office(office)
    query = (
        select(Team)
        .where(Team.status == TeamStatus.pending)
        .options(selectinload(Team.founder), selectinload(Team.district))
        .order_by(Team.created_at, Team.id)
    )
    return list(db.session.scalars(query))


def decide_team(
    office: User, team_id: int, *, approve: bool, reason: str | None, now: datetime
) -> Team:
    """The office approves a team (its founder becomes its leader) or rejects it with a reason.

    Raises Forbidden (not office), NotFound, Conflict (already decided), ValidationFailed
    (rejection without a reason).
    """
    require_office(office)
    team = get_or_not_found(Team, team_id, lock=True, message=_l("No such team."))
    if team.status is not TeamStatus.pending:
        raise Conflict(_l("This application has been decided already."))
    if not approve:
        reason = _required_reason(reason)
    team.status = TeamStatus.approved if approve else TeamStatus.rejected
    team.decision_reason = (reason or "").strip() or None
    team.decided_by_id = office.id
    team.decided_at = now
    if approve:
        membership = Membership(
            team=team,
            user_id=team.founder_id,
            role=MembershipRole.leader,
            status=MembershipStatus.active,
            requested_at=now,
            joined_at=now,
        )
        db.session.add(membership)
        _record(membership, MembershipAction.founded, office, now)
    db.session.flush()
    return team


def visible_team(viewer: User | None, team_id: int) -> Team:
    """A team as a viewer may see it: approved teams for everyone, an application only for its
    founder and the office. Raises NotFound."""
    team = get_team(team_id)
    if team.status is TeamStatus.approved:
        return team
    signed_in = viewer is not None and viewer.is_authenticated
    if signed_in and (viewer.role is Role.office or viewer.id == team.founder_id):
        return team
    raise NotFound(_l("No such team."))


def list_my_applications(user: User) -> list[Team]:
    """The teams the user asked to found, newest first, with the office's decision."""
    query = select(Team).where(Team.founder_id == user.id).order_by(Team.created_at.desc())
    return list(db.session.scalars(query))


def find_teams(
    *, district_id: int | None = None, category: str | None = None, text: str | None = None
) -> list[Team]:
    """Approved teams, filtered by district, category and a part of the name."""
    query = (
        select(Team)
        .where(Team.status == TeamStatus.approved)
        .options(selectinload(Team.district))
        .order_by(in_pinyin_order(Team.name))
    )
    if district_id:
        query = query.where(Team.district_id == district_id)
    if text:
        # lower() on both sides: SQLite's LIKE ignores case and PostgreSQL's does not.
        needle = text.strip().lower()
        query = query.where(func.lower(Team.name).contains(needle, autoescape=True))
    teams = list(db.session.scalars(query))
    if category:
        # Categories are a short JSON list; filtering in Python keeps SQLite and PostgreSQL alike.
        teams = [team for team in teams if category in team.categories]
    return teams


def find_membership(user: User, team_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.team_id == team_id, Membership.user_id == user.id)
    )


def is_team_leader(user: User, team_id: int) -> bool:
    """Whether the user is an active leader (队长) of the team."""
    membership = find_membership(user, team_id)
    return membership is not None and membership.is_leader


def require_team_manager(user: User, team_id: int) -> Team:
    """Return the team if the user leads it or is the office; raise Forbidden otherwise
    (NotFound if there is no such team)."""
    team = get_team(team_id)
    if manages_team(user, team_id):
        return team
    raise Forbidden(_l("Only a leader of this team may do this."))


def led_team_ids(user: User) -> list[int]:
    """The teams the user leads."""
    query = select(Membership.team_id).where(
        Membership.user_id == user.id,
        Membership.role == MembershipRole.leader,
        Membership.status == MembershipStatus.active,
    )
    return list(db.session.scalars(query))


def list_my_memberships(user: User) -> list[Membership]:
    """The user's current and pending memberships."""
    query = (
        select(Membership)
        .where(
            Membership.user_id == user.id,
            Membership.status.in_([MembershipStatus.active, MembershipStatus.requested]),
        )
        .options(selectinload(Membership.team).selectinload(Team.district))
        .order_by(Membership.requested_at)
    )
    return list(db.session.scalars(query))


# A member, or one who has asked already: no second request. A refused, departed or removed
# volunteer may ask again.
HOLDING = (MembershipStatus.active, MembershipStatus.requested)


def may_ask_to_join(user: User | None, team: Team, membership: Membership | None) -> bool:
    """Whether the user may ask to join the team now (what request_to_join would allow)."""
    return (
        user is not None
        and user.role is Role.volunteer
        and team.status is TeamStatus.approved
        and (membership is None or membership.status not in HOLDING)
    )


def manages_team(user: User | None, team_id: int) -> bool:
    """Whether the user leads the team or is the office."""
    return user is not None and (user.role is Role.office or is_team_leader(user, team_id))


def managed_membership(user: User, membership_id: int) -> Membership:
    """Return a membership of a team the user manages; raise NotFound or Forbidden."""
    membership = get_or_not_found(Membership, membership_id, _l("No such membership."))
    require_team_manager(user, membership.team_id)
    return membership


def request_to_join(user: User, team_id: int, *, now: datetime) -> Membership:
    """Ask to join an approved team. Raises Forbidden (not a volunteer), NotFound, Conflict (not
    open, already a member or already asked)."""
    _require_volunteer(user)
    team = get_team(team_id)
    if team.status is not TeamStatus.approved:
        raise Conflict(_l("This team is not open for members."))
    membership = find_membership(user, team_id)
    if membership is not None and membership.status in HOLDING:
        raise Conflict(_l("You are a member of this team or have asked to join already."))
    if membership is None:
        membership = Membership(team=team, user_id=user.id)
        db.session.add(membership)
    membership.role = MembershipRole.member
    membership.status = MembershipStatus.requested
    membership.requested_at = now
    membership.joined_at = None
    _record(membership, MembershipAction.requested, user, now)
    db.session.flush()
    return membership


def _team_membership(membership_id: int) -> Membership:
    return get_or_not_found(Membership, membership_id, lock=True, message=_l("No such membership."))


def list_join_requests(leader: User, team_id: int) -> list[Membership]:
    """Pending requests to join the team, oldest first (for its leaders and the office)."""
    require_team_manager(leader, team_id)
    query = (
        select(Membership)
        .where(Membership.team_id == team_id, Membership.status == MembershipStatus.requested)
        .options(selectinload(Membership.user))
        .order_by(Membership.requested_at)
    )
    return list(db.session.scalars(query))


def list_members(viewer: User, team_id: int) -> list[Membership]:
    """Active members, leaders first (for the team's leaders and the office)."""
    require_team_manager(viewer, team_id)
    query = (
        select(Membership)
        .where(Membership.team_id == team_id, Membership.status == MembershipStatus.active)
        .options(selectinload(Membership.user))
        .order_by(Membership.role, Membership.joined_at)
    )
    return sorted(db.session.scalars(query), key=lambda m: (not m.is_leader, m.joined_at))


def decide_join_request(
    leader: User, membership_id: int, *, approve: bool, reason: str | None, now: datetime
) -> Membership:
    """A leader lets a volunteer in or refuses (a reason is optional and kept).

    Raises NotFound, Forbidden (not a leader of that team), Conflict (not pending).
    """
    membership = _team_membership(membership_id)
    require_team_manager(leader, membership.team_id)
    if membership.status is not MembershipStatus.requested:
        raise Conflict(_l("This request has been decided already."))
    membership.status = MembershipStatus.active if approve else MembershipStatus.refused
    membership.joined_at = now if approve else None
    action = MembershipAction.approved if approve else MembershipAction.refused
    _record(membership, action, leader, now, (reason or "").strip() or None)
    db.session.flush()
    return membership


def _active_leaders(team_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Membership.team_id == team_id,
            Membership.role == MembershipRole.leader,
            Membership.status == MembershipStatus.active,
        )
    )


def _keep_a_leader(membership: Membership) -> None:
    """Refuse to take away a team's last leader. The team row is locked first, so two leaders
    leaving at once take turns and the second sees the first gone."""
    if not membership.is_leader:
        return
    get_or_not_found(Team, membership.team_id, lock=True, message=_l("No such team."))
    if _active_leaders(membership.team_id) <= 1:
        raise Conflict(_l("This is the team's only leader: make another member leader first."))


def leave_team(user: User, team_id: int, *, now: datetime) -> Membership:
    """A member leaves. Raises NotFound (not a member) or Conflict (the last leader, who must
    first make someone else leader)."""
    membership = find_membership(user, team_id)
    if membership is None or membership.status is not MembershipStatus.active:
        raise NotFound(_l("You are not a member of this team."))
    membership = _team_membership(membership.id)
    _keep_a_leader(membership)
    membership.status = MembershipStatus.left
    _record(membership, MembershipAction.left, user, now)
    db.session.flush()
    return membership


def remove_member(leader: User, membership_id: int, *, reason: str, now: datetime) -> Membership:
    """A leader removes a member, with a reason kept in the history.

    Raises NotFound, Forbidden, ValidationFailed (no reason), Conflict (not active, or oneself:
    leave instead).
    """
    membership = _team_membership(membership_id)
    require_team_manager(leader, membership.team_id)
    reason = _required_reason(reason)
    if membership.status is not MembershipStatus.active:
        raise Conflict(_l("This volunteer is not an active member."))
    if membership.user_id == leader.id:
        raise Conflict(_l("To leave the team yourself, use Leave."))
    _keep_a_leader(membership)
    membership.status = MembershipStatus.removed
    _record(membership, MembershipAction.removed, leader, now, reason)
    db.session.flush()
    return membership


def make_leader(leader: User, membership_id: int, *, now: datetime) -> Membership:
    """A leader makes an active member a leader too. Raises NotFound, Forbidden, Conflict."""
    membership = _team_membership(membership_id)
    require_team_manager(leader, membership.team_id)
    if membership.status is not MembershipStatus.active:
        raise Conflict(_l("This volunteer is not an active member."))
    if membership.role is not MembershipRole.leader:
        membership.role = MembershipRole.leader
        _record(membership, MembershipAction.made_leader, leader, now)
        db.session.flush()
    return membership


def membership_history(viewer: User, membership_id: int) -> list[MembershipEvent]:
    """What happened to a membership, oldest first (for the member, the leaders, the office)."""
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise NotFound(_l("No such membership."))
    if membership.user_id != viewer.id:
        require_team_manager(viewer, membership.team_id)
    query = (
        select(MembershipEvent)
        .where(MembershipEvent.membership_id == membership_id)
        .options(selectinload(MembershipEvent.actor))
        .order_by(MembershipEvent.created_at, MembershipEvent.id)
    )
    return list(db.session.scalars(query))
