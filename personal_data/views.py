"""Pages: my data (the export in JSON and Excel) and closing my account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import local_day, utcnow
from core.extensions import db, limiter
from core.pages import submit
from personal_data.forms import CloseAccountForm
from personal_data.schemas import PersonalDataSchema
from personal_data.services import closing, export, sections

bp = Blueprint("personal_data", __name__)

WHY_EXPORT = "everyone may have a copy of what is held about them"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user_key() -> str:
    return f"user:{current_user.id}"


@bp.get("/me/export")
@login_required(owner="self", why=WHY_EXPORT)
def export_page():
    return render_template(
        "personal_data/export.html",
        sections=sections.SECTIONS,
        may_close=current_user.role is Role.volunteer,
    )


def _download(body: bytes | str, mimetype: str, extension: str) -> Response:
    # Made before the commit, which expires the user it reads.
    filename = f"my-data-{local_day(utcnow()):%Y%m%d}.{extension}"
    db.session.commit()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/me/export.json")
@login_required(owner="self", why=WHY_EXPORT)
@limiter.limit("20 per hour", key_func=_user_key)
def export_json():
    data = export.gather_personal_data(current_user, now=utcnow())
    body = json.dumps(PersonalDataSchema().dump(data), ensure_ascii=False, indent=2)
    return _download(body, "application/json", "json")


@bp.get("/me/export.xlsx")
@login_required(owner="self", why=WHY_EXPORT)
@limiter.limit("20 per hour", key_func=_user_key)
def export_xlsx():
    data = export.gather_personal_data(current_user, now=utcnow())
    return _download(export.as_workbook(data), XLSX, "xlsx")


@bp.route("/me/close", methods=["GET", "POST"])
@role_required(Role.volunteer, owner="self")
def close():
    form = CloseAccountForm()
    closed = submit(
        form,
        lambda: closing.close_account(current_user, password=form.password.data, now=utcnow()),
        done=_("Your account is closed. Thank you for your service."),
        then=url_for("core.index"),
        # The sign-in ended on the server with the closing; the cookies go too.
        after=lambda _user: logout_user(),
    )
    return closed or render_template(
        "personal_data/close.html", form=form, closed_name=closing.CLOSED_NAME
    )
