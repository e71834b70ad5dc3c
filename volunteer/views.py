"""Registration and profile pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.auth import recovery
from core.auth.access import Who, login_required, public, role_required, sign_in
from core.auth.models import Role, SmsPurpose
from core.auth.recovery_views import send_email_proof
from core.auth.sms_views import code_page_context
from core.clock import utcnow
from core.consent import services as consents
from core.consent.models import ConsentKind
from core.extensions import db, limiter
from core.inputs import Form
from core.pages import carry_out, submit
from core.settings import current_settings
from volunteer import services
from volunteer.forms import (
    DecisionForm,
    ProfileForm,
    RegistrationForm,
    RemoveMemberForm,
    TeamForm,
    TeamSearchForm,
)
from volunteer.models import Membership, MembershipAction, MembershipStatus, TeamStatus

bp = Blueprint("volunteer", __name__)


@bp.route("/register", methods=["GET", "POST"])
@public(why="registering, before one has an account")
@limiter.limit("20 per hour", methods=["POST"], deduct_when=lambda r: r.status_code == 302)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegistrationForm(data={"phone": request.args.get("phone", "")[:20]})

    def register_and_sign_in():
        user = services.register_volunteer_with_code(
            phone=form.phone.data,
            password=form.password.data,
            display_name=form.display_name.data,
            district_id=form.district_id.data,
            code=form.code.data,
            agreed=form.consent.data,
            now=utcnow(),
            settings=current_settings().sms,
        )
        sign_in(user)
        return user

    registered = submit(
        form,
        register_and_sign_in,
        done=_("Welcome! Your volunteer account is ready."),
        then=url_for("volunteer.profile"),
    )
    return registered or render_template(
        "volunteer/register.html", form=form, **code_page_context(SmsPurpose.register)
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required(owner="self", why="every account has a name and an email")
def profile():
    profile = services.get_profile(current_user)
    form = ProfileForm(
        data={
            "display_name": current_user.display_name,
            "district_id": profile.district_id,
            "skills": profile.skills,
            "email": current_user.email,
        }
    )
    mail_enabled = current_settings().mail.enabled

    def save():
        services.update_profile(
            current_user,
            display_name=form.display_name.data,
            district_id=form.district_id.data,
            skills=form.skills.data or [],
            email=form.email.data,
        )
        # A new address gets a link that proves it (sent once the change is committed).
        return recovery.proof_after_change(current_user, now=utcnow(), mail_enabled=mail_enabled)

    saved = submit(
        form,
        save,
        done=_("Your profile has been saved."),
        then=url_for("volunteer.profile"),
        after=send_email_proof,
    )
    # get_profile makes a missing profile on the way.
    db.session.commit()
    return saved or render_template(
        "volunteer/profile.html",
        form=form,
        profile=profile,
        mail_enabled=mail_enabled,
        verify_form=Form(),
        privacy_consent=consents.find_consent(current_user, ConsentKind.privacy_notice),
        # Only volunteers check in, so only they are asked for the location consent.
        location_consent=consents.find_consent(current_user, ConsentKind.location)
        if current_user.role is Role.volunteer
        else None,
        asks_location_consent=current_user.role is Role.volunteer,
    )


# Teams (志愿服务队) and memberships ------------------------------------------------------

MEMBERSHIP_STATUS_LABELS = {
    MembershipStatus.requested: _l("Asked to join"),
    MembershipStatus.active: _l("Member"),
    MembershipStatus.refused: _l("Refused"),
    MembershipStatus.left: _l("Left"),
    MembershipStatus.removed: _l("Removed"),
}

MEMBERSHIP_ACTION_LABELS = {
    MembershipAction.founded: _l("Founded the team"),
    MembershipAction.requested: _l("Asked to join"),
    MembershipAction.approved: _l("Request approved"),
    MembershipAction.refused: _l("Request refused"),
    MembershipAction.left: _l("Left the team"),
    MembershipAction.removed: _l("Removed from the team"),
    MembershipAction.made_leader: _l("Made leader"),
}


@bp.get("/teams")
@public(why="approved teams are listed for everyone to find one")
def teams():
    search = TeamSearchForm(request.args)
    found = services.find_teams(**search.filters())
    signed_in = current_user.is_authenticated
    applied = services.list_my_applications(current_user) if signed_in else []
    return render_template(
        "volunteer/team_list.html",
        search=search,
        teams=found,
        memberships=services.list_my_memberships(current_user) if signed_in else [],
        # Approved ones are among the memberships already.
        applications=[t for t in applied if t.status is not TeamStatus.approved],
        can_found=signed_in and current_user.role is Role.volunteer,
        status_labels=MEMBERSHIP_STATUS_LABELS,
    )


@bp.get("/teams/<int:team_id>")
@public(why="an approved team's page is public; an application only its founder and the office see")
def team(team_id: int):
    shown = services.visible_team(current_user, team_id)
    user = current_user if current_user.is_authenticated else None
    membership = services.find_membership(user, team_id) if user else None
    manages = shown.status is TeamStatus.approved and services.manages_team(user, team_id)
    return render_template(
        "volunteer/team_detail.html",
        team=shown,
        membership=membership,
        is_open=shown.status is TeamStatus.approved,
        can_join=services.may_ask_to_join(user, shown, membership),
        can_leave=membership is not None and membership.status is MembershipStatus.active,
        manages=manages,
        join_requests=services.list_join_requests(user, team_id) if manages else [],
        members=services.list_members(user, team_id) if manages else [],
        can_add_activity=manages and "events.new_activity" in current_app.view_functions,
        status_labels=MEMBERSHIP_STATUS_LABELS,
    )


@bp.route("/teams/new", methods=["GET", "POST"])
@role_required(Role.volunteer)
def new_team():
    form = TeamForm()
    applied = submit(
        form,
        lambda: services.apply_for_team(
            current_user,
            name=form.name.data,
            district_id=form.district_id.data,
            categories=form.categories.data or [],
            description=form.description.data,
            now=utcnow(),
        ),
        done=_("Your application has been sent to the office for approval."),
        then=url_for("volunteer.teams"),
    )
    return applied or render_template("volunteer/team_new.html", form=form)


@bp.post("/teams/<int:team_id>/join")
@login_required(why="a non-volunteer is told on the team's page that only volunteers join")
def join_team(team_id: int):
    services.visible_team(current_user, team_id)
    return carry_out(
        lambda: services.request_to_join(current_user, team_id, now=utcnow()),
        done=_("Your request has been sent to the team's leaders."),
        then=url_for("volunteer.team", team_id=team_id),
    )


@bp.post("/teams/<int:team_id>/leave")
@role_required(Role.volunteer)
def leave_team(team_id: int):
    services.visible_team(current_user, team_id)
    return carry_out(
        lambda: services.leave_team(current_user, team_id, now=utcnow()),
        done=(_("You have left the team."), "info"),
        then=url_for("volunteer.team", team_id=team_id),
    )


@bp.post("/memberships/<int:membership_id>/decide")
@role_required(Who.leader, Role.office, owner="team")
def decide_join_request(membership_id: int):
    team_id = services.managed_membership(current_user, membership_id).team_id
    form = DecisionForm()
    return carry_out(
        lambda: services.decide_join_request(
            current_user, membership_id, approve=form.approve, reason=form.reason.data, now=utcnow()
        ),
        form=form,
        done=lambda _decided: (
            _("Welcome aboard: the volunteer is now a member.")
            if form.approve
            else _("The request has been refused.")
        ),
        then=url_for("volunteer.team", team_id=team_id),
    )


@bp.post("/memberships/<int:membership_id>/remove")
@role_required(Who.leader, Role.office, owner="team")
def remove_member(membership_id: int):
    team_id = services.managed_membership(current_user, membership_id).team_id
    form = RemoveMemberForm()
    return carry_out(
        lambda: services.remove_member(
            current_user, membership_id, reason=form.reason.data, now=utcnow()
        ),
        form=form,
        done=(_("The volunteer has been removed from the team."), "info"),
        then=url_for("volunteer.team", team_id=team_id),
    )


@bp.post("/memberships/<int:membership_id>/make-leader")
@role_required(Who.leader, Role.office, owner="team")
def make_leader(membership_id: int):
    team_id = services.managed_membership(current_user, membership_id).team_id
    return carry_out(
        lambda: services.make_leader(current_user, membership_id, now=utcnow()),
        done=_("The volunteer is now a leader of the team."),
        then=url_for("volunteer.team", team_id=team_id),
    )


@bp.get("/memberships/<int:membership_id>/history")
@role_required(Role.volunteer, Role.office, owner="self")
def membership_history(membership_id: int):
    events = services.membership_history(current_user, membership_id)
    return render_template(
        "volunteer/team_history.html",
        membership=db.session.get(Membership, membership_id),
        events=events,
        action_labels=MEMBERSHIP_ACTION_LABELS,
        status_labels=MEMBERSHIP_STATUS_LABELS,
    )


def _team_queue_page(failed_id: int | None = None, failed_form: DecisionForm | None = None):
    pending = services.list_teams_to_decide(current_user)
    forms = {}
    for application in pending:
        form = failed_form if application.id == failed_id else DecisionForm(formdata=None)
        # One form per application on the page: give each its own element ids.
        form.reason.id = f"reason-{application.id}"
        forms[application.id] = form
    return render_template("volunteer/team_queue.html", teams=pending, forms=forms)


@bp.get("/office/teams")
@role_required(Role.office)
def team_queue():
    return _team_queue_page()


@bp.post("/office/teams/<int:team_id>/decide")
@role_required(Role.office)
def decide_team(team_id: int):
    form = DecisionForm()
    decided = submit(
        form,
        lambda: services.decide_team(
            current_user, team_id, approve=form.approve, reason=form.reason.data, now=utcnow()
        ),
        done=lambda team: (
            _("%(name)s has been approved.", name=team.name)
            if form.approve
            else (_("%(name)s has been rejected.", name=team.name), "info")
        ),
        then=url_for("volunteer.team_queue"),
        refused_to=url_for("volunteer.team_queue"),
    )
    return decided or _team_queue_page(team_id, form)
