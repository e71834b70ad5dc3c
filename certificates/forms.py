"""Forms of the certificate pages: issuing (a button), revoking (a reason), and the public
verification form (a GET form: number and check code)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certificates.services import CHECK_CODE_LENGTH, MAX_REVOCATION_REASON
from certificates.services.register import MAX_NUMBER
from core.inputs import Form


class ActionForm(Form):
    """A button with nothing but the CSRF token."""


class RevocationForm(Form):
    """Revoking a certificate: always with a reason, kept in the register."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason.")),
            Length(
                max=MAX_REVOCATION_REASON,
                message=_l("Enter a reason of at most %(n)d characters.", n=MAX_REVOCATION_REASON),
            ),
        ],
        description=_l("For example: issued on hours that were later corrected."),
    )


class VerificationForm(Form):
    """The number and check code printed on a certificate, typed in or brought by its QR
    code; read from the query string, so no CSRF."""

    class Meta:
        csrf = False

    number = StringField(
        _l("Certificate number"),
        validators=[Optional(), Length(max=MAX_NUMBER)],
        render_kw={"autocomplete": "off", "placeholder": "QHD-ZYFW-2026-000123"},
    )
    code = StringField(
        _l("Check code"),
        validators=[Optional(), Length(max=2 * CHECK_CODE_LENGTH)],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "placeholder": "ABCD2345",
        },
    )


class RegisterSearchForm(Form):
    """The office looks a number up in the register (a GET form)."""

    class Meta:
        csrf = False

    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=MAX_NUMBER)])
