"""The side's objects of the conduct feature in tests.world (see SIDE_EXTENSIONS there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.world import Side


def extend(side: Side, now: datetime) -> None:
    """Add the side's conduct objects: ids to side.ids, private texts to side.texts."""
