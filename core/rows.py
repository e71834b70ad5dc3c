"""Loading one row by id for the services: the row, or NotFound with the caller's message."""

from __future__ import annotations

from typing import TypeVar

from core.errors import NotFound
from core.extensions import db

Row = TypeVar("Row")


def get_or_not_found(model: type[Row], row_id: int, message=None, *, lock: bool = False) -> Row:
    """Return the row with this id; raise NotFound(message) if there is none.

    With `lock`, the row is loaded afresh FOR UPDATE, so that concurrent writers on it take
    turns (PostgreSQL; SQLite write transactions are exclusive already).
    """
    if lock:
        row = db.session.get(model, row_id, with_for_update=True, populate_existing=True)
    else:
        row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(message)
    return row
