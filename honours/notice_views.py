"""Pages of the public notice (公示): the notices and a notice's entries for everyone (limited
per client address, counted with the notice's API), an entry's photo while it is shown; the
like button and the real-name objection form; the objector's own objections; the clerks' list
of objections and the answer; the city's page of a round's notice, where it is opened.

The nomination's page (honours/nominations/detail) shows the notice's part through the
`notice_of_nomination` template global registered here."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from core.auth.access import login_required, public, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.extensions import limiter
from core.pages import back_to, carry_out, submit
from core.rows import Window
from core.settings import current_settings
from core.uploads.views import file_response
from honours.notice_forms import (
    AnswerForm,
    LikeForm,
    ObjectionFilterForm,
    ObjectionForm,
    OpenNoticeForm,
)
from honours.services import notice

bp = Blueprint("notice", __name__)
PAGE_SIZE = 50
# Clerks are accounts holding an assignment (core.auth.assignments); the services keep each
# to their district, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)

# One allowance per client address for the notices' pages, photos and API together, as the
# honour roll has.
notice_limit = limiter.shared_limit(
    lambda: current_app.config["NOTICE_REQUESTS_PER_ADDRESS"],
    scope="honour-notice",
    key_func=get_remote_address,
)


@bp.record_once
def _register_slot(state) -> None:
    # The nomination's page includes honours/nominations/_objections.html, which asks this.
    state.app.add_template_global(notice.notice_of_nomination, "notice_of_nomination")


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


def _is_verified() -> bool:
    return current_user.is_authenticated and current_user.phone_verified_at is not None


# For everyone -----------------------------------------------------------------------------------


@bp.get("/notices")
@public(why="the public notices (公示) are public, with nominees who agreed to be shown")
@notice_limit
def notices():
    return render_template(
        "honours/notice/notices.html", notices=notice.list_public_notices(utcnow())
    )


@bp.get("/notices/<int:round_id>")
@public(why="a public notice (公示) is public; a round without one is not found")
@notice_limit
def notice_page(round_id: int):
    return render_template(
        "honours/notice/notice.html",
        notice=notice.get_public_notice(round_id, utcnow()),
        form=LikeForm(),
        is_verified=_is_verified(),
        contact=current_settings().honours,
    )


@bp.get("/notices/<int:round_id>/photos/<int:nomination_id>")
@public(why="the photo of an entry on a public notice, while the notice shows the entry")
@notice_limit
def photo(round_id: int, nomination_id: int):
    return file_response(notice.get_public_photo(round_id, nomination_id, utcnow()))


@bp.post("/notices/entries/<int:nomination_id>/like")
@login_required(why="any account with a verified phone may like an entry while its notice runs")
def like(nomination_id: int):
    form = LikeForm()
    target = back_to(url_for(".notices"))
    return carry_out(
        lambda: notice.like(current_user, nomination_id, now=utcnow()),
        form=form,
        done=lambda result: (
            _("Thank you: your like is counted.")
            if result.counted
            else (_("You liked this entry today already; come back tomorrow."), "info")
        ),
        then=target,
    )


@bp.route("/notices/entries/<int:nomination_id>/objection", methods=["GET", "POST"])
@login_required(why="any account with a verified phone may object, by real name, to an entry")
def objection_form(nomination_id: int):
    now = utcnow()
    entry = notice.get_public_entry(nomination_id, now)
    form = ObjectionForm()
    form.is_name_confirmed.label.text = _(
        "I object under my real name, %(name)s, with my verified mobile number.",
        name=current_user.display_name,
    )
    done = submit(
        form,
        lambda: notice.file_objection(
            current_user,
            nomination_id,
            form.text.data,
            is_name_confirmed=form.is_name_confirmed.data,
            now=now,
        ),
        done=lambda objection: _(
            "Your objection is filed. The district answers it by %(day)s.",
            day=objection.due_on.isoformat(),
        ),
        then=url_for(".my_objections"),
    )
    return done or (
        render_template(
            "honours/notice/objection_form.html",
            form=form,
            entry=entry,
            is_verified=_is_verified(),
            contact=current_settings().honours,
        ),
        form.status,
    )


@bp.get("/me/objections")
@login_required(owner="self", why="the objections one filed and their answers are theirs")
def my_objections():
    number = _page_number()
    found = notice.list_my_objections(current_user, Window((number - 1) * PAGE_SIZE, PAGE_SIZE))
    return render_template(
        "honours/notice/my_objections.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
    )


# For the districts and the city -----------------------------------------------------------------


@bp.get("/honours/objections")
@role_required(*CLERKS, owner="self")
def objections():
    form = ObjectionFilterForm(request.args)
    is_answered = form.is_answered if form.validate() else None
    number = _page_number()
    now = utcnow()
    found = notice.list_objections(
        current_user,
        Window((number - 1) * PAGE_SIZE, PAGE_SIZE),
        now=now,
        is_answered=is_answered,
    )
    return render_template(
        "honours/notice/objections.html",
        form=form,
        found=found,
        overdue={o.id for o in found.items if notice.is_overdue(o, now)},
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query={k: v for k, v in request.args.items() if k != "page" and v},
    )


@bp.route("/honours/objections/<int:objection_id>", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def objection(objection_id: int):
    now = utcnow()
    found = notice.get_objection(current_user, objection_id, now)
    form = AnswerForm()
    done = submit(
        form,
        lambda: notice.answer_objection(
            current_user, objection_id, form.outcome.data, form.answer.data, now=now
        ),
        done=_("The answer is saved; the objector can read it."),
        then=url_for(".objection", objection_id=objection_id),
        refused_to=url_for(".objection", objection_id=objection_id),
    )
    return done or (
        render_template(
            "honours/notice/objection.html",
            objection=found,
            form=form,
            can_answer=found.outcome is None and notice.answers(current_user, found, now),
            is_overdue=notice.is_overdue(found, now),
        ),
        form.status,
    )


@bp.route("/honours/rounds/<int:round_id>/notice", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def round_notice(round_id: int):
    now = utcnow()
    overview = notice.notice_overview(
        current_user, round_id, now=now, settings=current_settings().notice
    )
    form = OpenNoticeForm()
    form.nomination_ids.choices = [
        (c.nomination.id, c.nomination.nominee_name) for c in overview.candidates
    ]
    done = submit(
        form,
        lambda: notice.open_notice(current_user, round_id, form.nomination_ids.data or [], now=now),
        done=lambda opened: _(
            "The notice is open until %(day)s.", day=local_day(opened.closes_at).isoformat()
        ),
        then=url_for(".round_notice", round_id=round_id),
        refused_to=url_for(".round_notice", round_id=round_id),
    )
    return done or (
        render_template(
            "honours/notice/round_notice.html",
            overview=overview,
            form=form,
            settings=current_settings().notice,
        ),
        form.status,
    )
