"""API: an upload's bytes, for clients that show a photo or open a scan a response named."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint
from core.auth.access import EVERYONE, Access
from core.clock import utcnow
from core.errors import NotAuthenticated, NotFound
from core.uploads import services
from core.uploads.views import file_response

blp = Blueprint(
    "uploads_api",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Stored files: photos, scans and evidence that other answers name by their key. Each "
        "is answered only to whom its kind admits (a public one to anyone); to anyone else it "
        "does not exist (404), and a request without a token that could not see it gets 401."
    ),
)
BEARER = [{"bearerAuth": []}]
BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_TYPES = ("image/jpeg", "image/png", "application/pdf")


@blp.route("/uploads/<upload_key>")
class OneUpload(MethodView):
    @blp.doc(
        security=[*BEARER, {}],
        parameters=[
            {
                "in": "path",
                "name": "upload_key",
                "required": True,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
            }
        ],
        responses={
            "200": {
                "description": "The file: an image shown inline, a PDF as an attachment",
                "content": {file_type: BINARY for file_type in FILE_TYPES},
            }
        },
    )
    def get(self, upload_key: str):
        user = current_user if current_user.is_authenticated else None
        try:
            upload = services.get_readable_upload(user, upload_key, now=utcnow())
        except NotFound:
            if user is None:
                raise NotAuthenticated() from None
            raise
        return file_response(upload)

    get.access = Access(EVERYONE, owner="self", why="an upload, shown to whom its kind admits")
