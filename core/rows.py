"""Rows for the services: one by id (or NotFound with the caller's message), inserts that skip
what is there already, deletes in batches, and a window of a long list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from core.errors import NotFound
from core.extensions import db

Row = TypeVar("Row")


def get_or_not_found(
    model: type[Row], row_id: int, message=None, *, lock: bool = False, options: Sequence = ()
) -> Row:
    """Return the row with this id (loaded with `options`, such as a joined relation); raise
    NotFound(message) if there is none.

    With `lock`, the row is loaded afresh FOR UPDATE, so that concurrent writers on it take
    turns (PostgreSQL; SQLite write transactions are exclusive already). Only the model's own
    row is locked (FOR UPDATE OF): PostgreSQL refuses to lock the nullable side of the outer
    join a joined relation in `options` loads with.
    """
    if lock:
        row = db.session.get(
            model,
            row_id,
            options=options,
            with_for_update={"of": model},
            populate_existing=True,
        )
    else:
        row = db.session.get(model, row_id, options=options)
    if row is None:
        raise NotFound(message)
    return row


def insert_unless_present(target: Any, *unique: str):
    """An INSERT of `target` (a mapped class or a table) that skips a row whose `unique`
    columns are taken already: ON CONFLICT DO NOTHING, on PostgreSQL and SQLite alike. Add
    RETURNING to learn which rows went in; on PostgreSQL a twin still being inserted by another
    transaction is waited for, so a retry or a concurrent request creates nothing twice."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(target).on_conflict_do_nothing(index_elements=list(unique))


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds, for an API write that answers with the
    rows it has just written: they are as this transaction left them, so reading them back
    would cost a round trip per row and tell nothing new. Anything not loaded still loads."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def delete_in_batches(model: Any, *where: Any, batch: int = 5000) -> int:
    """Delete the rows of `model` matching `where`, `batch` at a time, each batch flushed on
    its own, so that no statement holds locks on a big table for long. Returns how many."""
    deleted = 0
    while True:
        ids = select(model.id).where(*where).limit(batch).scalar_subquery()
        count = db.session.execute(
            delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
        ).rowcount
        deleted += count
        if count < batch:
            return deleted


@dataclass(frozen=True)
class Window:
    """Which part of a list a service reads: from item `first` (0-based), `size` items."""

    first: int = 0
    size: int = 50


@dataclass(frozen=True)
class Slice(Generic[Row]):
    """A part of a list and how long the whole list is."""

    items: list[Row]
    total: int


def read_slice(query: Select, window: Window, *, count: Select | None = None) -> Slice:
    """The window's rows of `query` and the number of all its rows (from `count`'s rows when
    the query carries loader options that a count must not). A first window that is not full
    is the whole list: then nothing more is asked of the database."""
    items = list(db.session.scalars(query.offset(window.first).limit(window.size)).unique())
    if window.first == 0 and len(items) < window.size:
        return Slice(items, len(items))
    counted = (count if count is not None else query).order_by(None).subquery()
    return Slice(items, db.session.scalar(select(func.count()).select_from(counted)))
