"""Pages of the register (好人库) for the clerks of a region and the city: the register by
level, type, category, district and year with its exports; persons (enter, correct, consent,
merge); honours (record, correct); the log of whole views."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_zone, utcnow
from core.districts import list_districts
from core.errors import NotFound
from core.extensions import db
from core.inputs import Form
from core.pages import carry_out, submit
from core.regions import RegionLevel, region_choices
from core.rows import Window
from core.settings import current_settings
from core.spreadsheets import csv_bytes, xlsx_bytes
from core.workdays import load_calendar
from honours import exports, services
from honours.forms import (
    ConsentForm,
    HonourCorrectionForm,
    HonourForm,
    MergeForm,
    PersonCorrectionForm,
    PersonForm,
    PersonSearchForm,
    RegisterFilterForm,
    RoundForm,
    quotas_form,
)
from honours.models import HolderKind, HonourCategory, HonourLevel, ViewChannel
from honours.services import rounds as round_services
from honours.services.scope import require_city

bp = Blueprint("honours", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the
# services keep each to the persons of their region, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)
PLACES = (RegionLevel.district, RegionLevel.town, RegionLevel.community)
SENSITIVE_INPUTS = (
    "id_number",
    "phone",
    "address",
    "guardian_phone",
    "hardship_notes",
    # The linked account's number is a phone too.
    "volunteer_phone",
)


def _scope():
    return services.scope_of(current_user, utcnow())


@bp.app_context_processor
def _keeps_the_register():
    # Asked only where a template offers the way in (the profile), not on every page.
    def keeps() -> bool:
        return current_user.is_authenticated and current_user.role in CLERKS and _scope().is_clerk

    return {"keeps_the_register": keeps}


def _clerk_scope():
    scope = _scope()
    if not scope.is_clerk:
        raise NotFound()
    return scope


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


def _district_choices(blank):
    return [("", blank), *((d.id, d.label) for d in list_districts())]


def _type_choices(holder: HolderKind | None = None):
    return [
        ("", "—"),
        *(
            (t.id, f"{t.label} · {t.level.label}")
            for t in services.list_honour_types()
            if holder is None or t.holder is holder
        ),
    ]


# The register ---------------------------------------------------------------------------


def _register_filter(form: RegisterFilterForm) -> services.RegisterFilter:
    form.honour_type_id.choices = [("", _("All")), *_type_choices()[1:]]
    form.district_id.choices = _district_choices(_("All districts"))
    if not form.validate():
        return services.RegisterFilter()
    return services.RegisterFilter(
        level=HonourLevel(form.level.data) if form.level.data else None,
        honour_type_id=form.honour_type_id.data,
        category=HonourCategory(form.category.data) if form.category.data else None,
        district_id=form.district_id.data,
        year=form.year.data,
    )


@bp.get("/honours/register")
@role_required(*CLERKS, owner="self")
def register():
    scope = _clerk_scope()
    form = RegisterFilterForm(request.args)
    filters = _register_filter(form)
    number = _page_number()
    found = services.list_register(scope, filters, Window((number - 1) * PAGE_SIZE, PAGE_SIZE))
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "honours/register.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query=query,
        scope=scope,
    )


@bp.get("/honours/register/export.<fmt>")
@role_required(*CLERKS, owner="self")
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    scope = _clerk_scope()
    filters = _register_filter(RegisterFilterForm(request.args))
    table = exports.register_table(current_user, scope, filters, utcnow())
    # The export's whole views are logged: that is kept even though nothing else changed.
    db.session.commit()
    if fmt == "xlsx":
        response = Response(xlsx_bytes([table]), mimetype=XLSX)
    else:
        response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="register.{fmt}"'
    return response


# Persons --------------------------------------------------------------------------------


@bp.get("/honours/register/persons")
@role_required(*CLERKS, owner="self")
def persons():
    scope = _clerk_scope()
    form = PersonSearchForm(request.args)
    form.district_id.choices = _district_choices(_("All districts"))
    valid = form.validate()
    filters = services.PersonFilter(
        q=form.q.data if valid else None, district_id=form.district_id.data if valid else None
    )
    number = _page_number()
    found = services.list_persons(scope, filters, Window((number - 1) * PAGE_SIZE, PAGE_SIZE))
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "honours/persons.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        query=query,
    )


def _person_form(form: PersonForm) -> PersonForm:
    form.region_id.choices = [("", "—"), *region_choices(PLACES)]
    return form


def _store_photo(form: PersonForm, person):
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        services.set_person_photo(
            current_user,
            _scope(),
            person.id,
            stream=upload.stream,
            filename=upload.filename,
            now=utcnow(),
            settings=current_settings().uploads,
        )
    return person


@bp.route("/honours/register/persons/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_person():
    scope = _clerk_scope()
    form = _person_form(PersonForm())
    done = submit(
        form,
        lambda: _store_photo(
            form,
            services.enter_person(
                current_user,
                scope,
                form.values(),
                now=utcnow(),
                is_distinct_confirmed=form.is_distinct_confirmed.data,
            ),
        ),
        done=lambda person: _("%(name)s is entered in the register.", name=person.name),
        then=lambda person: url_for(".person", person_id=person.id),
    )
    return done or (
        render_template("honours/person_form.html", form=form, person=None),
        form.status,
    )


@bp.get("/honours/register/persons/<int:person_id>")
@role_required(*CLERKS, owner="self")
def person(person_id: int):
    scope = _scope()
    found = services.get_person(scope, person_id)
    revisions = services.list_person_history(scope, person_id)
    shown = services.show_person(
        found,
        scope,
        viewer_id=current_user.id,
        channel=ViewChannel.page,
        place="honours.person",
        now=utcnow(),
        history=revisions,
    )
    history = [
        (revision, services.shown_changes(revision.changes, scope, found.region_id))
        for revision in revisions
    ]
    # The whole view is logged even though the page changes nothing else.
    db.session.commit()
    return render_template(
        "honours/person.html",
        person=found,
        shown=shown,
        history=history,
        labels=_history_labels(),
        consent_form=ConsentForm(formdata=None),
    )


def _history_labels() -> dict[str, str]:
    """What the history calls each stored field: the form's label where it has one."""
    labels = {field.name: field.label.text for field in PersonForm(formdata=None)}
    labels.update(
        status=labels["life_status"],
        user_id=labels["volunteer_phone"],
        photo_upload_id=labels["photo"],
        merged_into_id=_("Merged into another record"),
        merged_from=_("Another record merged into this one"),
        has_publication_consent=_("Consent to publication"),
    )
    return labels


