"""The flask-smorest Api, changed so that it only speaks JSON on `/api/` paths."""

from __future__ import annotations

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin

from core.inputs import Schema


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

    def _register_error_handlers(self):
        # flask-smorest would turn every HTTP error of the whole site into JSON and drop
        # Werkzeug's headers; core.errors handles both HTML and JSON in one place instead.
        pass
