"""Pages of consent and of the panel review: recording an answer about publishing a nomination
(with the SMS code a phone proves itself by), a round's panel (its reviewers for the city; the
ballot for a reviewer; the tallies), a reviewer's ballot of one nomination, and closing its
review. The nomination's page shows them through its slots `_consent.html` and `_panel.html`,
which ask the template globals registered here."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth.access import role_required
from core.auth.models import Role, SmsPurpose
from core.auth.sms import current_gateway, masked, shown_code
from core.auth.sms_services import sent_message
from core.clock import utcnow
from core.inputs import Form
from core.pages import back_to, carry_out, submit
from core.rows import Window
from core.settings import current_settings
from honours.panel_forms import (
    ConsentCodeForm,
    ConsentForm,
    PanelConflictForm,
    PanelMemberForm,
    VoteForm,
)
from honours.services import nomination_consent, panel, review

bp = Blueprint("honours_panel", __name__)
PAGE_SIZE = 50
# Clerks and panel reviewers are accounts holding an assignment (core.auth.assignments); the
# services keep each to the nominations of their region or round, the city acts everywhere.
CLERKS = (Role.volunteer, Role.office)


def _consent_slot(nomination):
    """The nomination's consent as its page shows it, or None for one with nothing there."""
    return nomination_consent.consent_state(current_user, nomination, utcnow())


def _panel_slot(nomination):
    """The nomination's panel entry as its page shows it, or None for one with nothing there."""
    return panel.ballot_entry(current_user, nomination, utcnow())


def _my_panels():
    """The rounds on whose panel the signed-in user sits, for their profile's links."""
    if not current_user.is_authenticated or current_user.role is not Role.volunteer:
        return []
    return panel.list_my_panels(current_user, now=utcnow())


@bp.record_once
def _register_slots(state) -> None:
    state.app.add_template_global(_consent_slot, "consent_slot")
    state.app.add_template_global(_panel_slot, "panel_slot")
    state.app.add_template_global(_my_panels, "my_panels")


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


# Consent ----------------------------------------------------------------------------------


def _code_context() -> dict:
    """Where the page stands with a consent code: the phone it was sent to (masked), and in
    the demo the code itself."""
    phone = request.args.get("phone", "")[:20]
    sent = bool(request.args.get("sent")) and phone.isdigit()
    return {
        "code_phone": phone if sent else "",
        "masked_code_phone": masked(phone) if sent else None,
        "demo_code": shown_code(phone, SmsPurpose.consent.value) if sent else None,
    }


