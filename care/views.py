"""Pages of the four seasons of care: the care campaigns by year and making one, a campaign
with its budgets, list of people and visits, the phone-first form a visiting clerk records a
visit with (its receipt drawn on the phone or scanned, and photos), and a visit with its
versions and the steps that follow (verify, lock, reverse)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from care.forms import (
    BudgetForm,
    CareCampaignForm,
    EditVisitForm,
    NewVisitForm,
    ReverseForm,
    SkipForm,
    UploadListForm,
    VersionForm,
    VisitFilesForm,
)
from care.models import (
    FundSource,
    ListRule,
    Recipient,
    Visit,
    VisitPlace,
    VisitStatus,
    VisitVersion,
)
from care.services import budgets, campaigns, overview, visit_files, visits
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.errors import NotFound
from core.pages import back_to, carry_out, submit
from core.rows import Window
from core.settings import current_settings
from events.services.campaigns import list_campaigns
from honours.services.benefits import yuan_text

bp = Blueprint("care", __name__)
PAGE_SIZE = 50
# Clerks are accounts holding an assignment to a region; the services keep campaigns, budgets,
# lists and locking to the city, and each visit to the clerks of the person's region. A
# campaign is the whole city's: every clerk reads it and sees their own region's part of it.
CLERKS = (Role.volunteer, Role.office)


def page_number(name: str = "page") -> int:
    """The page of a care list the request asks for (`?page=N`), held within 1 and 10,000."""
    return max(1, min(request.args.get(name, 1, type=int), 10_000))


def page_count(total: int) -> int:
    """How many pages of PAGE_SIZE a care list of `total` items fills (at least one)."""
    return max(1, -(-total // PAGE_SIZE))


def window_of(number: int) -> Window:
    """The rows of page `number` of a care list."""
    return Window((number - 1) * PAGE_SIZE, PAGE_SIZE)


# Campaigns -------------------------------------------------------------------------------------


@bp.route("/care/campaigns", methods=["GET", "POST"])
@role_required(*CLERKS)
def campaign_list():
    now = utcnow()
    form = CareCampaignForm(seasons=list_campaigns())
    done = submit(
        form,
        lambda: campaigns.create_care_campaign(current_user, form.details(), now=now),
        done=lambda care: _("The care campaign %(name)s is made.", name=care.name),
        then=lambda care: url_for(".campaign", care_campaign_id=care.id),
        refused_to=url_for(".campaign_list"),
    )
    if done:
        return done
    year = request.args.get("year", type=int)
    found = campaigns.list_care_campaigns(current_user, now=now, year=year)
    page = render_template(
        "care/campaigns.html",
        found=found,
        year=year,
        form=form if overview.manages_campaigns(current_user, now=now) else None,
        yuan=yuan_text,
    )
    return page, form.status


def _campaign_page(care_campaign_id: int, *, budget_form: BudgetForm | None = None):
    now = utcnow()
    care = campaigns.get_care_campaign(current_user, care_campaign_id, now=now)
    name = request.args.get("name", "").strip()
    number, visits_number = page_number(), page_number("visits_page")
    targets = campaigns.list_targets(
        current_user,
        care.id,
        window_of(number),
        now=now,
        person_name=name or None,
    )
    found_visits = visits.list_visits(
        current_user,
        care.id,
        visits.VisitFilter(),
        window_of(visits_number),
        now=now,
    )
    budget_form = budget_form or BudgetForm(formdata=None)
    page = render_template(
        "care/campaign.html",
        care=care,
        budgets={budget.fund_source: budget for budget in care.budgets},
        fund_sources=FundSource,
        manages=overview.manages_campaigns(current_user, now=now),
        is_uploaded=care.rule is ListRule.upload,
        targets=targets,
        latest=overview.latest_visits(care.id, (t.person_id for t in targets.items)),
        name=name,
        number=number,
        pages=page_count(targets.total),
        found_visits=found_visits,
        visits_number=visits_number,
        visits_pages=page_count(found_visits.total),
        budget_form=budget_form,
        upload_form=UploadListForm(formdata=None),
        skip_form=SkipForm(formdata=None),
        yuan=yuan_text,
    )
    return page, budget_form.status


@bp.get("/care/campaigns/<int:care_campaign_id>")
@role_required(*CLERKS)
def campaign(care_campaign_id: int):
    return _campaign_page(care_campaign_id)


@bp.post("/care/campaigns/<int:care_campaign_id>/budgets")
@role_required(*CLERKS)
def set_budget(care_campaign_id: int):
    form = BudgetForm()
    done = submit(
        form,
        lambda: budgets.set_budget(
            current_user,
            care_campaign_id,
            form.source,
            form.budget_fen(),
            reason=form.reason.data,
            now=utcnow(),
        ),
        done=lambda budget: _(
            "The %(source)s budget is %(yuan)s yuan.",
            source=budget.fund_source.label,
            yuan=yuan_text(budget.budget_fen),
        ),
        then=url_for(".campaign", care_campaign_id=care_campaign_id),
        refused_to=url_for(".campaign", care_campaign_id=care_campaign_id),
    )
    return done or _campaign_page(care_campaign_id, budget_form=form)


@bp.post("/care/campaigns/<int:care_campaign_id>/list")
@role_required(*CLERKS)
def make_list(care_campaign_id: int):
    return carry_out(
        lambda: campaigns.make_list(current_user, care_campaign_id, now=utcnow()),
        done=lambda added: ngettext(
            "%(num)d person is added to the list.", "%(num)d people are added to the list.", added
        ),
        then=url_for(".campaign", care_campaign_id=care_campaign_id),
    )


@bp.post("/care/campaigns/<int:care_campaign_id>/list/upload")
@role_required(*CLERKS)
def upload_list(care_campaign_id: int):
    form = UploadListForm()
    return carry_out(
        lambda: campaigns.upload_list(
            current_user, care_campaign_id, form.file.data.stream, now=utcnow()
        ),
        form=form,
        done=lambda result: _(
            "%(added)d added to the list; %(already)d were on it already.",
            added=result.added,
            already=result.already,
        ),
        then=url_for(".campaign", care_campaign_id=care_campaign_id),
    )


@bp.post("/care/campaigns/<int:care_campaign_id>/lock")
@role_required(*CLERKS)
def lock(care_campaign_id: int):
    return carry_out(
        lambda: visits.lock_visits(current_user, care_campaign_id, now=utcnow()),
        done=lambda locked: ngettext(
            "%(num)d verified visit is locked.", "%(num)d verified visits are locked.", locked
        ),
        then=url_for(".campaign", care_campaign_id=care_campaign_id),
    )


@bp.post("/care/targets/<int:target_id>/skip")
@role_required(*CLERKS, owner="self")
def skip(target_id: int):
    form = SkipForm()
    return carry_out(
        lambda: campaigns.skip_target(current_user, target_id, form.reason.data, now=utcnow()),
        form=form,
        done=lambda target: _("%(name)s is marked not reached.", name=target.person.name),
        then=lambda target: back_to(url_for(".campaign", care_campaign_id=target.care_campaign_id)),
        refused_to=back_to(url_for(".campaign_list")),
    )


# Recording a visit -----------------------------------------------------------------------------


@bp.route("/care/campaigns/<int:care_campaign_id>/visits/new", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def new_visit(care_campaign_id: int):
    now = utcnow()
    person_id = request.args.get("person_id", type=int)
    if person_id is None:
        raise NotFound(visits.NO_PERSON)
    subject = overview.get_visit_subject(current_user, care_campaign_id, person_id, now=now)
    form = NewVisitForm.blank(local_day(now))
    done = submit(
        form,
        lambda: visit_files.record_visit_with_files(
            current_user,
            care_campaign_id,
            person_id,
            form.details(),
            done=form.is_done,
            off_list_reason=form.off_list_reason.data,
            receipt=form.receipt(),
            photos=form.photo_files(),
            now=now,
            settings=current_settings().uploads,
        ),
        done=_("The visit is recorded."),
        then=lambda visit: url_for(".visit", visit_id=visit.id),
    )
    if done:
        return done
    page = render_template(
        "care/visit_form.html",
        subject=subject,
        form=form,
        action=url_for(".new_visit", care_campaign_id=care_campaign_id, person_id=person_id),
    )
    return page, form.status


# A visit -----------------------------------------------------------------------------------


@bp.get("/care/visits/<int:visit_id>")
@role_required(*CLERKS, owner="self")
def visit(visit_id: int):
    now = utcnow()
    found = visits.get_visit(current_user, visit_id, now=now)
    return render_template(
        "care/visit.html",
        visit=found,
        actions=overview.actions_on(current_user, found, now=now),
        versions=_version_lines(found),
        files_form=VisitFilesForm(formdata=None, data={"version": str(found.version)}),
        reverse_form=ReverseForm(formdata=None),
        yuan=yuan_text,
    )


# What a version's changes are called on the page, by the visit's field.
CHANGED_FIELDS = {
    "recipient": _l("Received by"),
    "relative_name": _l("Relative's name"),
    "relative_relation": _l("Relation"),
    "visit_on": _l("Date"),
    "place": _l("Place"),
    "visitors": _l("Visitors"),
    "cash_fen": _l("Cash (yuan)"),
    "fund_source": _l("Fund source"),
    "needs": _l("Needs found"),
    "follow_up": _l("Follow-up"),
    "goods": _l("Goods"),
    "receipt": _l("Receipt"),
    "status": _l("Status"),
}
CHANGED_ENUMS = {
    "recipient": Recipient,
    "place": VisitPlace,
    "fund_source": FundSource,
    "status": VisitStatus,
}


def _shown(name: str, value) -> str:
    """A value a version kept (as JSON), as the page shows it."""
    if value is None or value == "":
        return "—"
    if name == "cash_fen":
        return yuan_text(value)
    if name in CHANGED_ENUMS:
        return CHANGED_ENUMS[name](value).label
    if name == "goods":
        return "、".join(f"{item}×{quantity} ({yuan_text(fen)})" for item, quantity, fen in value)
    if name == "receipt":
        return _("a file")
    return str(value)


def _version_lines(visit: Visit) -> list[tuple[VisitVersion, list[tuple[str, str, str]]]]:
    return [
        (
            version,
            [
                (str(CHANGED_FIELDS.get(name, name)), _shown(name, old), _shown(name, new))
                for name, (old, new) in sorted(version.changes.items())
            ],
        )
        for version in visit.versions
    ]


def _to_visit(found: Visit) -> str:
    return url_for(".visit", visit_id=found.id)


@bp.route("/care/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def edit_visit(visit_id: int):
    now = utcnow()
    found = visits.get_visit(current_user, visit_id, now=now)
    form = EditVisitForm() if request.method == "POST" else EditVisitForm.of(found)
    done = submit(
        form,
        lambda: visits.edit_visit(
            current_user,
            visit_id,
            form.details(),
            expected_version=form.expected_version,
            now=now,
        ),
        done=_("The visit is saved; what changed is kept as a version."),
        then=_to_visit,
        refused_to=url_for(".visit", visit_id=visit_id),
    )
    if done:
        return done
    page = render_template(
        "care/visit_form.html",
        subject=overview.VisitSubject(found.care_campaign, found.person, found.target),
        visit=found,
        form=form,
        action=url_for(".edit_visit", visit_id=visit_id),
    )
    return page, form.status


@bp.post("/care/visits/<int:visit_id>/files")
@role_required(*CLERKS, owner="self")
def add_files(visit_id: int):
    form = VisitFilesForm()
    return carry_out(
        lambda: visit_files.add_visit_files(
            current_user,
            visit_id,
            receipt=form.receipt(),
            photos=form.photo_files(),
            expected_version=form.expected_version,
            now=utcnow(),
            settings=current_settings().uploads,
        ),
        form=form,
        done=_("The receipt and photos are added."),
        then=url_for(".visit", visit_id=visit_id),
    )


@bp.post("/care/visits/<int:visit_id>/done")
@role_required(*CLERKS, owner="self")
def mark_done(visit_id: int):
    form = VersionForm()
    return carry_out(
        lambda: visits.mark_done(
            current_user, visit_id, expected_version=form.expected_version, now=utcnow()
        ),
        form=form,
        done=_("The visit is marked as paid."),
        then=url_for(".visit", visit_id=visit_id),
    )


@bp.post("/care/visits/<int:visit_id>/verify")
@role_required(*CLERKS, owner="self")
def verify(visit_id: int):
    return carry_out(
        lambda: visits.verify_visit(current_user, visit_id, now=utcnow()),
        done=_("The visit is verified; it is no longer edited."),
        then=url_for(".visit", visit_id=visit_id),
    )


@bp.post("/care/visits/<int:visit_id>/follow-up")
@role_required(*CLERKS, owner="self")
def complete_follow_up(visit_id: int):
    return carry_out(
        lambda: visits.complete_follow_up(current_user, visit_id, now=utcnow()),
        done=_("The follow-up is marked done."),
        then=url_for(".visit", visit_id=visit_id),
    )


@bp.post("/care/visits/<int:visit_id>/reverse")
@role_required(*CLERKS, owner="self")
def reverse(visit_id: int):
    form = ReverseForm()
    return carry_out(
        lambda: visits.reverse_visit(current_user, visit_id, form.reason.data, now=utcnow()),
        form=form,
        done=_("The visit is reversed; its cash is back in the budget."),
        then=url_for(".visit", visit_id=visit_id),
    )
