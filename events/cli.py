"""`flask campaigns ...` and `flask shifts ...`: the office's and the scheduler's commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.auth.cli import fail, office_actor
from core.clock import utcnow
from core.errors import DomainError
from core.extensions import db
from events import services

campaigns_cli = AppGroup("campaigns", help="Seasonal campaigns (善行四季).")
shifts_cli = AppGroup("shifts", help="Shift housekeeping.")


@campaigns_cli.command("create-year")
@click.argument("year", type=int)
def create_year(year: int) -> None:
    """Create the four standard campaigns of YEAR (seasons that have one are skipped)."""
    try:
        created = services.create_standard_year(office_actor(), year)
    except DomainError as error:
        fail(error)
    db.session.commit()
    for campaign in created:
        click.echo(
            f"Created {campaign.season.value:<15} {campaign.name} "
            f"({campaign.starts_on} – {campaign.ends_on})"
        )
    if not created:
        click.echo(f"All four campaigns of {year} exist already.")


@shifts_cli.command("close-ended")
def close_ended() -> None:
    """Check out, flagged for the leader, everyone who forgot to at the end of their shift."""
    count = services.close_ended_shifts(now=utcnow())
    db.session.commit()
    click.echo(f"Checked out {count} forgotten check-ins.")
