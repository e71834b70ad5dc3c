"""The flask-smorest Api, changed so that it only speaks JSON on `/api/` paths, and its Blueprint
with the one pagination every list of the API has."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import request
from flask_babel import gettext as _
from flask_smorest import Page

from core.errors import ValidationFailed
from core.inputs import Schema

if TYPE_CHECKING:
    from core.rows import Slice, Window


class ErrorSchema(Schema):
    """The one error shape of the API (for the OpenAPI document)."""

    code = ma.fields.String(metadata={"description": "Stable machine-readable error code"})
    message = ma.fields.String(metadata={"description": "Human-readable message"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages per field"},
    )


# What the document says of request bodies --------------------------------------------------


class OptionalBodies(BasePlugin):
    """A JSON body whose schema requires no field may be left out: webargs reads a missing body
    as `{}` (PATCH /me/profile without one changes nothing), so the document must not call it
    required, as flask-smorest does of every body."""

    def init_spec(self, spec):
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs):
        # Runs after the marshmallow plugin, so a body's schema is a $ref to its component.
        for operation in (operations or {}).values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and not any(self._requires(media) for media in body["content"].values()):
                body["required"] = False

    def _requires(self, media: dict) -> bool:
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            schema = self.spec.components.schemas[ref.rsplit("/", 1)[1]]
        return bool(schema.get("required"))


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, *, extra_plugins=None, **options):
        plugins = [*(extra_plugins or ()), OptionalBodies()]
        super()._init_spec(extra_plugins=plugins, **options)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.before_request(self._refuse_unknown_query_parameters)

    def _refuse_unknown_query_parameters(self) -> None:
        """A query parameter the document does not name is refused (422), not ignored: a
        client that misspells `page_size` learns it instead of getting the default."""
        rule = request.url_rule
        if rule is None or not request.path.startswith("/api/v1/") or not request.args:
            return
        known = self._query_names().get((rule.rule, request.method.lower()))
        if known is None:
            return
        unknown = sorted(set(request.args) - known)
        if unknown:
            raise ValidationFailed(errors={name: [_("Unknown field.")] for name in unknown})

    def _query_names(self) -> dict[tuple[str, str], set[str]]:
        """(Flask rule, method) → the query parameters the OpenAPI document names for it."""
        if self._known_query is None:
            document = self.spec.to_dict()
            known = {}
            for path, item in document["paths"].items():
                for method, operation in item.items():
                    if not isinstance(operation, dict) or "responses" not in operation:
                        continue
                    names = {
                        parameter["name"]
                        for parameter in operation.get("parameters", [])
                        if parameter.get("in") == "query"
                    }
                    known[(_flask_rule(path), method)] = names
            self._known_query = known
        return self._known_query

    _known_query: dict | None = None

    def _register_error_handlers(self):
        # flask-smorest would turn every HTTP error of the whole site into JSON and drop
        # Werkzeug's headers; core.errors handles both HTML and JSON in one place instead.
        pass


def _flask_rule(path: str) -> str:
    """/api/v1/shifts/{shift_id} → /api/v1/shifts/<int:shift_id>: every path parameter of the
    API is an id."""
    return re.sub(r"\{(\w+)\}", r"<int:\1>", path)


# Pagination ---------------------------------------------------------------------------------

# Past this page an OFFSET would only find nothing (and a huge one overflows the database's).
MAX_PAGE = 10_000


class Blueprint(flask_smorest.Blueprint):
    """Every list of the API comes in pages of one shape: `page` and `page_size` in the query
    (50 by default, at most 100), the body a JSON array, and where it stands (total, pages,
    next and previous) in the `X-Pagination` header, as flask-smorest documents it.

    A list read whole and bounded by its nature (a shift's attendance, one user's tokens) is cut
    by `paginate(Page)`; a list that grows is read a window at a time in SQL
    (`core.rows.read_slice`)."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 100}

    def _document_pagination_metadata(self, spec, resp_doc):
        # A header's value is text: flask-smorest documents the JSON in it as an object, which
        # no header can be; say what the text holds instead.
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Where this page stands, as JSON: total, total_pages, first_page, "
            "last_page, page, previous_page and next_page (the last three when there is one)",
            "schema": {"type": "string"},
        }


def window_of(pagination_parameters: Any) -> Window:
    """The window a request's pagination asks for (its page capped at MAX_PAGE)."""
    # Imported here: core.rows needs core.extensions, which builds the Api from this module.
    from core.rows import Window

    page = min(pagination_parameters.page, MAX_PAGE)
    size = pagination_parameters.page_size
    return Window(first=(page - 1) * size, size=size)


def answer_page(pagination_parameters: Any, found: Slice) -> list:
    """Tell the pagination header how long the list is, and answer with the page's items."""
    pagination_parameters.item_count = found.total
    return found.items


__all__ = ["Api", "Blueprint", "Page", "answer_page", "window_of"]
