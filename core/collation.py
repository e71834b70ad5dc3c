"""Chinese names in pinyin order (按拼音排序), as people look them up, rather than by code point.

In SQL: `in_pinyin_order(column)` orders by PostgreSQL's ICU collation for Chinese, and on
SQLite by a collation of the same name registered on every connection (core/db.py) that
compares the pinyin keys below. In Python: `pinyin_key` for lists sorted in memory.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.types import String

# ICU's Chinese collation orders Han characters by pinyin (Debian's PostgreSQL is built with it).
POSTGRESQL_COLLATION = "zh-Hans-CN-x-icu"
SQLITE_COLLATION = "pinyin"


@lru_cache(maxsize=65536)
def pinyin_key(text: str | None) -> tuple[str, str]:
    """The key to sort Chinese text by: its pinyin with tone numbers, then the text itself so
    that different characters with the same sound keep a fixed order."""
    text = text or ""
    spelled = " ".join(lazy_pinyin(text, style=Style.TONE3, errors="default"))
    return spelled.lower(), text


def compare_in_pinyin(left: str | None, right: str | None) -> int:
    """SQLite's collation function: negative, zero or positive."""
    a, b = pinyin_key(left), pinyin_key(right)
    return (a > b) - (a < b)


class _PinyinOrder(ColumnElement[str]):
    inherit_cache = True
    type = String()

    def __init__(self, column: ColumnClause) -> None:
        self.column = column


@compiles(_PinyinOrder)
def _plain(element: _PinyinOrder, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(_PinyinOrder, "postgresql")
def _postgresql(element: _PinyinOrder, compiler, **kw) -> str:
    return f'{compiler.process(element.column, **kw)} COLLATE "{POSTGRESQL_COLLATION}"'


@compiles(_PinyinOrder, "sqlite")
def _sqlite(element: _PinyinOrder, compiler, **kw) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE {SQLITE_COLLATION}"


def in_pinyin_order(column) -> ColumnElement[str]:
    """`column` for ORDER BY in pinyin order."""
    return _PinyinOrder(column)
