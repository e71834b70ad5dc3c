"""Forms of the conduct pages: a clause's new version (or a new clause), a breach report (the
public's, a media editor's, a partner's staff's on a phone, a clerk's entry), the list's
filters and each step of a case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from core.inputs import Form
from honours.conduct_models import (
    CASE_STAGE_LABELS,
    CLAUSE_KIND_LABELS,
    REVIEW_OUTCOME_LABELS,
    SOURCE_KIND_LABELS,
    SourceKind,
)
from honours.services.breach_case_steps import OPINION_MAX, Decision, ReviewChoice
from honours.services.breach_cases import DESCRIPTION_MAX, NAME_MAX, SOURCE_MAX
from honours.services.clauses import TEXT_MAX, TITLE_MAX


class ClauseVersionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    effective_from = DateField(
        _l("Takes effect on"),
        validators=[Optional()],
        description=_l("Today when left empty; never earlier."),
    )

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "text": self.text.data,
            "effective_from": self.effective_from.data,
        }


class ClauseForm(ClauseVersionForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, label) for kind, label in CLAUSE_KIND_LABELS.items()]


class ReportForm(Form):
    """A breach report. The person is chosen among those a search found (radio buttons); the
    clauses among those in force (checkboxes). Which source fields show is the page's."""

    person_id = RadioField(_l("Person"), coerce=int, validate_choice=False)
    clause_ids = SelectMultipleField(
        _l("Clauses broken"), coerce=int, validators=[DataRequired()], validate_choice=False
    )
    description = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=DESCRIPTION_MAX)],
        description=_l("When and where, what was done or said, who saw it."),
    )
    source_kind = SelectField(_l("Source"), validators=[Optional()])
    source_name = StringField(
        _l("Name of the source"),
        validators=[Optional(), Length(max=SOURCE_MAX)],
        description=_l("The outlet, agency or unit the report came from."),
    )
    reporter_name = StringField(_l("Your real name"), validators=[Optional(), Length(max=NAME_MAX)])
    reporter_phone = StringField(_l("Reporter's phone"), validators=[Optional(), Length(max=20)])
    files = MultipleFileField(_l("Evidence (photos or PDF)"), description=_l("Up to 10 files."))

    def __init__(self, *args, persons=(), clause_rows=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_id.choices = [(p.id, f"{p.name} · {p.district.label}") for p in persons]
        self.clause_ids.choices = [
            (row.clause.id, f"{row.clause.code} {row.current.title}")
            for row in clause_rows
            if row.current is not None
        ]
        self.source_kind.choices = [(kind.value, SOURCE_KIND_LABELS[kind]) for kind in sources]

    def values(self, source: SourceKind | None = None) -> dict:
        chosen = source or (SourceKind(self.source_kind.data) if self.source_kind.data else None)
        return {
            "person_id": self.person_id.data,
            "clause_ids": self.clause_ids.data or [],
            "description": self.description.data,
            "source_kind": chosen,
            "source_name": self.source_name.data,
            "reporter_name": self.reporter_name.data,
            "reporter_phone": self.reporter_phone.data,
        }


class CaseFilterForm(Form):
    class Meta:
        csrf = False

    stage = SelectField(_l("Stage"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [
            ("", str(_l("Every stage"))),
            *((stage.value, label) for stage, label in CASE_STAGE_LABELS.items()),
        ]


class OpinionForm(Form):
    opinion = TextAreaField(_l("Opinion"), validators=[Optional(), Length(max=OPINION_MAX)])


class FindingsForm(Form):
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=OPINION_MAX)])


class ConcludeForm(Form):
    choice = RadioField(_l("Conclusion"), validators=[DataRequired()])
    honour_ids = SelectMultipleField(
        _l("Honours to revoke"), coerce=int, validators=[Optional()], validate_choice=False
    )
    opinion = TextAreaField(_l("Opinion"), validators=[DataRequired(), Length(max=OPINION_MAX)])

    def __init__(self, *args, honours=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = [
            (ReviewChoice.no_breach, _l("No breach: close the case")),
            (ReviewChoice.warning, _l("A warning talk")),
            (ReviewChoice.propose_revocation, _l("Propose revoking the honours ticked")),
        ]
        self.honour_ids.choices = [
            (h.id, f"{h.honour_type.name} · {h.awarded_on.isoformat()}") for h in honours
        ]


class TalkForm(Form):
    talk_on = DateField(_l("Day of the talk"), validators=[DataRequired()])
    talk_by = StringField(_l("Held by"), validators=[DataRequired(), Length(max=120)])
    summary = TextAreaField(
        _l("What was said"), validators=[DataRequired(), Length(max=OPINION_MAX)]
    )


class ToldForm(Form):
    told_on = DateField(_l("Told on"), validators=[DataRequired()])
    how = StringField(
        _l("How"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("A letter handed over, a telephone call, in person …"),
    )


class StatementForm(Form):
    statement = TextAreaField(
        _l("The person's statement"), validators=[DataRequired(), Length(max=OPINION_MAX)]
    )


class DecisionForm(Form):
    decision = RadioField(_l("Decision"), validators=[DataRequired()])
    decision_number = StringField(
        _l("Decision document number"), validators=[Optional(), Length(max=60)]
    )
    opinion = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=OPINION_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [
            (Decision.revoke, _l("Revoke the proposed honours")),
            (Decision.keep, _l("Keep the honours")),
        ]


class ReviewRequestForm(Form):
    reason = TextAreaField(
        _l("The person's reasons"), validators=[DataRequired(), Length(max=OPINION_MAX)]
    )


class ReviewDecisionForm(Form):
    outcome = RadioField(_l("Review"), validators=[DataRequired()])
    opinion = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=OPINION_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(o.value, label) for o, label in REVIEW_OUTCOME_LABELS.items()]
