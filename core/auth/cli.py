"""`flask users ...`: accounts from the command line (the first office account, scripts)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.auth import admin, recovery, services
from core.auth.models import Role, User
from core.clock import utcnow
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


def _account(phone: str) -> User:
    try:
        user = services.find_user_by_phone(services.normalize_phone(phone))
    except DomainError as error:
        fail(error)
    if user is None:
        raise click.ClickException(f"No account has the mobile number {phone}.")
    return user


def office_actor() -> User:
    """The command line acts with the office's authority; this stand-in is never saved."""
    return User(id=0, phone="", password_hash="", display_name="cli", role=Role.office)


def _set_enabled(phone: str, enabled: bool) -> None:
    user = _account(phone)
    try:
        admin.set_account_enabled(office_actor(), user.id, enabled=enabled, now=utcnow())
    except DomainError as error:
        fail(error)
    db.session.commit()


@users_cli.command("disable")
@click.argument("phone")
def disable_user(phone: str) -> None:
    """Disable an account: it is signed out everywhere and cannot sign in."""
    _set_enabled(phone, False)
    click.echo(f"Disabled {phone}; its sessions and tokens have ended.")


@users_cli.command("enable")
@click.argument("phone")
def enable_user(phone: str) -> None:
    """Enable a disabled account again."""
    _set_enabled(phone, True)
    click.echo(f"Enabled {phone}.")


@users_cli.command("sign-out-everywhere")
@click.argument("phone")
def sign_out_everywhere(phone: str) -> None:
    """End every session and revoke every API token of an account."""
    services.sign_out_everywhere(_account(phone), now=utcnow())
    db.session.commit()
    click.echo(f"Signed {phone} out everywhere.")


@users_cli.command("set-password")
@click.argument("phone")
@click.password_option(
    "--password", help="The new password; asked at a prompt (hidden, twice) when not given."
)
def set_password(phone: str, password: str) -> None:
    """Set an account's password (the operator, for someone locked out): every session, token
    and reset link of the account ends, and the audit log says so."""
    try:
        recovery.set_password(office_actor(), phone, password, now=utcnow())
    except DomainError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Set a new password for {phone}; its sessions and tokens have ended.")
