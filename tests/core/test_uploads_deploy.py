"""The deployment guide's part for uploads (docs/deploy.md): nginx lets through what the app
accepts, the app unit may write the upload directory, every restore step checks the uploads,
and the guide's order (the database first, then the directory) restores files that open."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from app import create_app
from core.extensions import db
from core.settings import current_settings
from core.uploads import services as uploads
from tests.builders import make_user
from tests.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs/deploy.md").read_text()
NOW = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
KIND = "deploy_test_photo"
uploads.register_kind(KIND, may_read=lambda user, upload, now: False)


def env_example_value(name: str) -> str:
    found = re.search(rf"^{name}=(\S*)$", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert found, name
    return found[1]


def code_blocks(section: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)


def test_nginx_lets_through_the_largest_request_the_app_takes():
    nginx = (ROOT / "deploy/nginx/volunteer-points.conf").read_text()
    nginx_mb = int(re.search(r"client_max_body_size (\d+)m;", nginx)[1])
    app = create_app(app_config("sqlite://", UPLOAD_MAX_MB=int(env_example_value("UPLOAD_MAX_MB"))))

    assert nginx_mb * 1024 * 1024 >= app.config["MAX_CONTENT_LENGTH"]


def test_the_app_unit_may_write_the_upload_directory_the_guide_names():
    unit = (ROOT / "deploy/systemd/volunteer-points@.service").read_text()
    writable = re.search(r"^ReadWritePaths=(.*)$", unit, re.MULTILINE)[1].split()

    assert "-/srv/volunteer-points/uploads" in writable
    assert "UPLOAD_STORAGE=/srv/volunteer-points/uploads-restored" in GUIDE
    assert env_example_value("UPLOAD_STORAGE") == "database"


def test_every_restore_in_the_guide_checks_the_uploads_after_the_ledger():
    backups = GUIDE[GUIDE.index("## 11.") : GUIDE.index("## 12.")]
    checks = [block for block in code_blocks(backups) if "points verify" in block]

    # The monthly drill, the PostgreSQL restore, the SQLite restore.
    assert len(checks) == 3
    for block in checks:
        assert block.index("points verify") < block.index("uploads verify"), block
    # The directory is copied after the dump, by the backup unit itself.
    assert "ExecStartPost=+/usr/bin/rsync -a /srv/volunteer-points/uploads/" in backups


def _photo() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 160, 90)).save(image, format="JPEG")
    image.seek(0)
    return image


def _verify(database: Path, directory: Path):
    app = create_app(app_config(f"sqlite:///{database}", UPLOAD_STORAGE=str(directory)))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["uploads", "verify"])
        db.engine.dispose()
    return result


def test_a_backup_taken_as_the_guide_says_restores_uploads_that_open(tmp_path):
    live_db, live_files = tmp_path / "live.sqlite3", tmp_path / "uploads"
    app = create_app(app_config(f"sqlite:///{live_db}", UPLOAD_STORAGE=str(live_files)))
    with app.app_context():
        db.create_all()
        upload = uploads.store_upload(
            make_user(),
            kind=KIND,
            stream=_photo(),
            filename="photo.jpg",
            now=NOW,
            settings=current_settings().uploads,
        )
        location = upload.location
        db.session.commit()
        db.engine.dispose()

    # The database first (sqlite3's online backup, as `.backup` does), then the directory.
    backup_db, backup_files = tmp_path / "backup.sqlite3", tmp_path / "backup-uploads"
    with sqlite3.connect(live_db) as source, sqlite3.connect(backup_db) as target:
        source.backup(target)
    source.close()
    target.close()
    shutil.copytree(live_files, backup_files)

    restored = _verify(backup_db, backup_files)
    assert restored.exit_code == 0, restored.output
    assert "1 uploads read" in restored.output and "uploads OK" in restored.output

    (backup_files / location).unlink()
    missing = _verify(backup_db, backup_files)
    assert missing.exit_code == 1
    assert "is missing" in missing.output
