"""Pages of the flowers of Lei Feng day (学雷锋日送鲜花): a flowers campaign's delivery tasks
for its clerks (made from the list, planned to a courier company or a shift for a day, a
failed one planned again) and one task with its attempts; the phone-first page of whoever
delivers (the address and phone shown there only, delivered with the camera's photo or not
with the reason); the public's recommendation of a "Lei Feng near you" in February with their
own, and the clerks' screening of them."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from care.flower_forms import (
    AcceptForm,
    DeclineForm,
    DeliveredForm,
    FailedForm,
    PlanForm,
    RecommendForm,
)
from care.flower_models import DeliveryStatus, RecommendationStatus
from care.models import CareKind
from care.services import campaigns, flower_desk, flowers, recommendations
from care.views import page_count, page_number, window_of
from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.pages import back_to, carry_out, submit
from core.regions import RegionLevel, region_choices
from core.rows import commit_keeping_loaded
from core.settings import current_settings
from honours.models import ViewChannel

bp = Blueprint("care_flowers", __name__)
# Clerks are accounts holding an assignment to a region; the services keep each task and
# recommendation to the clerks of the person's region and the city. A campaign is the whole
# city's: every clerk reads it and sees their own region's part of it.
CLERKS = (Role.volunteer, Role.office)
# Whoever delivers: a courier company's staff (partner staff, or a caring merchant's staff
# linked to the partner), a team's leader, a volunteer with a seat on the shift.
DELIVERERS = (Role.volunteer, Who.partner_staff)
# A task's page: its clerks, and whoever delivers it.
TASK_READERS = (Role.volunteer, Role.office, Who.partner_staff)
TASK_READERS_WHY = "a task is read by its clerks and by whoever delivers it"
RECOMMENDERS = "anyone signed in with a verified phone recommends a Lei Feng near them"


@bp.app_template_global()
def delivers_flowers() -> bool:
    """Whether the signed-in user has flowers to deliver, for the way to their page."""
    return current_user.is_authenticated and flower_desk.has_tasks(current_user, utcnow())


def _status(kind):
    wanted = request.args.get("status", "")
    return kind(wanted) if wanted in kind._value2member_map_ else None


def _plan_form(formdata=None) -> PlanForm:
    now = utcnow()
    return PlanForm(
        formdata=formdata,
        couriers=flower_desk.list_couriers(),
        shifts=flower_desk.upcoming_shifts(now),
        day=local_day(now),
    )


# The clerks' deliveries -------------------------------------------------------------------


@bp.get("/care/campaigns/<int:care_campaign_id>/deliveries")
@role_required(*CLERKS)
def deliveries(care_campaign_id: int):
    now = utcnow()
    care = campaigns.get_care_campaign(current_user, care_campaign_id, now=now)
    status, number = _status(DeliveryStatus), page_number()
    found = flowers.list_deliveries(
        current_user, care.id, window_of(number), now=now, status=status
    )
    return render_template(
        "care/flowers_deliveries.html",
        care=care,
        is_flowers=care.kind is CareKind.flowers,
        found=found,
        status=status,
        statuses=DeliveryStatus,
        number=number,
        pages=page_count(found.total),
        form=_plan_form(),
    )


@bp.post("/care/campaigns/<int:care_campaign_id>/deliveries/make")
@role_required(*CLERKS)
def make_deliveries(care_campaign_id: int):
    return carry_out(
        lambda: flowers.make_deliveries(current_user, care_campaign_id, now=utcnow()),
        done=lambda made: ngettext(
            "%(num)d delivery task is made.", "%(num)d delivery tasks are made.", made
        ),
        then=url_for(".deliveries", care_campaign_id=care_campaign_id),
    )


@bp.post("/care/campaigns/<int:care_campaign_id>/deliveries/plan")
@role_required(*CLERKS)
def plan_several(care_campaign_id: int):
    form = _plan_form(request.form)
    return carry_out(
        lambda: flower_desk.plan_deliveries(
            current_user,
            form.delivery_ids.data or [],
            deliver_on=form.deliver_on.data,
            courier_id=form.courier_id.data,
            shift_id=form.chosen_shift_id,
            now=utcnow(),
        ),
        form=form,
        done=lambda planned: ngettext(
            "%(num)d task is planned.", "%(num)d tasks are planned.", planned
        ),
        then=url_for(".deliveries", care_campaign_id=care_campaign_id),
    )


@bp.get("/care/deliveries/<int:delivery_id>")
@role_required(*TASK_READERS, owner="self", why=TASK_READERS_WHY)
def delivery(delivery_id: int):
    now = utcnow()
    found = flowers.get_delivery(current_user, delivery_id, now=now)
    return render_template(
        "care/flowers_delivery.html",
        delivery=found,
        is_clerk=flower_desk.clerks_for(current_user, found, now=now),
        form=_plan_form() if flower_desk.may_plan(current_user, found, now=now) else None,
    )


@bp.post("/care/deliveries/<int:delivery_id>/plan")
@role_required(*CLERKS, owner="self")
def plan_one(delivery_id: int):
    form = _plan_form(request.form)
    return carry_out(
        lambda: flowers.plan_delivery(
            current_user,
            delivery_id,
            deliver_on=form.deliver_on.data,
            courier_id=form.courier_id.data,
            shift_id=form.chosen_shift_id,
            now=utcnow(),
        ),
        form=form,
        done=_("The task is planned."),
        then=url_for(".delivery", delivery_id=delivery_id),
    )


# Whoever delivers -------------------------------------------------------------------------


@bp.get("/care/my-deliveries")
@role_required(*DELIVERERS, owner="self")
def my_deliveries():
    number = page_number()
    found = flowers.my_tasks(
        current_user,
        window_of(number),
        now=utcnow(),
        place="care_flowers.my_deliveries",
        channel=ViewChannel.page,
    )
    # The whole views of the addresses are logged even though the page changes nothing else.
    commit_keeping_loaded()
    return render_template(
        "care/flowers_mine.html",
        found=found,
        number=number,
        pages=page_count(found.total),
        delivered_form=DeliveredForm(formdata=None),
        failed_form=FailedForm(formdata=None),
    )


@bp.post("/care/deliveries/<int:delivery_id>/delivered")
@role_required(*DELIVERERS, owner="self")
def delivered(delivery_id: int):
    form = DeliveredForm()
    stream, filename = form.photo_file()
    return carry_out(
        lambda: flower_desk.deliver_with_photo(
            current_user,
            delivery_id,
            stream,
            filename,
            now=utcnow(),
            settings=current_settings().uploads,
        ),
        form=form,
        done=lambda found: _("Delivered to %(name)s: thank you.", name=found.target.person.name),
        then=url_for(".my_deliveries"),
    )


@bp.post("/care/deliveries/<int:delivery_id>/failed")
@role_required(*DELIVERERS, owner="self")
def failed(delivery_id: int):
    form = FailedForm()
    return carry_out(
        lambda: flowers.record_failed(
            current_user, delivery_id, form.fail_reason, note=form.note.data or "", now=utcnow()
        ),
        form=form,
        done=_("Recorded as not delivered; the clerk plans it again."),
        then=url_for(".my_deliveries"),
    )


# Recommendations ----------------------------------------------------------------------------


@bp.route("/care/recommend", methods=["GET", "POST"])
@login_required(owner="self", why=RECOMMENDERS)
def recommend():
    now = utcnow()
    verified = current_user.phone_verified_at is not None
    care = recommendations.open_campaign(now)
    form = RecommendForm(regions=region_choices((RegionLevel.community,)))
    done = (
        verified
        and care is not None
        and submit(
            form,
            lambda: recommendations.recommend(
                current_user,
                name=form.name.data,
                region_id=form.region_id.data,
                deeds=form.deeds.data,
                now=now,
            ),
            done=_("Thank you: the community's clerks read your recommendation."),
            then=url_for(".recommend"),
        )
    )
    return done or (
        render_template(
            "care/flowers_recommend.html",
            form=form,
            verified=verified,
            care=care,
            mine=recommendations.my_recommendations(current_user),
            deeds_min=recommendations.MIN_DEEDS,
            deeds_max=recommendations.MAX_DEEDS,
        ),
        form.status,
    )


@bp.get("/care/campaigns/<int:care_campaign_id>/recommendations")
@role_required(*CLERKS)
def recommendation_list(care_campaign_id: int):
    now = utcnow()
    care = campaigns.get_care_campaign(current_user, care_campaign_id, now=now)
    status, number = _status(RecommendationStatus), page_number()
    found = recommendations.list_recommendations(
        current_user, care.id, window_of(number), now=now, status=status
    )
    screening = request.args.get("screen", type=int)
    query = request.args.get("q", "").strip()
    candidates = (
        flower_desk.person_candidates(current_user, query, now=now)
        if screening is not None and query
        else None
    )
    return render_template(
        "care/flowers_recommendations.html",
        care=care,
        found=found,
        status=status,
        statuses=RecommendationStatus,
        number=number,
        pages=page_count(found.total),
        screening=screening,
        query=query,
        candidates=candidates,
        accept_form=AcceptForm(formdata=None),
        decline_form=DeclineForm(formdata=None),
    )


def _to_list(recommendation) -> str:
    return url_for(".recommendation_list", care_campaign_id=recommendation.care_campaign_id)


@bp.post("/care/recommendations/<int:recommendation_id>/accept")
@role_required(*CLERKS, owner="self")
def accept(recommendation_id: int):
    form = AcceptForm()
    return carry_out(
        lambda: recommendations.accept_recommendation(
            current_user,
            recommendation_id,
            form.person_id.data,
            note=form.note.data or "",
            now=utcnow(),
        ),
        form=form,
        done=lambda found: _("%(name)s is on the list for flowers.", name=found.target.person.name),
        then=_to_list,
        refused_to=back_to(url_for("care.campaign_list")),
    )


@bp.post("/care/recommendations/<int:recommendation_id>/decline")
@role_required(*CLERKS, owner="self")
def decline(recommendation_id: int):
    form = DeclineForm()
    return carry_out(
        lambda: recommendations.decline_recommendation(
            current_user, recommendation_id, note=form.note.data, now=utcnow()
        ),
        form=form,
        done=_("The recommendation is not accepted; its author sees why."),
        then=_to_list,
        refused_to=back_to(url_for("care.campaign_list")),
    )
