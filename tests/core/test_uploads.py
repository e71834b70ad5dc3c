"""Uploads: each check of a stored file (size, type by content, pixels, metadata), both
storage backends, and who may read a file through the page and the API."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.auth.models import Role
from core.errors import ValidationFailed
from core.extensions import db
from core.settings import current_settings
from core.uploads import services as uploads
from core.uploads.content import FileType
from core.uploads.models import StorageBackend, Upload, UploadBlob
from tests.builders import make_user
from tests.conftest import sign_in

NOW = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)


def _uploader_only(user, upload, now) -> bool:
    return user is not None and upload.uploaded_by_id == user.id


PHOTO = "test_photo"
SCAN = "test_scan"
PDF_ONLY = "test_pdf"
ID_CARD = "test_id_card"
uploads.register_kind(PHOTO, may_read=_uploader_only)
uploads.register_kind(SCAN, may_read=_uploader_only, accepts=frozenset(FileType))
uploads.register_kind(PDF_ONLY, may_read=_uploader_only, accepts=frozenset({FileType.pdf}))
uploads.register_kind(ID_CARD, may_read=_uploader_only, sensitive=True)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image_bytes(size=(40, 30), fmt="JPEG", color=(10, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A 40×30 JPEG taken "on its side" (EXIF orientation 6) with a GPS position and a camera
    in its EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 56.0, 7.0), 3: "E", 4: (119.0, 35.0, 52.0)}
    return image_bytes(exif=exif.tobytes())


def huge_png(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims `width`×`height` pixels (a decompression bomb)."""
    data = bytearray(image_bytes((1, 1), fmt="PNG"))
    # The IHDR chunk: length (4), type (4), then width and height, then its CRC.
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29]))
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def store(user, data: bytes, *, kind=PHOTO, filename="photo.jpg", settings=None) -> Upload:
    return uploads.store_upload(
        user,
        kind=kind,
        stream=io.BytesIO(data),
        filename=filename,
        now=NOW,
        settings=settings or current_settings().uploads,
    )


def refusal(user, data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationFailed) as refused:
        store(user, data, **kwargs)
    assert db.session.scalar(select(func.count(Upload.id))) == 0
    return refused.value.errors["file"][0]


# The checks -------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(make_app):
    app = make_app(UPLOAD_MAX_MB=1)
    with app.app_context():
        user = make_user()
        message = refusal(user, b"\xff\xd8" + bytes(1024 * 1024))
    assert "1 MB" in message


def test_an_empty_file_is_refused(app):
    assert refusal(make_user(), b"")


@pytest.mark.parametrize(
    "data",
    [b"GIF89a not really", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"MZ\x90\x00 program"],
    ids=["gif", "svg", "exe"],
)
def test_what_is_not_an_accepted_image_is_refused_whatever_its_name(app, data):
    message = refusal(make_user(), data, filename="photo.jpg")
    assert "JPEG" in message


def test_a_pdf_claimed_as_an_image_is_refused(app):
    message = refusal(make_user(), PDF, kind=PHOTO, filename="photo.jpg")
    assert "JPEG" in message


def test_an_image_claimed_as_a_pdf_is_refused_by_a_kind_that_takes_pdf_only(app):
    message = refusal(make_user(), image_bytes(), kind=PDF_ONLY, filename="scan.pdf")
    assert "PDF" in message


def test_a_kind_taking_both_stores_each_as_what_its_bytes_are(app):
    user = make_user()
    pdf = store(user, PDF, kind=SCAN, filename="photo.jpg")
    image = store(user, image_bytes(), kind=SCAN, filename="scan.pdf")

    assert (pdf.content_type, pdf.filename, pdf.width) == ("application/pdf", "photo.pdf", None)
    assert (image.content_type, image.filename) == ("image/jpeg", "scan.jpg")
    assert (image.width, image.height) == (40, 30)


def test_a_damaged_file_is_refused(app):
    user = make_user()
    assert refusal(user, image_bytes((400, 300))[:600]) == "无法读取这张图片，文件可能已损坏。"
    assert refusal(user, PDF[:30], kind=SCAN) == "这个 PDF 文件已损坏或不完整。"


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app):
    user = make_user()
    # Beyond Pillow's own limit (it refuses), and beyond ours only (we do).
    assert refusal(user, huge_png(30_000, 30_000), filename="bomb.png") == (
        "这张图片太大（最多 40 百万像素），请换一张小一些的照片。"
    )
    assert refusal(user, huge_png(10_000, 5_000), filename="bomb.png") == (
        "这张图片太大（50 百万像素，最多 40 百万像素），请换一张小一些的照片。"
    )


def test_the_pixel_limit_is_a_setting(make_app):
    app = make_app(UPLOAD_MAX_PIXELS=1_000)
    with app.app_context():
        message = refusal(make_user(), image_bytes((50, 50)))
    assert "最多 0.001 百万像素" in message


