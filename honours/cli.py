"""`flask honours` commands: the standard honour types."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.extensions import db
from honours import services

honours_cli = AppGroup("honours", help="The register of good people (好人库).")


@honours_cli.command("ensure-types")
def ensure_types() -> None:
    """Create the city's standard honour types that are missing (migration 0016 made them)."""
    created = services.ensure_honour_types()
    db.session.commit()
    click.echo(f"{created} honour types created.")
