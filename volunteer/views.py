"""Registration and profile pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from core.auth.access import login_required
from core.errors import DomainError
from core.extensions import db, limiter
from core.forms import apply_errors
from volunteer import services
from volunteer.forms import ProfileForm, RegistrationForm

bp = Blueprint("volunteer", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], deduct_when=lambda r: r.status_code == 302)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_volunteer(
                phone=form.phone.data,
                password=form.password.data,
                display_name=form.display_name.data,
                district_id=form.district_id.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Your volunteer account is ready."), "success")
            return redirect(url_for("volunteer.profile"))
    return render_template("volunteer/register.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    profile = services.get_profile(current_user)
    form = ProfileForm(
        data={
            "display_name": current_user.display_name,
            "district_id": profile.district_id,
            "skills": profile.skills,
            "email": current_user.email,
        }
    )
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                display_name=form.display_name.data,
                district_id=form.district_id.data,
                skills=form.skills.data or [],
                email=form.email.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("volunteer.profile"))
    db.session.commit()
    return render_template("volunteer/profile.html", form=form, profile=profile)
