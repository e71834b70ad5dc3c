"""Forms of the consent and panel pages: an answer about publishing a nomination, the phone a
consent code goes to, a reviewer put on a round's panel, and a panel vote."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.auth.sms_forms import code_field
from core.forms import optional_int
from core.inputs import Form
from honours.nomination_models import GIVER_LABELS, METHOD_LABELS, VOTE_LABELS
from honours.services.nomination_consent import NAME_MAX, RELATION_MAX
from honours.services.panel import COMMENT_MAX, SCORE_MAX, SCORE_MIN
from honours.services.review import REASON_MAX

ANSWERS = {"yes": True, "no": False}


class ConsentForm(Form):
    """One answer about publishing a nomination, as the clerk records it."""

    agreed = RadioField(
        _l("The answer"),
        validators=[DataRequired(_l("Say whether they agreed or declined."))],
    )
    giver = RadioField(_l("Who answered"), validators=[DataRequired(_l("Choose who answered."))])
    giver_name = StringField(_l("Their name"), validators=[Optional(), Length(max=NAME_MAX)])
    relation = StringField(
        _l("Relation to the nominee"),
        validators=[Optional(), Length(max=RELATION_MAX)],
        description=_l("For example: 母亲, 儿子"),
    )
    method = RadioField(
        _l("How they answered"), validators=[DataRequired(_l("Choose how they answered."))]
    )
    form = FileField(
        _l("Scan of the signed form"),
        description=_l("A photo or PDF of the signed consent form."),
        render_kw={"accept": "image/*,application/pdf"},
    )
    phone = StringField(
        _l("Phone the code was sent to"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    code = code_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here: WTForms warns of choices given as tuples where the field is declared.
        self.agreed.choices = [("yes", _l("They agree")), ("no", _l("They decline or withdraw"))]
        self.giver.choices = [(giver.value, label) for giver, label in GIVER_LABELS.items()]
        self.method.choices = [(method.value, label) for method, label in METHOD_LABELS.items()]
        # The code is asked for only with the phone method; the service names what is missing.
        self.code.validators = [Optional(), Length(max=10)]

    def values(self) -> dict:
        return {
            "agreed": ANSWERS.get(self.agreed.data),
            "giver": self.giver.data,
            "giver_name": self.giver_name.data,
            "relation": self.relation.data,
            "method": self.method.data,
            "phone": self.phone.data,
            "code": self.code.data,
        }


class ConsentCodeForm(Form):
    """The phone a consent code is sent to."""

    phone = StringField(
        _l("Phone of the one who answers"),
        validators=[DataRequired(_l("Give the phone number.")), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


class PanelMemberForm(Form):
    """A panel reviewer put on a round's panel."""

    user_id = SelectField(
        _l("Panel reviewer"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose a panel reviewer from the list."))],
    )


class PanelConflictForm(Form):
    """A reviewer's declared conflict of interest with a nomination on the panel."""

    reason = StringField(
        _l("The conflict of interest"),
        validators=[DataRequired(_l("Say what the conflict is.")), Length(max=REASON_MAX)],
        description=_l("For example: the nominee is a relative"),
    )


class VoteForm(Form):
    """A panel reviewer's vote on a nomination."""

    vote = RadioField(
        _l("Your vote"), validators=[DataRequired(_l("Vote for, against, or abstain."))]
    )
    score = IntegerField(
        _l("Score (optional)"),
        validators=[Optional(), NumberRange(min=SCORE_MIN, max=SCORE_MAX)],
        render_kw={"inputmode": "numeric", "min": SCORE_MIN, "max": SCORE_MAX},
    )
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=COMMENT_MAX)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vote.choices = [(vote.value, label) for vote, label in VOTE_LABELS.items()]

    def values(self) -> dict:
        return {"vote": self.vote.data, "score": self.score.data, "comment": self.comment.data}
