"""Certificate pages: a volunteer issues and downloads their service certificates; the office
issues for any volunteer, reads the register and revokes; anyone verifies a certificate by its
number and check code."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from certificates import services
from certificates.forms import ActionForm, RegisterSearchForm, RevocationForm, VerificationForm
from core.auth.access import public, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import limiter
from core.pages import carry_out, submit
from core.settings import current_settings

bp = Blueprint("certificates", __name__)


def _issued(document) -> str:
    return _("Certificate %(number)s is issued.", number=document.number)


def _issue(volunteer_id: int):
    return services.issue_service_certificate(
        current_user, volunteer_id, now=utcnow(), settings=current_settings().certificates
    )


# The volunteer's own -------------------------------------------------------------------


@bp.get("/me/certificates")
@role_required(Role.volunteer, owner="self")
def mine():
    return render_template(
        "certificates/mine.html",
        documents=services.list_my_certificates(current_user),
        form=ActionForm(formdata=None),
    )


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


@bp.post("/me/certificates")
@role_required(Role.volunteer, owner="self")
# Each issue takes a number of the year's series for good; a few a day is plenty.
@limiter.limit("10 per day", key_func=_user_key)
def issue_mine():
    return carry_out(
        lambda: _issue(current_user.id),
        form=ActionForm(),
        done=_issued,
        then=url_for(".mine"),
    )


@bp.get("/certificates/<int:document_id>.pdf")
@role_required(Role.volunteer, Role.office, owner="self")
def download(document_id: int):
    document, body = services.render_document(current_user, document_id)
    response = Response(body, mimetype="application/pdf")
    # An attachment: the pages' Content-Security-Policy (object-src 'none') would stop a
    # browser's built-in viewer from showing it inline.
    response.headers["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    return response


# The office ----------------------------------------------------------------------------


@bp.post("/office/volunteers/<int:volunteer_id>/certificates")
@role_required(Role.office)
def issue_for(volunteer_id: int):
    return carry_out(
        lambda: _issue(volunteer_id),
        form=ActionForm(),
        done=_issued,
        then=lambda document: url_for(".document", document_id=document.id),
        refused_to=url_for("office.volunteer_record", volunteer_id=volunteer_id),
    )


@bp.get("/office/certificates")
@role_required(Role.office)
def register():
    form = RegisterSearchForm(request.args)
    number = form.number.data if form.validate() else ""
    page = services.list_register(
        current_user, number=number or "", page=request.args.get("page", 1, type=int)
    )
    return render_template("certificates/register.html", form=form, page=page, number=number)


def _document_page(document_id: int, form: RevocationForm):
    document = services.get_document(current_user, document_id)
    page = render_template("certificates/document.html", document=document, form=form)
    return page, form.status


@bp.get("/office/certificates/<int:document_id>")
@role_required(Role.office)
def document(document_id: int):
    return _document_page(document_id, RevocationForm(formdata=None))


@bp.post("/office/certificates/<int:document_id>/revoke")
@role_required(Role.office)
def revoke(document_id: int):
    form = RevocationForm()
    here = url_for(".document", document_id=document_id)
    revoked = submit(
        form,
        lambda: services.revoke_document(
            current_user, document_id, reason=form.reason.data, now=utcnow()
        ),
        done=lambda document: _("Certificate %(number)s is revoked.", number=document.number),
        then=here,
        refused_to=here,
    )
    return revoked or _document_page(document_id, form)


# Verification, for anyone --------------------------------------------------------------


def _asked() -> bool:
    return bool(request.args.get("number") or request.args.get("code"))


@bp.get(services.VERIFY_PATH)
@public(why="whoever holds a certificate checks it; a match shows a masked name and the hours")
@limiter.limit(
    lambda: current_app.config["CERTIFICATE_VERIFICATIONS_PER_ADDRESS"],
    key_func=get_remote_address,
    exempt_when=lambda: not _asked(),
)
def verify():
    form = VerificationForm(request.args)
    asked = _asked()
    result = (
        services.verify(form.number.data, form.code.data) if asked and form.validate() else None
    )
    return render_template("certificates/verify.html", form=form, asked=asked, result=result)
