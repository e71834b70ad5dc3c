"""`flask care ...`: the care records' check."""

import click
from flask.cli import AppGroup

import care.flower_models  # the flowers' tables, for migrations
import care.services.visits  # noqa: F401  (registers the receipt and photo upload kinds)
from care.services.reconcile import verify_care

care_cli = AppGroup("care", help="The four seasons of care: campaigns, budgets and visits.")


@care_cli.command("verify")
def verify() -> None:
    """Check that every budget's spent total is its visits' cash less their reversals, and
    that every reversal gives back its visit's cash; exit 1 on any that does not add up."""
    found = verify_care()
    for discrepancy in found:
        click.echo(
            f"MISMATCH {discrepancy.what}: recorded {discrepancy.recorded_fen} fen,"
            f" the records give {discrepancy.summed_fen} fen",
            err=True,
        )
    if found:
        raise SystemExit(1)
    click.echo("care records OK")
