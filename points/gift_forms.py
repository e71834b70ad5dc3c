"""Forms of the gifting pages: asking a family member to link, answering, giving points, and
the office's award from a charity pool; the labels of relations, link states and gift kinds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from core.inputs import Form
from points.gift_models import MAX_AWARD_REASON, MAX_GIFT_NOTE, GiftKind, LinkStatus, Relation

# What the other one is to the reader of the page.
RELATION_LABELS = {
    Relation.spouse: _l("Spouse"),
    Relation.parent: _l("Parent"),
    Relation.child: _l("Child"),
    Relation.sibling: _l("Brother or sister"),
    Relation.grandparent: _l("Grandparent"),
    Relation.grandchild: _l("Grandchild"),
    Relation.other: _l("Other family"),
}

LINK_STATUS_LABELS = {
    LinkStatus.requested: _l("Waiting for confirmation"),
    LinkStatus.confirmed: _l("Confirmed"),
    LinkStatus.declined: _l("Declined"),
    LinkStatus.ended: _l("Ended"),
}

GIFT_KIND_LABELS = {
    GiftKind.family: _l("To a family member"),
    GiftKind.team_pool: _l("To a team's charity pool"),
    GiftKind.city_pool: _l("To the city's charity pool"),
}

CITY = "city"


def pool_choice(team_id: int | None) -> str:
    """A pool as a choice of a select: `city`, or `team-<id>`."""
    return CITY if team_id is None else f"team-{team_id}"


def _id_after(value: str, prefix: str) -> int | None:
    head, _, number = value.partition("-")
    return int(number) if head == prefix and number.isdigit() else None


class FamilyLinkForm(Form):
    phone = StringField(
        _l("Family member's mobile number"),
        validators=[DataRequired()],
        description=_l("They must have a volunteer account; they confirm the link themselves."),
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    relation = SelectField(_l("They are my"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relation.choices = [(r.value, label) for r, label in RELATION_LABELS.items()]

    @property
    def relation_value(self) -> Relation:
        return Relation(self.relation.data)


class AnswerForm(Form):
    """Confirm or decline (the pressed button sends `answer`)."""

    answer = StringField(validators=[AnyOf(["confirm", "decline"])])

    @property
    def accept(self) -> bool:
        return self.answer.data == "confirm"


class GiveForm(Form):
    """Whom to give to, as one choice: `family-<user id>`, `team-<team id>` or `city`."""

    to = SelectField(_l("Give to"), validators=[DataRequired()])
    amount = IntegerField(
        _l("Points"), validators=[InputRequired()], render_kw={"inputmode": "numeric", "min": 1}
    )
    note = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=MAX_GIFT_NOTE)],
        description=_l("Your family member sees it in their history."),
    )
    key = HiddenField()

    def __init__(self, family, teams, *args, **kwargs):
        """The choices: the family members of confirmed links, the user's teams' pools, the
        city's pool."""
        super().__init__(*args, **kwargs)
        self.to.choices = [
            *((f"family-{u.id}", u.display_name) for u in family),
            *((pool_choice(t.id), _l("%(team)s charity pool", team=t.name)) for t in teams),
            (CITY, _l("City charity pool")),
        ]

    @property
    def target(self) -> dict:
        """The service's kind, recipient_id and team_id for the choice."""
        value = self.to.data or ""
        if (recipient_id := _id_after(value, "family")) is not None:
            return {"kind": GiftKind.family, "recipient_id": recipient_id}
        if (team_id := _id_after(value, "team")) is not None:
            return {"kind": GiftKind.team_pool, "team_id": team_id}
        return {"kind": GiftKind.city_pool}


class PoolAwardForm(Form):
    pool = SelectField(_l("From the pool"), validators=[DataRequired()])
    phone = StringField(
        _l("Volunteer's mobile number"),
        validators=[DataRequired()],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    amount = IntegerField(
        _l("Points"), validators=[InputRequired()], render_kw={"inputmode": "numeric", "min": 1}
    )
    # The service requires the reason, so its message is the one shown.
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=MAX_AWARD_REASON)],
        description=_l("The volunteer sees it in their history."),
        render_kw={"rows": 2},
    )
    key = HiddenField()

    def __init__(self, pools, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool.choices = [
            (
                pool_choice(p.team_id),
                _l("%(name)s: %(points)d points", name=p.name, points=p.balance),
            )
            for p in pools
        ]

    @property
    def team_id(self) -> int | None:
        return _id_after(self.pool.data or "", "team")
