"""`flask users ...`: accounts from the command line (the first office account, scripts)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.auth import services
from core.auth.models import Role
from core.errors import DomainError
from core.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


def fail(error: DomainError) -> None:
    """Print a domain error the way a person reads it and exit with status 1."""
    db.session.rollback()
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
    raise click.ClickException(f"{error.message}{' (' + details + ')' if details else ''}")


@users_cli.command("create")
@click.option("--phone", required=True, help="Mainland mobile number (11 digits).")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--role",
    type=click.Choice([Role.office.value, Role.volunteer.value]),
    default=Role.volunteer.value,
    show_default=True,
)
@click.password_option(
    "--password", help="Password; asked at a prompt (hidden, twice) when not given."
)
def create_user(phone: str, display_name: str, role: str, password: str) -> None:
    """Create an account."""
    try:
        user = services.create_user(
            phone=phone, password=password, display_name=display_name, role=Role(role)
        )
    except DomainError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.display_name} ({user.phone}), id {user.id}.")