@bp.route("/honours/register/persons/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def edit_person(person_id: int):
    scope = _scope()
    found = services.get_person(scope, person_id, for_change=True)
    form = _person_form(PersonCorrectionForm(obj=None if request.method == "POST" else found))
    is_whole = services.sensitive_of(found, scope).is_whole
    if not is_whole:
        # A clerk who sees them masked neither sees nor changes the sensitive fields.
        for name in SENSITIVE_INPUTS:
            delattr(form, name)
    if request.method == "GET":
        form.gender.data = found.gender.value if found.gender else ""
        form.life_status.data = found.status.value
        if "volunteer_phone" in form:
            form.volunteer_phone.data = found.user.phone if found.user else None
    done = submit(
        form,
        lambda: _store_photo(
            form,
            services.correct_person(
                current_user,
                scope,
                person_id,
                form.values(),
                reason=form.reason.data,
                now=utcnow(),
            ),
        ),
        done=_("The correction is saved."),
        then=url_for(".person", person_id=person_id),
    )
    if done is None and request.method == "GET" and is_whole:
        services.log_whole_views(
            current_user.id,
            [found],
            scope,
            channel=ViewChannel.page,
            place="honours.edit_person",
            now=utcnow(),
        )
        db.session.commit()
    return done or (
        render_template("honours/person_form.html", form=form, person=found),
        form.status,
    )


@bp.post("/honours/register/persons/<int:person_id>/consent")
@role_required(*CLERKS, owner="self")
def consent(person_id: int):
    form = ConsentForm()
    return carry_out(
        lambda: services.record_consent(
            current_user, _scope(), person_id, is_given=form.is_given.data, now=utcnow()
        ),
        form=form,
        done=_("Consent to publication is recorded."),
        then=url_for(".person", person_id=person_id),
    )


@bp.route("/honours/register/persons/<int:person_id>/merge", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def merge(person_id: int):
    scope = _scope()
    found = services.get_person(scope, person_id, for_change=True)
    form = MergeForm()
    done = submit(
        form,
        lambda: services.merge_persons(
            current_user,
            scope,
            person_id,
            form.duplicate_id.data,
            reason=form.reason.data,
            now=utcnow(),
        ),
        done=_("The records are merged."),
        then=url_for(".person", person_id=person_id),
    )
    duplicates = services.find_duplicates(
        found.name,
        found.birth_date,
        found.region_id,
        found.id_number,
        user_id=found.user_id,
        exclude_id=found.id,
    )
    return done or (
        render_template(
            "honours/merge.html",
            form=form,
            person=found,
            candidates=[p for group in duplicates for p in group],
        ),
        form.status,
    )


# Honours --------------------------------------------------------------------------------


def _honour_form(form: HonourForm, holder: HolderKind) -> HonourForm:
    form.honour_type_id.choices = _type_choices(holder)
    if "team_id" in form:
        teams = services.team_choices() if holder is HolderKind.team else []
        form.team_id.choices = [("", "—"), *teams]
    return form


@bp.route("/honours/register/persons/<int:person_id>/honours/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_honour(person_id: int):
    scope = _scope()
    found = services.get_person(scope, person_id, for_change=True)
    form = _honour_form(HonourForm(), HolderKind.person)
    done = submit(
        form,
        lambda: services.award_honour(
            current_user, scope, {**form.values(), "person_id": person_id}, now=utcnow()
        ),
        done=_("The honour is recorded."),
        then=url_for(".person", person_id=person_id),
    )
    return done or (
        render_template("honours/honour_form.html", form=form, person=found, honour=None),
        form.status,
    )


@bp.route("/honours/register/teams/honours/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_team_honour():
    scope = _clerk_scope()
    form = _honour_form(HonourForm(), HolderKind.team)
    done = submit(
        form,
        lambda: services.award_honour(
            current_user, scope, {**form.values(), "team_id": form.team_id.data}, now=utcnow()
        ),
        done=_("The honour is recorded."),
        then=url_for(".register"),
    )
    return done or (
        render_template("honours/honour_form.html", form=form, person=None, honour=None),
        form.status,
    )


@bp.route("/honours/register/honours/<int:honour_id>/edit", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def edit_honour(honour_id: int):
    scope = _scope()
    honour = services.get_honour(scope, honour_id)
    form = HonourCorrectionForm(obj=None if request.method == "POST" else honour)
    _honour_form(form, honour.honour_type.holder)
    if request.method == "GET":
        form.category.data = honour.category.value if honour.category else ""
    back = (
        url_for(".person", person_id=honour.person_id) if honour.person_id else url_for(".register")
    )
    done = submit(
        form,
        lambda: services.correct_honour(
            current_user, scope, honour_id, form.values(), reason=form.reason.data, now=utcnow()
        ),
        done=_("The correction is saved."),
        then=back,
    )
    history = services.list_honour_history(scope, honour_id)
    return done or (
        render_template(
            "honours/honour_form.html",
            form=form,
            person=honour.person,
            honour=honour,
            history=history,
        ),
        form.status,
    )


# The log of whole views -----------------------------------------------------------------


@bp.get("/honours/register/sensitive-views")
@role_required(*CLERKS, owner="self")
def sensitive_views():
    scope = _clerk_scope()
    number = _page_number()
    found = services.list_sensitive_views(scope, Window((number - 1) * PAGE_SIZE, PAGE_SIZE))
    return render_template(
        "honours/sensitive_views.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
    )


# Rounds (评选批次) ------------------------------------------------------------------------------


@bp.get("/honours/rounds")
@role_required(*CLERKS, owner="self")
def rounds():
    number = _page_number()
    found = round_services.list_rounds(
        current_user, Window((number - 1) * PAGE_SIZE, PAGE_SIZE), now=utcnow()
    )
    return render_template(
        "honours/rounds.html",
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        is_city=_scope().is_city,
    )


def _round_form(form: RoundForm) -> RoundForm:
    form.honour_type_id.choices = _type_choices(HolderKind.person)
    return form


@bp.route("/honours/rounds/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_round():
    # Asked first, so that a clerk of a region is refused before seeing the form.
    require_city(_clerk_scope())
    form = _round_form(RoundForm())
    done = submit(
        form,
        lambda: round_services.create_round(current_user, form.values(), now=utcnow()),
        done=lambda round_: _("The round %(name)s is prepared as a draft.", name=round_.name),
        then=lambda round_: url_for(".round_page", round_id=round_.id),
    )
    return done or (render_template("honours/round_form.html", form=form, round=None), form.status)


@bp.get("/honours/rounds/<int:round_id>")
@role_required(*CLERKS, owner="self")
def round_page(round_id: int):
    found = round_services.get_round(current_user, round_id, now=utcnow())
    districts = list_districts()
    return render_template(
        "honours/round.html",
        round=found,
        districts=districts,
        quotas=quotas_form(districts, found),
        is_city=_scope().is_city,
        deadline_example=_deadline_example(found),
    )


def _deadline_example(found):
    """When a level's time limit would run out for a nomination reaching it now."""
    return round_services.level_deadline(found, utcnow(), load_calendar(), local_zone())


@bp.route("/honours/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def edit_round(round_id: int):
    require_city(_clerk_scope())
    found = round_services.get_round(current_user, round_id, now=utcnow())
    form = _round_form(RoundForm(obj=None if request.method == "POST" else found))
    if request.method == "GET":
        form.kind.data = found.kind.value
    done = submit(
        form,
        lambda: round_services.update_round(current_user, round_id, form.values(), now=utcnow()),
        done=_("The round is saved."),
        then=url_for(".round_page", round_id=round_id),
        refused_to=url_for(".round_page", round_id=round_id),
    )
    return done or (
        render_template("honours/round_form.html", form=form, round=found),
        form.status,
    )


@bp.post("/honours/rounds/<int:round_id>/quotas")
@role_required(*CLERKS, owner="self")
def round_quotas(round_id: int):
    found = round_services.get_round(current_user, round_id, now=utcnow())
    form = quotas_form(list_districts(), found)
    return carry_out(
        lambda: round_services.set_quotas(current_user, round_id, form.values(), now=utcnow()),
        form=form,
        done=_("The quotas are saved."),
        then=url_for(".round_page", round_id=round_id),
    )


@bp.post("/honours/rounds/<int:round_id>/open")
@role_required(*CLERKS, owner="self")
def open_round(round_id: int):
    return carry_out(
        lambda: round_services.open_round(current_user, round_id, now=utcnow()),
        form=Form(),
        done=_("The round is open for nominations."),
        then=url_for(".round_page", round_id=round_id),
    )


@bp.post("/honours/rounds/<int:round_id>/close")
@role_required(*CLERKS, owner="self")
def close_round(round_id: int):
    return carry_out(
        lambda: round_services.close_round(current_user, round_id, now=utcnow()),
        form=Form(),
        done=_("The round is closed."),
        then=url_for(".round_page", round_id=round_id),
    )
