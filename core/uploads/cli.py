"""`flask uploads ...`: checking that every upload's bytes are where its row says."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.settings import current_settings
from core.uploads import services

uploads_cli = AppGroup("uploads", help="Stored files (photos, scans, evidence).")


@uploads_cli.command("verify")
@click.option("--latest", type=click.IntRange(min=1), help="Read only this many, the newest first.")
def verify(latest: int | None) -> None:
    """Read back the stored uploads and check each one's size and SHA-256; after a restore,
    this proves the files came back with the database. Exits 1 naming each one missing or
    changed."""
    settings = current_settings().uploads
    check = services.verify_uploads(settings, latest=latest)
    click.echo(f"{check.read} uploads read from {settings.directory or 'the database'}")
    for problem in check.problems:
        click.echo(f"BROKEN {problem}", err=True)
    if check.problems:
        raise SystemExit(1)
    click.echo("uploads OK")
