"""`flask points ...`: the ledger's proof."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from points import services

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
