"""API: volunteer registration and the signed-in user's profile."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page
from core.auth.access import Who, login_required, public, role_required
from core.auth.models import Role
from core.auth.schemas import UserSchema
from core.clock import utcnow
from core.extensions import db, limiter
from core.settings import current_settings
from volunteer import services
from volunteer.schemas import (
    DecisionSchema,
    MemberSchema,
    MembershipEventSchema,
    MembershipSchema,
    ProfileSchema,
    ProfileUpdateSchema,
    RegistrationSchema,
    RemovalSchema,
    TeamApplicationReviewSchema,
    TeamApplicationSchema,
    TeamQuerySchema,
    TeamSchema,
)

blp = Blueprint("volunteer_api", __name__, url_prefix="/api/v1", description="Volunteers")
BEARER = [{"bearerAuth": []}]


@blp.route("/volunteers")
class Volunteers(MethodView):
    @public(why="registering, before one has an account")
    @limiter.limit("20 per hour", deduct_when=lambda r: r.status_code == 201)
    @blp.arguments(RegistrationSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Register as a volunteer with the code sent by SMS (POST /auth/sms-codes, purpose
        register); then ask for a token with the same number and password"""
        user = services.register_volunteer_with_code(
            **data, now=utcnow(), settings=current_settings().sms
        )
        db.session.commit()
        return user


@blp.route("/me/profile")
class MyProfile(MethodView):
    @login_required(owner="self", why="every account has a name and an email")
    @blp.doc(security=BEARER)
    @blp.response(200, ProfileSchema)
    def get(self):
        """My volunteer profile"""
        profile = services.get_profile(current_user)
        db.session.commit()
        return profile

    @login_required(owner="self", why="every account has a name and an email")
    @blp.doc(security=BEARER)
    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, ProfileSchema)
    def patch(self, data):
        """Change my name, email, district or skills (fields left out stay as they are)"""
        profile = services.get_profile(current_user)
        changes = {
            "display_name": current_user.display_name,
            "email": current_user.email,
            "district_id": profile.district_id,
            "skills": profile.skills,
            **data,
        }
        profile = services.update_profile(current_user, **changes)
        db.session.commit()
        return profile


# Teams (志愿服务队) and memberships ------------------------------------------------------


@blp.route("/teams")
class Teams(MethodView):
    @public(why="approved teams are listed for everyone to find one")
    @blp.arguments(TeamQuerySchema, location="query")
    @blp.response(200, TeamSchema(many=True))
    @blp.paginate(Page)
    def get(self, args):
        """Approved teams, by district, category and a part of the name"""
        return services.find_teams(
            district_id=args.get("district_id"), category=args.get("category"), text=args.get("q")
        )

    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.arguments(TeamApplicationSchema)
    @blp.response(201, TeamSchema)
    def post(self, data):
        """Apply to found a team; the office decides"""
        team = services.apply_for_team(current_user, **data, now=utcnow())
        db.session.commit()
        return team


@blp.route("/teams/<int:team_id>")
class OneTeam(MethodView):
    @public(why="an approved team is public; an application only its founder and the office see")
    @blp.response(200, TeamSchema)
    def get(self, team_id: int):
        """One team (an application only for its founder and the office)"""
        return services.visible_team(current_user, team_id)


@blp.route("/teams/<int:team_id>/join")
class JoinTeam(MethodView):
    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.response(201, MembershipSchema)
    def post(self, team_id: int):
        """Ask to join a team; a leader decides"""
        membership = services.request_to_join(current_user, team_id, now=utcnow())
        db.session.commit()
        return membership


@blp.route("/teams/<int:team_id>/leave")
class LeaveTeam(MethodView):
    @role_required(Role.volunteer)
    @blp.doc(security=BEARER)
    @blp.response(200, MembershipSchema)
    def post(self, team_id: int):
        """Leave a team (the only leader must first make someone else leader)"""
        membership = services.leave_team(current_user, team_id, now=utcnow())
        db.session.commit()
        return membership


@blp.route("/teams/<int:team_id>/join-requests")
class TeamJoinRequests(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, MemberSchema(many=True))
    @blp.paginate(Page)
    def get(self, team_id: int):
        """Pending requests to join, oldest first (leaders, office)"""
        return services.list_join_requests(current_user, team_id)


@blp.route("/teams/<int:team_id>/members")
class TeamMembers(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, MemberSchema(many=True))
    @blp.paginate(Page)
    def get(self, team_id: int):
        """Active members with their phones, leaders first (leaders, office)"""
        return services.list_members(current_user, team_id)


@blp.route("/memberships/<int:membership_id>/decision")
class MembershipDecision(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(DecisionSchema)
    @blp.response(200, MemberSchema)
    def post(self, data, membership_id: int):
        """Let a volunteer in or refuse (leader)"""
        membership = services.decide_join_request(current_user, membership_id, **data, now=utcnow())
        db.session.commit()
        return membership


@blp.route("/memberships/<int:membership_id>/removal")
class MembershipRemoval(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.arguments(RemovalSchema)
    @blp.response(200, MemberSchema)
    def post(self, data, membership_id: int):
        """Remove a member with a reason (leader)"""
        membership = services.remove_member(
            current_user, membership_id, reason=data["reason"], now=utcnow()
        )
        db.session.commit()
        return membership


@blp.route("/memberships/<int:membership_id>/leader")
class MembershipLeader(MethodView):
    @role_required(Who.leader, Role.office, owner="team")
    @blp.doc(security=BEARER)
    @blp.response(200, MemberSchema)
    def post(self, membership_id: int):
        """Make an active member a leader too (leader)"""
        membership = services.make_leader(current_user, membership_id, now=utcnow())
        db.session.commit()
        return membership


@blp.route("/memberships/<int:membership_id>/history")
class MembershipHistory(MethodView):
    @role_required(Role.volunteer, Role.office, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, MembershipEventSchema(many=True))
    @blp.paginate(Page)
    def get(self, membership_id: int):
        """What happened to a membership (the member, the leaders, the office)"""
        return services.membership_history(current_user, membership_id)


@blp.route("/me/teams")
class MyTeams(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, MembershipSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My current and pending memberships"""
        return services.list_my_memberships(current_user)


@blp.route("/office/team-applications")
class TeamApplications(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    # The service does not check the role, and the list carries founders' phones.
    @blp.response(200, TeamApplicationReviewSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """Team applications waiting for a decision, oldest first (office)"""
        return services.list_teams_to_decide(current_user)


@blp.route("/office/team-applications/<int:team_id>/decision")
class TeamApplicationDecision(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(DecisionSchema)
    @blp.response(200, TeamApplicationReviewSchema)
    def post(self, data, team_id: int):
        """Approve a team (its founder becomes leader) or reject it with a reason (office)"""
        team = services.decide_team(current_user, team_id, **data, now=utcnow())
        db.session.commit()
        return team
