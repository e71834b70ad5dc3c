"""`flask regions` and `flask holidays`: seed the city's region tree, the sectors and the known
holiday schedules into a new database (the demo does it too), and print the tree."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core import regions, workdays
from core.extensions import db

regions_cli = AppGroup("regions", help="The city's region tree and the sectors.")
holidays_cli = AppGroup("holidays", help="The working-day calendar.")


@regions_cli.command("seed")
def seed_regions() -> None:
    """Create what is missing of the tree (the city, its districts and counties, the towns and
    streets this release knows) and the sectors; running it again creates nothing."""
    created = regions.ensure_regions()
    sectors = regions.ensure_sectors()
    db.session.commit()
    click.echo(f"Regions created: {created}; sectors created: {sectors}.")


@regions_cli.command("tree")
def print_tree() -> None:
    """Print the tree, one region a line, indented by level, with its code."""
    for row in regions.list_tree():
        click.echo(f"{'  ' * row.depth}{row.region.name}  [{row.region.code}]")


@holidays_cli.command("seed")
def seed_holidays() -> None:
    """Add the dates of the State Council's notices this release knows (2026) that the
    calendar lacks; dates the office changed are left alone."""
    added = workdays.ensure_holidays()
    db.session.commit()
    click.echo(f"Dates added: {added}.")
