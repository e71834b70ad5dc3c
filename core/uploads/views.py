"""Serving an upload to whom its kind admits (a page's <img> or a download link), and the
request size limit that goes with uploading."""

from __future__ import annotations

import io
import logging

from flask import Blueprint, Flask, Response, send_file
from flask_login import current_user

from core.auth.access import EVERYONE, Access
from core.clock import utcnow
from core.errors import NotFound
from core.extensions import login_manager
from core.settings import current_settings
from core.uploads import services
from core.uploads.models import Upload
from core.uploads.storage import StorageMissing

log = logging.getLogger(__name__)

bp = Blueprint("uploads", __name__)

# A request may carry a file of the largest size allowed and the form around it; anything
# larger is refused by Werkzeug before it is read (413, core.errors' translated answer).
FORM_ALLOWANCE = 1024 * 1024
# How long a shared cache may keep a public upload: a photo taken off the public roll is
# gone from caches within this time.
PUBLIC_MAX_AGE = 600


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_MAX_MB"] * 1024 * 1024 + (
            FORM_ALLOWANCE
        )


def file_response(upload: Upload) -> Response:
    """The upload's bytes as an answer: its own type (found from the content when stored),
    never sniffed; shown in the page if an image, else downloaded; cached by browsers only
    as its kind allows, and by shared caches only if it is public. Raises NotFound if the
    bytes are missing from storage (logged: an operator must restore them)."""
    settings = current_settings().uploads
    try:
        path = services.file_of_upload(upload, settings)
        source = path if path is not None else io.BytesIO(services.read_upload(upload, settings))
    except StorageMissing:
        log.exception("upload %s cannot be served", upload.id)
        raise NotFound() from None
    response = send_file(
        source,
        mimetype=upload.content_type,
        as_attachment=not upload.is_image,
        download_name=upload.filename,
        conditional=True,
        etag=upload.sha256,
        last_modified=upload.created_at,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if upload.is_public:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        return response
    # A private file is asked for again each time (a 304 while it is unchanged), so that a
    # reader who lost the right loses the file too; a sensitive one is never kept at all.
    sensitive = services.is_sensitive(upload)
    response.headers["Cache-Control"] = "private, no-store" if sensitive else "private, no-cache"
    # Only our own pages may embed it.
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get("/uploads/<upload_key>")
def show(upload_key: str):
    user = current_user if current_user.is_authenticated else None
    try:
        upload = services.get_readable_upload(user, upload_key, now=utcnow())
    except NotFound:
        if user is None:
            # A visitor may be someone who may see it once signed in (a link in an email).
            return login_manager.unauthorized()
        raise
    return file_response(upload)


# Open to everyone (a public upload needs no account); whether the asker may see the file is
# its kind's reader's to say, and a refusal looks like a file that does not exist.
show.access = Access(EVERYONE, owner="self", why="an upload, shown to whom its kind admits")
