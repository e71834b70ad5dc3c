"""Gifting pages (积分转赠): the volunteer's family links and the give page, and the office's
charity pools with the award form."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.pages import carry_out, submit
from core.rows import Window
from core.settings import current_settings
from points import services
from points.forms import new_key
from points.gift_forms import (
    GIFT_KIND_LABELS,
    LINK_STATUS_LABELS,
    RELATION_LABELS,
    AnswerForm,
    FamilyLinkForm,
    GiveForm,
    PoolAwardForm,
)
from points.gift_models import LinkStatus
from volunteer import services as volunteers

bp = Blueprint("points_gifts", __name__)

# The give page lists this many of the latest gifts; the office's pools page this many awards.
GIFTS_SHOWN = 20
AWARDS_SHOWN = 20


@bp.context_processor
def _labels():
    return {
        "relation_labels": RELATION_LABELS,
        "link_status_labels": LINK_STATUS_LABELS,
        "gift_kind_labels": GIFT_KIND_LABELS,
        "LinkStatus": LinkStatus,
    }


# Family links ---------------------------------------------------------------------------------


@bp.route("/points/family", methods=["GET", "POST"])
@role_required(Role.volunteer, owner="self")
def family():
    form = FamilyLinkForm()
    asked = submit(
        form,
        lambda: services.request_link(
            current_user, phone=form.phone.data, relation=form.relation_value, now=utcnow()
        ),
        done=lambda link: _(
            "%(name)s is asked to confirm the link.", name=link.relative.display_name
        ),
        then=url_for(".family"),
    )
    if asked is not None:
        return asked
    page = render_template(
        "points/family.html",
        form=form,
        links=services.family_of(current_user),
        answer_form=AnswerForm(formdata=None),
    )
    return page, form.status


@bp.post("/points/family/<int:link_id>/answer")
@role_required(Role.volunteer, owner="self")
def answer_link(link_id: int):
    form = AnswerForm()
    return carry_out(
        lambda: services.answer_link(current_user, link_id, accept=form.accept, now=utcnow()),
        form=form,
        done=lambda link: (
            _("You are linked with %(name)s.", name=link.requester.display_name)
            if link.status is LinkStatus.confirmed
            else (_("The request is declined."), "info")
        ),
        then=url_for(".family"),
    )


@bp.post("/points/family/<int:link_id>/end")
@role_required(Role.volunteer, owner="self")
def end_link(link_id: int):
    return carry_out(
        lambda: services.end_link(current_user, link_id, now=utcnow()),
        done=(_("The family link has ended."), "info"),
        then=url_for(".family"),
    )


# Giving ---------------------------------------------------------------------------------------


@bp.route("/points/give", methods=["GET", "POST"])
@role_required(Role.volunteer, owner="self")
def give():
    form = GiveForm(services.family_members(current_user), services.donation_teams(current_user))
    if request.method == "GET" or not form.key.data:
        form.key.data = new_key()
    cap = current_settings().gift_monthly_cap
    given = submit(
        form,
        lambda: services.give_points(
            current_user,
            **form.target,
            amount=form.amount.data,
            note=form.note.data or "",
            key=form.key.data,
            now=utcnow(),
            monthly_cap=cap,
        ),
        done=lambda made: (
            _("You gave %(points)d points.", points=made[0].amount)
            if made[1]
            else (_("This gift was made already."), "info")
        ),
        then=url_for("points.my_points"),
    )
    if given is not None:
        return given
    page = render_template(
        "points/give.html",
        form=form,
        balance=services.balance_of(current_user),
        allowance=services.gift_allowance(current_user, now=utcnow(), monthly_cap=cap),
        cap=cap,
        gifts=services.gifts_of(current_user, window=Window(size=GIFTS_SHOWN)),
    )
    return page, form.status


# The office: charity pools --------------------------------------------------------------------


@bp.route("/points/pools", methods=["GET", "POST"])
@role_required(Role.office)
def pools():
    found = services.pools()
    form = PoolAwardForm(found)
    if request.method == "GET" or not form.key.data:
        form.key.data = new_key()

    def award_by_phone():
        volunteer = volunteers.get_volunteer_by_phone(form.phone.data)
        return services.award_from_pool(
            current_user,
            team_id=form.team_id,
            recipient_id=volunteer.id,
            amount=form.amount.data,
            reason=form.reason.data or "",
            key=form.key.data,
            now=utcnow(),
        )

    awarded = submit(
        form,
        award_by_phone,
        done=lambda made: _(
            "%(points)d points awarded to %(name)s.",
            points=made[0].amount,
            name=made[0].recipient.display_name,
        ),
        then=url_for(".pools"),
    )
    if awarded is not None:
        return awarded
    page = render_template(
        "points/pools.html",
        form=form,
        pools=found,
        awards=services.list_awards(current_user, window=Window(size=AWARDS_SHOWN)),
    )
    return page, form.status
