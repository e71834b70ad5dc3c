"""The honour roll's search (a GET form, no CSRF): year, level, category and district."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from core.districts import list_districts
from core.forms import optional_int
from core.inputs import Form
from honours.models import CATEGORY_LABELS, LEVEL_LABELS, HonourCategory, HonourLevel
from honours.services.roll import RollFilter


class RollSearchForm(Form):
    """The roll's filters, read from the query string. A value that is not one of the
    choices (a year out of the list, a misspelt level) stays as an error beside its field."""

    class Meta:
        csrf = False

    year = SelectField(_l("Year"), coerce=optional_int, validators=[Optional()])
    level = SelectField(_l("Level"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    district_id = SelectField(_l("District"), coerce=optional_int, validators=[Optional()])

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = [("", str(_l("All years"))), *((y, str(y)) for y in years)]
        self.level.choices = [
            ("", str(_l("All levels"))),
            *((level.value, label) for level, label in LEVEL_LABELS.items()),
        ]
        self.category.choices = [
            ("", str(_l("All categories"))),
            *((category.value, label) for category, label in CATEGORY_LABELS.items()),
        ]
        self.district_id.choices = [
            ("", str(_l("All districts"))),
            *((d.id, d.label) for d in list_districts()),
        ]

    def filters(self) -> RollFilter | None:
        """The filters chosen, or None when one is not valid (its message is beside it)."""
        if not self.validate():
            return None
        return RollFilter(
            year=self.year.data,
            level=HonourLevel(self.level.data) if self.level.data else None,
            category=HonourCategory(self.category.data) if self.category.data else None,
            district_id=self.district_id.data,
        )

    def chosen(self) -> dict[str, str]:
        """The filters as query parameters, for the pages' links."""
        return {
            name: str(field.data)
            for name, field in self._fields.items()
            if field.data not in (None, "")
        }