def test_an_image_is_stored_upright_without_its_exif_and_gps_position(app):
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    upload = store(make_user(), original)
    stored = uploads.read_upload(upload, current_settings().uploads)

    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    reopened = Image.open(io.BytesIO(stored))
    assert dict(reopened.getexif()) == {}
    assert "exif" not in reopened.info and "icc_profile" not in reopened.info
    # Turned by its orientation before the EXIF went.
    assert reopened.size == (30, 40) == (upload.width, upload.height)
    assert upload.content_type == "image/jpeg" and reopened.format == "JPEG"


def test_png_stays_png_and_webp_becomes_jpeg(app):
    user = make_user()
    transparent = io.BytesIO()
    Image.new("RGBA", (5, 5), (0, 0, 0, 0)).save(transparent, format="PNG")
    png = store(user, transparent.getvalue(), filename="scan.png")
    webp = store(user, image_bytes(fmt="WEBP"), filename="photo.webp")

    assert (png.content_type, png.filename) == ("image/png", "scan.png")
    stored = Image.open(io.BytesIO(uploads.read_upload(png, current_settings().uploads)))
    assert stored.mode == "RGBA"
    assert (webp.content_type, webp.filename) == ("image/jpeg", "photo.jpg")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.png", "passwd.jpg"),
        ("..\\..\\windows\\win.ini", "win.jpg"),
        ("C:\\Users\\李\\证件 照.JPG", "证件 照.jpg"),
        ("/srv/volunteer-points/instance/secret_key", "secret_key.jpg"),
        ('a\x00b\r\nc;"quote".jpg', "abc_quote.jpg"),
        ("..", "upload.jpg"),
        ("", "upload.jpg"),
        (None, "upload.jpg"),
        ("长" * 300 + ".jpg", "长" * 116 + ".jpg"),
    ],
)
def test_a_file_name_keeps_no_path_and_no_unsafe_character(given, kept):
    assert uploads.safe_filename(given, "jpg") == kept


def test_an_unregistered_kind_is_a_mistake_of_the_caller(app):
    with pytest.raises(ValueError, match="no upload kind"):
        store(make_user(), image_bytes(), kind="nobody_registered_this")
    with pytest.raises(ValueError, match="registered already"):
        uploads.register_kind(PHOTO, may_read=_uploader_only)


# Storage ----------------------------------------------------------------------------------


def test_the_database_backend_keeps_the_bytes_in_a_table_of_their_own(app, client):
    user = make_user()
    upload = store(user, image_bytes())
    assert upload.storage is StorageBackend.database and upload.location is None
    blob = db.session.get(UploadBlob, upload.id)
    db.session.commit()

    sign_in(client, user)
    response = client.get(f"/uploads/{upload.public_key}")
    assert response.status_code == 200
    assert response.data == blob.data
    assert len(response.data) == upload.size


def test_the_directory_backend_writes_a_file_named_by_the_key(make_app, tmp_path):
    app = make_app(UPLOAD_STORAGE=str(tmp_path / "shared"))
    with app.app_context():
        user = make_user()
        upload = store(user, image_bytes(), filename="../../../x.jpg")
        key, size, sha = upload.public_key, upload.size, upload.sha256
        db.session.commit()
        assert upload.storage is StorageBackend.directory
        assert db.session.get(UploadBlob, upload.id) is None

        path = tmp_path / "shared" / key[:2] / key
        assert path.is_file() and path.stat().st_size == size
        # Written whole and renamed: no temporary file is left beside it.
        assert [p.name for p in path.parent.iterdir()] == [key]
        assert path.stat().st_mode & 0o077 == 0

        client = sign_in(app.test_client(), user)
        response = client.get(f"/uploads/{key}")
        assert response.status_code == 200
        assert response.data == path.read_bytes()
        assert hashlib.sha256(response.data).hexdigest() == sha
        response.close()


def test_a_file_written_in_a_transaction_that_rolls_back_is_removed(make_app, tmp_path):
    app = make_app(UPLOAD_STORAGE=str(tmp_path))
    with app.app_context():
        upload = store(make_user(), image_bytes())
        path = tmp_path / upload.location
        assert path.is_file()
        db.session.rollback()
        assert not path.exists()


def test_verify_reads_every_upload_back_and_names_what_is_missing(make_app, tmp_path):
    app = make_app(UPLOAD_STORAGE=str(tmp_path))
    with app.app_context():
        first = store(make_user(), image_bytes())
        second = store(make_user(), image_bytes(color=(1, 2, 3)))
        db.session.commit()
        runner = app.test_cli_runner()

        good = runner.invoke(args=["uploads", "verify"])
        assert good.exit_code == 0, good.output
        assert "2 uploads read" in good.output and "uploads OK" in good.output

        (tmp_path / first.location).unlink()
        (tmp_path / second.location).write_bytes(b"changed")
        latest = runner.invoke(args=["uploads", "verify", "--latest", "1"])
        broken = runner.invoke(args=["uploads", "verify"])

    assert latest.exit_code == 1 and "1 uploads read" in latest.output
    assert broken.exit_code == 1
    assert f"upload {first.id}" in broken.output and "is missing" in broken.output
    assert f"upload {second.id}: its bytes are not those stored" in broken.output


# Reading ----------------------------------------------------------------------------------


