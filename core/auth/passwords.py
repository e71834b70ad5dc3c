"""Password hashing with argon2id; the cost comes from the app's configuration."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    app.extensions["password_hasher"] = PasswordHasher(
        time_cost=app.config["PASSWORD_HASH_TIME_COST"],
        memory_cost=app.config["PASSWORD_HASH_MEMORY_COST"],
    )


def _hasher() -> PasswordHasher:
    return current_app.extensions["password_hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# Verifying against this when the phone is unknown makes a miss cost as much as a wrong password,
# so response times do not tell which numbers have accounts.
def burn_time(password: str) -> None:
    verify_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    cached = current_app.extensions.get("password_dummy_hash")
    if cached is None:
        cached = current_app.extensions["password_dummy_hash"] = hash_password("not a password")
    return cached
