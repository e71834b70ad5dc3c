"""What every input must be before it reaches a service: integers within the columns' range,
text free of control characters. One mechanism for paths, query strings, forms and JSON bodies,
so a new route, form or schema is covered without anyone remembering.

Every integer column is a 32-bit signed INTEGER, so PostgreSQL refuses a larger value with an
error (and a NUL in text likewise) that would otherwise surface as a 500.
"""

from __future__ import annotations

import math
import unicodedata

import marshmallow as ma
from flask import Request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms import Field, TextAreaField
from wtforms.validators import StopValidation

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
LINE_BREAKS = frozenset("\n\r\t")

OUT_OF_RANGE = _l("Enter a number between %(min)d and %(max)d.", min=INT_MIN, max=INT_MAX)
CONTROL_CHARACTERS = _l("Remove the control characters from this text.")
LINE_BREAK = _l("Enter this on one line.")
NOT_FINITE = _l("Enter a finite number.")


def text_problem(value: str, *, multiline: bool = False):
    """Why `value` cannot be stored as text, or None: a control character (NUL and the like), a
    lone surrogate (not encodable), or a line break in a single-line field."""
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            if char not in LINE_BREAKS:
                return CONTROL_CHARACTERS
            if not multiline:
                return LINE_BREAK
    return None


def value_problem(value, *, multiline: bool = False):
    """Why a parsed input value cannot be stored, or None; lists are checked item by item."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else OUT_OF_RANGE
    if isinstance(value, float):
        return None if math.isfinite(value) else NOT_FINITE
    if isinstance(value, str):
        return text_problem(value, multiline=multiline)
    if isinstance(value, list | tuple):
        return next(filter(None, (value_problem(v, multiline=multiline) for v in value)), None)
    return None


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a non-negative integer no larger than the column holds, so an
    id beyond the range answers 404 like any id that names nothing."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


class BoundedArgs(ImmutableMultiDict):
    """Query and form arguments whose `get(name, type=int)` treats a number beyond the column's
    range like any malformed one: the default is returned (pages that read a filter this way
    drop what they cannot use)."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default, type)
        if type is int and value is not default and value_problem(value) is not None:
            return default
        return value


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


# marshmallow: every API schema ---------------------------------------------------------------


class _Storable(ma.validate.Validator):
    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        problem = value_problem(value, multiline=self.multiline)
        if problem is not None:
            raise ma.ValidationError(str(problem))
        return value


# A text field that may hold line breaks and tabs: `ma.fields.String(metadata=MULTILINE)`.
MULTILINE = {"multiline": True}


def _guard(field: ma.fields.Field) -> None:
    if isinstance(field, ma.fields.List):
        _guard(field.inner)
    elif isinstance(field, ma.fields.Dict | ma.fields.Mapping):
        for part in (field.key_field, field.value_field):
            if part is not None:
                _guard(part)
    elif isinstance(field, ma.fields.String | ma.fields.Integer | ma.fields.Float):
        field.validators.append(_Storable(multiline=field.metadata.get("multiline", False)))


class Schema(ma.Schema):
    """The base of every API schema: each integer it loads fits the columns, each string is free
    of control characters (a field with `metadata=MULTILINE` may hold line breaks and tabs).
    Nested schemas inherit it too."""

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        _guard(field_obj)


# WTForms: every page form --------------------------------------------------------------------


def _storable(form, field: Field) -> None:
    problem = value_problem(field.data, multiline=isinstance(field, TextAreaField))
    if problem is not None:
        # A view that reads a field despite its error (the search filters do) must not get the
        # value either.
        field.data = None
        raise StopValidation(str(problem))


class Form(FlaskForm):
    """The base of every page form: after its own checks, each field's value must fit the
    columns and be free of control characters (a text area may hold line breaks and tabs)."""

    # The status of the refusal the service answered the form with (see core.pages.submit).
    refused_with: int | None = None

    @property
    def status(self) -> int:
        """The HTTP status to show the form with: the service's refusal, 422 for errors of its
        own, else 200."""
        if self.refused_with is not None:
            return self.refused_with
        return 422 if self.errors or self.form_errors else 200

    def validate(self, extra_validators=None) -> bool:
        extra = {name: [_storable] for name in self._fields}
        for name, validators in (extra_validators or {}).items():
            extra[name] = [*validators, _storable]
        return super().validate(extra_validators=extra)
