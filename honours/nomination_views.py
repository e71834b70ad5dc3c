"""Pages of nominations (推荐): the clerk's list and one's own; a nomination by each channel (a
community's or sector's draft, a media case, a clerk's lead from the email or hotline, the
public form); a nomination's page with its steps and the slots the later stages fill; changing
a draft, matching the nominee to the register, submitting, files, merging and withdrawing."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.errors import NotFound
from core.extensions import db
from core.inputs import Form
from core.pages import carry_out, submit
from core.regions import RegionLevel, list_sectors, region_choices
from core.rows import Window
from core.settings import current_settings
from honours.models import ViewChannel
from honours.nomination_forms import (
    DraftForm,
    FileForm,
    LeadForm,
    MatchForm,
    MediaForm,
    NominationFilterForm,
    PublicForm,
    ReasonForm,
    TerritorialForm,
)
from honours.nomination_models import Channel, Stage
from honours.services import nomination_access as access
from honours.services import nomination_endings as endings
from honours.services import nomination_matching as matching
from honours.services import nomination_reading as reading
from honours.services import nominations
from honours.services.nominations import DEEDS_MAX, DEEDS_MIN, SUMMARY_MAX
from honours.services.scope import scope_of

bp = Blueprint("nominations", __name__)
PAGE_SIZE = 50
# Clerks, editors and reviewers are accounts holding an assignment (core.auth.assignments);
# the services say who of them acts where, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)
PLACES = (RegionLevel.district, RegionLevel.town, RegionLevel.community)
COMMUNITIES = (RegionLevel.community,)
READERS = "who filed a nomination reads it, as do the clerks of its region and the city"
FILERS = "who filed a nomination adds its files and withdraws it, not only clerks"
LIMITS = {"summary_max": SUMMARY_MAX, "deeds_min": DEEDS_MIN, "deeds_max": DEEDS_MAX}


@bp.app_context_processor
def _nominates():
    # Asked only where a template offers the way in (the profile), not on every page.
    def handles() -> bool:
        return current_user.is_authenticated and (
            scope_of(current_user, utcnow()).is_clerk
            or access.may_draft(current_user, utcnow())
            or access.is_media_editor(current_user, utcnow())
        )

    return {"handles_nominations": handles}


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


def _window(number: int) -> Window:
    return Window((number - 1) * PAGE_SIZE, PAGE_SIZE)


def _pages(found) -> int:
    return max(1, -(-found.total // PAGE_SIZE))


def _communities_of(user) -> list:
    """The communities a clerk may name: all for the city, else those in their regions."""
    scope = scope_of(user, utcnow())
    return [
        (region_id, label)
        for region_id, label in region_choices(COMMUNITIES)
        if scope.is_city or region_id in scope.regions
    ]


# Lists ---------------------------------------------------------------------------------------


@bp.get("/honours/nominations")
@role_required(*CLERKS, owner="self")
def list_page():
    now = utcnow()
    if not scope_of(current_user, now).is_clerk and not access.may_draft(current_user, now):
        raise NotFound()
    form = NominationFilterForm(request.args, rounds=reading.list_round_choices())
    valid = form.validate()
    filters = reading.NominationFilter(
        round_id=form.round_id.data if valid else None,
        stage=Stage(form.stage.data) if valid and form.stage.data else None,
        channel=Channel(form.channel.data) if valid and form.channel.data else None,
        is_flagged=bool(valid and form.is_flagged.data),
    )
    number = _page_number()
    found = reading.list_nominations(current_user, filters, _window(number), now=now)
    return render_template(
        "honours/nominations/list.html",
        form=form,
        found=found,
        number=number,
        pages=_pages(found),
        query={k: v for k, v in request.args.items() if k != "page" and v},
        may_draft=access.may_draft(current_user, now),
        may_enter_leads=access.may_enter_leads(current_user, now),
        is_editor=access.is_media_editor(current_user, now),
    )


@bp.get("/honours/nominations/mine")
@login_required(owner="self", why="everyone reads the nominations they filed")
def mine():
    number = _page_number()
    found = reading.list_my_nominations(current_user, _window(number))
    return render_template(
        "honours/nominations/mine.html",
        found=found,
        number=number,
        pages=_pages(found),
        is_editor=access.is_media_editor(current_user, utcnow()),
    )


# New nominations -----------------------------------------------------------------------------


def _to_page(nomination) -> str:
    return url_for(".detail", nomination_id=nomination.id)


@bp.route("/honours/nominations/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_territorial():
    now = utcnow()
    if not access.may_draft(current_user, now):
        raise NotFound()
    own = access.sector_ids(current_user, now)
    is_city = scope_of(current_user, now).is_city
    form = TerritorialForm(
        rounds=access.list_open_rounds(now),
        regions=region_choices(PLACES) if is_city or own else _communities_of(current_user),
        sectors=[(s.id, s.label) for s in list_sectors() if is_city or s.id in own],
    )
    done = submit(
        form,
        lambda: nominations.draft_nomination(current_user, form.values(), now=utcnow()),
        done=_("The draft is saved: match the nominee to the register, then submit it."),
        then=_to_page,
    )
    return done or (
        render_template("honours/nominations/new.html", form=form, channel="territorial", **LIMITS),
        form.status,
    )


@bp.route("/honours/nominations/new/media", methods=["GET", "POST"])
@role_required(Role.volunteer, owner="self")
def new_media():
    if not access.is_media_editor(current_user, utcnow()):
        raise NotFound()
    form = MediaForm(rounds=access.list_open_rounds(utcnow()), regions=region_choices(PLACES))
    done = submit(
        form,
        lambda: nominations.file_media_nomination(
            current_user,
            form.values(),
            now=utcnow(),
            incoming=form.files(),
            settings=current_settings().uploads,
        ),
        done=_("The case is filed with the city's civilization office."),
        then=_to_page,
    )
    return done or (
        render_template("honours/nominations/new.html", form=form, channel="media", **LIMITS),
        form.status,
    )


@bp.route("/honours/nominations/new/lead", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_lead():
    if not access.may_enter_leads(current_user, utcnow()):
        raise NotFound()
    form = LeadForm(rounds=access.list_open_rounds(utcnow()), regions=_communities_of(current_user))
    done = submit(
        form,
        lambda: nominations.enter_lead(current_user, form.values(), now=utcnow()),
        done=_("The lead is entered: it waits at the nominee's community."),
        then=_to_page,
    )
    return done or (
        render_template("honours/nominations/new.html", form=form, channel="lead", **LIMITS),
        form.status,
    )


@bp.route("/honours/nominate", methods=["GET", "POST"])
@login_required(owner="self", why="anyone signed in with a verified phone nominates a good person")
def nominate():
    verified = current_user.phone_verified_at is not None
    form = PublicForm(rounds=access.list_open_rounds(utcnow()), regions=region_choices(COMMUNITIES))
    done = verified and submit(
        form,
        lambda: nominations.nominate(
            current_user,
            form.values(),
            now=utcnow(),
            incoming=form.files(),
            settings=current_settings().uploads,
        ),
        done=_("Thank you: your nomination goes to the nominee's community for a check."),
        then=_to_page,
    )
    return done or (
        render_template(
            "honours/nominations/public.html",
            form=form,
            verified=verified,
            contact=current_settings().honours,
            **LIMITS,
        ),
        form.status,
    )


# One nomination -----------------------------------------------------------------------------


@bp.get("/honours/nominations/<int:nomination_id>")
@login_required(owner="self", why=READERS)
def detail(nomination_id: int):
    now = utcnow()
    shown = reading.show_nomination(
        current_user, nomination_id, now=now, channel=ViewChannel.page, place="nominations.detail"
    )
    # The whole view is logged even though the page changes nothing else.
    db.session.commit()
    return render_template(
        "honours/nominations/detail.html",
        detail=shown,
        nomination=shown.nomination,
        now=now,
        file_form=FileForm(formdata=None),
        reason_form=ReasonForm(formdata=None),
    )


@bp.route("/honours/nominations/<int:nomination_id>/edit", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def edit(nomination_id: int):
    now = utcnow()
    nomination = access.readable(current_user, nomination_id, now)
    if not access.may_edit(current_user, nomination, now):
        raise NotFound()
    regions = (
        region_choices(PLACES)
        if nomination.sector_id or scope_of(current_user, now).is_city
        else _communities_of(current_user)
    )
    form = DraftForm(obj=None if request.method == "POST" else nomination, regions=regions)
    if request.method == "GET":
        for name in ("nominee_gender", "category"):
            value = getattr(nomination, name)
            form[name].data = value.value if value else ""
    done = submit(
        form,
        lambda: nominations.update_draft(current_user, nomination_id, form.values(), now=utcnow()),
        done=_("The draft is saved."),
        then=_to_page(nomination),
        refused_to=_to_page(nomination),
    )
    return done or (
        render_template(
            "honours/nominations/new.html",
            form=form,
            channel="draft",
            nomination=nomination,
            **LIMITS,
        ),
        form.status,
    )


@bp.route("/honours/nominations/<int:nomination_id>/match", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def match(nomination_id: int):
    nomination = access.readable(current_user, nomination_id, utcnow())
    candidates = matching.match_candidates(current_user, nomination_id, now=utcnow())
    form = MatchForm()
    done = submit(
        form,
        lambda: matching.match_nominee(
            current_user,
            nomination_id,
            now=utcnow(),
            person_id=form.person_id.data,
            person_values=form.person_values(),
            is_distinct_confirmed=form.is_distinct_confirmed.data,
        ),
        done=_("The nominee is matched to the register."),
        then=_to_page(nomination),
        refused_to=_to_page(nomination),
    )
    return done or (
        render_template(
            "honours/nominations/match.html",
            form=form,
            nomination=nomination,
            candidates=candidates,
        ),
        form.status,
    )


@bp.post("/honours/nominations/<int:nomination_id>/submit")
@role_required(*CLERKS, owner="self")
def submit_draft(nomination_id: int):
    return carry_out(
        lambda: nominations.submit_nomination(current_user, nomination_id, now=utcnow()),
        form=Form(),
        done=_("The nomination is submitted."),
        then=url_for(".detail", nomination_id=nomination_id),
    )


@bp.post("/honours/nominations/<int:nomination_id>/files")
@login_required(owner="self", why=FILERS)
def add_file(nomination_id: int):
    form = FileForm()
    return carry_out(
        lambda: nominations.add_file(
            current_user,
            nomination_id,
            form.incoming(),
            now=utcnow(),
            settings=current_settings().uploads,
        ),
        form=form,
        done=_("The file is added."),
        then=url_for(".detail", nomination_id=nomination_id),
    )


@bp.post("/honours/nominations/<int:nomination_id>/files/<file_key>/remove")
@login_required(owner="self", why=FILERS)
def remove_file(nomination_id: int, file_key: str):
    return carry_out(
        lambda: nominations.remove_file(current_user, nomination_id, file_key, now=utcnow()),
        form=Form(),
        done=_("The file is removed."),
        then=url_for(".detail", nomination_id=nomination_id),
    )


@bp.post("/honours/nominations/<int:nomination_id>/merge")
@role_required(*CLERKS, owner="self")
def merge(nomination_id: int):
    form = ReasonForm()
    return carry_out(
        lambda: endings.merge_duplicate(
            current_user, nomination_id, now=utcnow(), reason=form.reason.data
        ),
        form=form,
        done=_("The duplicate is merged: its nominators are kept on this nomination."),
        then=_to_page,
        refused_to=url_for(".detail", nomination_id=nomination_id),
    )


@bp.post("/honours/nominations/<int:nomination_id>/withdraw")
@login_required(owner="self", why=FILERS)
def withdraw(nomination_id: int):
    form = ReasonForm()
    return carry_out(
        lambda: endings.withdraw_nomination(
            current_user, nomination_id, now=utcnow(), reason=form.reason.data
        ),
        form=form,
        done=_("The nomination is withdrawn."),
        then=url_for(".detail", nomination_id=nomination_id),
    )
