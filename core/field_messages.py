"""marshmallow's field messages in the request's language.

marshmallow writes its messages in English and fills in their values ("Longer than maximum
length 200."); an answer in Chinese should not carry them so. Each template below is matched
against a message as marshmallow made it, and the translated template is filled with the same
values. A message that matches none (our own, already translated) is kept as it is.
"""

from __future__ import annotations

import re

from flask_babel import gettext


def _l(template: str) -> str:
    """Marks a template for the catalogue (extraction looks for `_l(...)`); it is translated
    when a message is, by `translated`."""
    return template


# marshmallow's templates (fields and validators).
TEMPLATES = [
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid input type."),
    _l("Invalid input."),
    _l("Invalid type."),
    _l("Invalid value."),
    _l("Unknown field."),
    _l("Not a valid string."),
    _l("Not a valid utf-8 string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Number too large."),
    _l("Not a valid boolean."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid aware datetime."),
    _l("Not a valid naive datetime."),
    _l("Not a valid email address."),
    _l("Not a valid URL."),
    _l("Not a valid UUID."),
    _l("Not a valid list."),
    _l("Not a valid tuple."),
    _l("Not a valid mapping type."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("String does not match expected pattern."),
    _l("Must be one of: {choices}."),
    _l("Length must be between {min} and {max}."),
    _l("Length must be {equal}."),
    _l("Shorter than minimum length {min}."),
    _l("Longer than maximum length {max}."),
    _l("Must be greater than or equal to {min} and less than or equal to {max}."),
    _l("Must be greater than or equal to {min}."),
    _l("Must be less than or equal to {max}."),
    _l("Must be greater than {min}."),
    _l("Must be less than {max}."),
    _l("Must be equal to {other}."),
]
_FIELD = re.compile(r"\{(\w+)\}")


def _pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template)
    # split gives text, name, text, name, ...: names become groups, text is matched as it is.
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


_PATTERNS = [(_pattern(template), template) for template in TEMPLATES]


def translated(message: str) -> str:
    """`message` in the request's language if it is one of marshmallow's, else as it is."""
    for pattern, template in _PATTERNS:
        found = pattern.match(message)
        if found:
            return gettext(template).format(**found.groupdict())
    return message