@pytest.fixture
def owner_and_photo(app):
    owner = make_user(display_name="上传者")
    upload = store(owner, image_bytes(), filename="我的照片.jpg")
    db.session.commit()
    return owner, upload


def test_the_uploader_gets_the_image_inline_with_safe_headers(app, client, owner_and_photo):
    owner, upload = owner_and_photo
    sign_in(client, owner)

    response = client.get(f"/uploads/{upload.public_key}")

    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert (
        "filename*=UTF-8''%E6%88%91%E7%9A%84%E7%85%A7%E7%89%87.jpg"
        in (response.headers["Content-Disposition"])
    )
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    # Asked again, unchanged: 304, after the reader is checked again.
    again = client.get(
        f"/uploads/{upload.public_key}", headers={"If-None-Match": f'"{upload.sha256}"'}
    )
    assert again.status_code == 304


def test_someone_else_gets_404_and_a_visitor_is_sent_to_sign_in(app, owner_and_photo):
    _, upload = owner_and_photo
    other = make_user()
    office = make_user(role=Role.office)
    db.session.commit()

    for user in (other, office):
        response = sign_in(app.test_client(), user).get(f"/uploads/{upload.public_key}")
        assert response.status_code == 404, user
        assert "我的照片" not in response.text

    visitor = app.test_client().get(f"/uploads/{upload.public_key}")
    assert visitor.status_code == 302 and visitor.location.startswith("/login?next=")
    # A key that names nothing, or is not a key at all, answers the same.
    signed_in = sign_in(app.test_client(), other)
    for key in ("A" * 43, "..%2F..%2Fetc%2Fpasswd", "x%00y", "z" * 300):
        assert signed_in.get(f"/uploads/{key}").status_code == 404, key


def test_the_api_answers_the_uploader_and_refuses_others_as_not_found(
    app, client, bearer, owner_and_photo
):
    owner, upload = owner_and_photo
    url = f"/api/v1/uploads/{upload.public_key}"

    mine = client.get(url, headers=bearer(owner))
    theirs = client.get(url, headers=bearer(make_user()))
    visitor = client.get(url)

    assert mine.status_code == 200 and mine.mimetype == "image/jpeg"
    assert mine.data == uploads.read_upload(upload, current_settings().uploads)
    assert theirs.status_code == 404 and theirs.json["code"] == "not_found"
    assert visitor.status_code == 401 and visitor.json["code"] == "not_authenticated"


def test_a_public_upload_is_served_to_anyone_and_may_be_cached(app, owner_and_photo):
    _, upload = owner_and_photo
    uploads.set_public(upload, True)
    db.session.commit()

    response = app.test_client().get(f"/uploads/{upload.public_key}")
    api = app.test_client().get(f"/api/v1/uploads/{upload.public_key}")

    assert response.status_code == 200 and api.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=600"
    assert "Cross-Origin-Resource-Policy" not in response.headers

    uploads.set_public(upload, False)
    db.session.commit()
    assert app.test_client().get(f"/uploads/{upload.public_key}").status_code == 302


def test_a_pdf_is_downloaded_and_a_sensitive_kind_is_never_cached(app, client):
    owner = make_user()
    pdf = store(owner, PDF, kind=SCAN, filename="证明.pdf")
    card = store(owner, image_bytes(), kind=ID_CARD, filename="card.jpg")
    db.session.commit()
    sign_in(client, owner)

    download = client.get(f"/uploads/{pdf.public_key}")
    card_response = client.get(f"/uploads/{card.public_key}")

    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == PDF
    assert card_response.headers["Cache-Control"] == "private, no-store"


def test_a_file_missing_from_storage_answers_404_and_is_logged(make_app, tmp_path, caplog):
    app = make_app(UPLOAD_STORAGE=str(tmp_path))
    with app.app_context():
        owner = make_user()
        upload = store(owner, image_bytes())
        db.session.commit()
        (tmp_path / upload.location).unlink()
        response = sign_in(app.test_client(), owner).get(f"/uploads/{upload.public_key}")
    assert response.status_code == 404
    assert "cannot be served" in caplog.text


# The request size limit -------------------------------------------------------------------


def test_a_request_over_the_size_limit_gets_a_translated_answer(make_app):
    app = make_app(UPLOAD_MAX_MB=1)
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    client = app.test_client()

    page = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    api = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")

    assert page.status_code == 413 and "上传的文件太大" in page.text
    assert api.status_code == 413 and api.json["message"] == "上传的文件太大。"


def test_a_refusal_is_said_in_the_readers_language(make_app):
    app = make_app(UPLOAD_MAX_MB=1)
    big = b"\xff\xd8" + bytes(1024 * 1024)
    with app.test_request_context("/"):
        chinese = refusal(make_user(), big)
        db.session.rollback()
    # The API follows Accept-Language (pages follow the language switch).
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": "en"}):
        english = refusal(make_user(), PDF, kind=PHOTO)

    assert chinese == "文件超过 1 MB，请换一个小一些的文件。"
    assert english == "This file cannot be accepted: please send an image (JPEG, PNG or WebP)."
