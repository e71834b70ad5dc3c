"""The flask-smorest Api, changed so that it only speaks JSON on `/api/` paths."""

from __future__ import annotations

import flask_smorest
import marshmallow as ma

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


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest would turn every HTTP error of the whole site into JSON and drop
        # Werkzeug's headers; core.errors handles both HTML and JSON in one place instead.
        pass