@bp.route("/honours/nominations/<int:nomination_id>/consent", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def consent(nomination_id: int):
    nomination, state = nomination_consent.get_consent_state(
        current_user, nomination_id, now=utcnow()
    )
    context = _code_context()
    form = ConsentForm(
        data={"phone": context["code_phone"], "method": "verified_phone"}
        if context["code_phone"]
        else None
    )
    upload = form.form.data

    def act():
        scan = None
        if upload and getattr(upload, "filename", ""):
            scan = nomination_consent.Scan(upload.stream, upload.filename)
        return nomination_consent.record_consent(
            current_user,
            nomination_id,
            form.values(),
            now=utcnow(),
            settings=current_settings(),
            scan=scan,
        )

    done = submit(
        form,
        act,
        done=lambda answer: (
            _("The answer is recorded.") if answer.agreed else _("The refusal is recorded.")
        ),
        then=url_for(".consent", nomination_id=nomination_id),
    )
    return done or (
        render_template(
            "honours/consent/consent.html",
            nomination=nomination,
            state=state,
            form=form,
            code_form=ConsentCodeForm(formdata=None, data={"phone": context["code_phone"]}),
            **context,
        ),
        form.status,
    )


@bp.post("/honours/nominations/<int:nomination_id>/consent/code")
@role_required(*CLERKS, owner="self")
def consent_code(nomination_id: int):
    nomination_consent.get_consent_state(current_user, nomination_id, now=utcnow())
    form = ConsentCodeForm()
    phone = (form.phone.data or "").strip()[:20]
    return carry_out(
        lambda: nomination_consent.send_consent_code(
            current_user,
            nomination_id,
            phone,
            now=utcnow(),
            settings=current_settings(),
            gateway=current_gateway(),
        ),
        form=form,
        done=lambda code: (sent_message(SmsPurpose.consent, current_settings().sms), "info"),
        then=lambda code: url_for(
            ".consent", nomination_id=nomination_id, phone=code.phone, sent=1
        ),
        refused_to=url_for(".consent", nomination_id=nomination_id),
    )


# The panel --------------------------------------------------------------------------------


@bp.get("/honours/rounds/<int:round_id>/panel")
@role_required(*CLERKS, owner="self")
def round_panel(round_id: int):
    now = utcnow()
    found = panel.get_panel(current_user, round_id, now=now)
    number = _page_number()
    ballot = panel.list_ballot(
        current_user, round_id, Window((number - 1) * PAGE_SIZE, PAGE_SIZE), now=now
    )
    members, member_form = [], None
    if found.is_city:
        members = panel.list_members(current_user, round_id, now=now)
        member_form = PanelMemberForm(formdata=None)
        member_form.user_id.choices = [
            ("", "—"),
            *(
                (u.id, u.display_name)
                for u in panel.reviewer_choices(current_user, round_id, now=now)
            ),
        ]
    tallies = panel.list_tallies(current_user, round_id, Window(0, PAGE_SIZE), now=now)
    return render_template(
        "honours/panel/round.html",
        panel=found,
        ballot=ballot,
        number=number,
        pages=max(1, -(-ballot.total // PAGE_SIZE)),
        members=members,
        member_form=member_form,
        tallies=tallies,
        action_form=Form(formdata=None),
    )


@bp.post("/honours/rounds/<int:round_id>/panel/members")
@role_required(*CLERKS, owner="self")
def add_member(round_id: int):
    now = utcnow()
    form = PanelMemberForm()
    form.user_id.choices = [
        (u.id, u.display_name) for u in panel.reviewer_choices(current_user, round_id, now=now)
    ]
    return carry_out(
        lambda: panel.assign_member(current_user, round_id, form.user_id.data, now=now),
        form=form,
        done=_("The reviewer is on the round's panel."),
        then=url_for(".round_panel", round_id=round_id),
    )


@bp.post("/honours/rounds/<int:round_id>/panel/members/<int:user_id>/remove")
@role_required(*CLERKS, owner="self")
def remove_member(round_id: int, user_id: int):
    return carry_out(
        lambda: panel.remove_member(current_user, round_id, user_id, now=utcnow()),
        form=Form(),
        done=_("The reviewer is off the round's panel."),
        then=url_for(".round_panel", round_id=round_id),
    )


@bp.route("/honours/nominations/<int:nomination_id>/ballot", methods=["GET", "POST"])
@role_required(*CLERKS, owner="self")
def ballot(nomination_id: int):
    entry = panel.get_ballot(current_user, nomination_id, now=utcnow())
    form = VoteForm()
    done = submit(
        form,
        lambda: panel.cast_vote(current_user, nomination_id, form.values(), now=utcnow()),
        done=_("Your vote is recorded."),
        then=url_for(".ballot", nomination_id=nomination_id),
        refused_to=url_for(".ballot", nomination_id=nomination_id),
    )
    return done or (
        render_template(
            "honours/panel/ballot.html",
            entry=entry,
            form=form,
            conflict_form=PanelConflictForm(formdata=None),
        ),
        form.status,
    )


@bp.post("/honours/nominations/<int:nomination_id>/ballot/conflict")
@role_required(*CLERKS, owner="self")
def declare_conflict(nomination_id: int):
    panel.get_ballot(current_user, nomination_id, now=utcnow())
    form = PanelConflictForm()
    return carry_out(
        lambda: review.declare_conflict(
            current_user, nomination_id, form.reason.data, now=utcnow()
        ),
        form=form,
        done=_("Your conflict of interest is recorded: you do not vote on this nomination."),
        then=url_for(".ballot", nomination_id=nomination_id),
    )


@bp.post("/honours/nominations/<int:nomination_id>/panel/close")
@role_required(*CLERKS, owner="self")
def close_review(nomination_id: int):
    entry = panel.get_ballot(current_user, nomination_id, now=utcnow())
    return carry_out(
        lambda: panel.close_review(current_user, nomination_id, now=utcnow()),
        form=Form(),
        done=_("The panel's review is closed and its tally kept."),
        then=back_to(url_for(".round_panel", round_id=entry.nomination.round_id)),
    )
