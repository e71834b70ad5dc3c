"""Pages of the review of nominations level by level: the review queue, and the actions of the
review on a nomination's page (a step, a declared conflict of interest, a background check).
The nomination's page (honours/nomination_views.py) shows them through its slots
`_review.html` and `_background.html`, which ask the template globals registered here."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_zone, utcnow
from core.pages import back_to, carry_out
from core.rows import Window
from core.workdays import load_calendar
from honours.nomination_models import CHECK_RESULT_LABELS
from honours.review_forms import BackgroundCheckForm, ConflictForm, ReviewForm
from honours.services import background, review
from honours.services.pipeline import readable_nomination

bp = Blueprint("honours_review", __name__)
PAGE_SIZE = 50
# Clerks and panel reviewers are accounts holding an assignment (core.auth.assignments); the
# services keep each to the nominations of their level and region, the city acts at its own.
REVIEWERS = (Role.volunteer, Role.office)


def _review_slot(nomination):
    """What the nomination's page offers the signed-in user at its review level."""
    return review.review_options(current_user, nomination, utcnow(), load_calendar(), local_zone())


def _checks_slot(nomination):
    """The nomination's background checks as its page shows them, or None for one who may not
    read them."""
    return background.checks_view(current_user, nomination, utcnow())


@bp.record_once
def _register_slots(state) -> None:
    state.app.add_template_global(_review_slot, "review_slot")
    state.app.add_template_global(_checks_slot, "checks_slot")
    state.app.add_template_global(CHECK_RESULT_LABELS, "check_result_labels")


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


@bp.get("/honours/review")
@role_required(*REVIEWERS, owner="self")
def queue():
    number = _page_number()
    found = review.list_review_queue(
        current_user,
        Window((number - 1) * PAGE_SIZE, PAGE_SIZE),
        now=utcnow(),
        calendar=load_calendar(),
        zone=local_zone(),
    )
    return render_template(
        "honours/review/queue.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
    )


@bp.post("/honours/nominations/<int:nomination_id>/review")
@role_required(*REVIEWERS, owner="self")
def take_step(nomination_id: int):
    readable_nomination(current_user, nomination_id, utcnow())
    form = ReviewForm()
    return carry_out(
        lambda: review.review(
            current_user,
            nomination_id,
            form.action.data,
            opinion=form.opinion.data,
            checklist=form.checklist.data or [],
            declared_no_conflict=form.declared_no_conflict.data,
            now=utcnow(),
        ),
        form=form,
        done=lambda step: _(
            "Done: the nomination is now at “%(stage)s”.", stage=step.to_stage.label
        ),
        then=back_to(url_for("nominations.detail", nomination_id=nomination_id)),
    )


@bp.post("/honours/nominations/<int:nomination_id>/conflict")
@role_required(*REVIEWERS, owner="self")
def declare_conflict(nomination_id: int):
    readable_nomination(current_user, nomination_id, utcnow())
    form = ConflictForm()
    return carry_out(
        lambda: review.declare_conflict(
            current_user, nomination_id, form.reason.data, now=utcnow()
        ),
        form=form,
        done=_("Your conflict of interest is recorded: others act on this nomination."),
        then=back_to(url_for("nominations.detail", nomination_id=nomination_id)),
    )


@bp.post("/honours/nominations/<int:nomination_id>/background-checks")
@role_required(*REVIEWERS, owner="self")
def record_check(nomination_id: int):
    readable_nomination(current_user, nomination_id, utcnow())
    form = BackgroundCheckForm()
    return carry_out(
        lambda: background.record_check(
            current_user, nomination_id, form.agency.data, form.values(), now=utcnow()
        ),
        form=form,
        done=_("The background check is recorded."),
        then=back_to(url_for("nominations.detail", nomination_id=nomination_id)),
    )
