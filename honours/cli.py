"""`flask honours` commands: the standard honour types, marking expired courtesy cards, and the
bus companies' lists of card numbers."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.clock import utcnow
from core.extensions import db
from honours import services
from honours.bus_models import ListMaker
from honours.services import bus_list, cards

honours_cli = AppGroup("honours", help="The register of good people (好人库).")


@honours_cli.command("ensure-types")
def ensure_types() -> None:
    """Create the city's standard honour types that are missing (migration 0016 made them)."""
    created = services.ensure_honour_types()
    db.session.commit()
    click.echo(f"{created} honour types created.")


@honours_cli.command("expire-cards")
def expire_cards() -> None:
    """Mark the active courtesy cards past their validity date as expired (the scheduler does
    it every night too; running it again changes nothing)."""
    expired = cards.expire_cards(utcnow())
    db.session.commit()
    click.echo(f"{expired} cards expired.")


@honours_cli.command("bus-list")
def bus_lists() -> None:
    """Make tonight's list of card numbers for every approved bus partner now (the scheduler
    does it every night; a partner's list made tonight already stays as it is)."""
    done = bus_list.make_exports(now=utcnow(), made_by=ListMaker.command)
    db.session.commit()
    click.echo(f"{done}.")
