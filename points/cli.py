"""`flask points ...`: the ledger's proof, and the nightly expiry run by hand."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.clock import utcnow
from core.extensions import db
from points import services
from points.services import expiry

points_cli = AppGroup("points", help="Civilization practice points (文明实践积分).")


@points_cli.command("verify")
def verify() -> None:
    """Recompute every balance from the ledger and check the lots; exit 1 on any mismatch."""
    check = services.verify_ledger()
    click.echo(f"{check.accounts} accounts, {check.entries} entries, sum of balances {check.total}")
    for account_id, cached, real in check.mismatches:
        click.echo(f"MISMATCH account {account_id}: cached {cached}, entries give {real}", err=True)
    for account_id in check.overdrawn:
        click.echo(f"OVERDRAWN account {account_id}", err=True)
    click.echo(f"{check.lots.lots} lots")
    for account_id, balance, held in check.lots.accounts_out_of_step:
        click.echo(f"LOTS account {account_id}: balance {balance}, open lots hold {held}", err=True)
    for lot_id, remaining, expected in check.lots.lots_out_of_step:
        click.echo(f"LOT {lot_id}: remaining {remaining}, amount less draws {expected}", err=True)
    if not check.ok:
        raise SystemExit(1)
    click.echo("ledger OK")


@points_cli.command("expire")
def expire() -> None:
    """Expire the points due by today under the policy in force, one entry per volunteer,
    committing after each (what the scheduler does nightly; running it again expires
    nothing more)."""
    expired = expiry.expire_points(now=utcnow(), after_each=db.session.commit)
    db.session.commit()
    click.echo(f"points expired for {expired} volunteers")
