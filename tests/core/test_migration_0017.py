"""Migration 0017: the rounds of nominations and their quotas are new tables whose rules the
database keeps too (a quota per round and district once, never negative; nomination dates in
order; opened and closed times that go with the status), and a downgrade removes them."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core.extensions import db
from tests.core.test_migrations import (  # noqa: F401 (fixtures)
    MIGRATIONS,
    empty_database_url,
    insert,
    migrating_app,
    utc,
)

WHEN = utc(2026, 12, 1, 2, 0)


def _round(conn, round_id: int, **values) -> None:
    insert(
        conn,
        "honour_round",
        **{
            "id": round_id,
            "name": "2026年12月“秦皇岛好人”月评",
            "kind": "monthly",
            "honour_type_id": conn.scalar(
                sa.text("SELECT id FROM honour_type WHERE code = 'good_person_city'")
            ),
            "opens_on": date(2026, 12, 1),
            "closes_on": date(2026, 12, 20),
            "level_days": 5,
            "notice_days": 7,
            "status": "draft",
            "created_at": WHEN,
            "created_by_id": 1,
            "updated_at": WHEN,
            **values,
        },
    )


def test_0017_keeps_the_rules_of_rounds_and_quotas_and_goes_back(
    migrating_app,  # noqa: F811 (the fixture imported above)
):
    migrating_app()
    upgrade(directory=MIGRATIONS, revision="0017")
    with db.engine.begin() as conn:
        insert(
            conn,
            "users",
            id=1,
            phone="13900000001",
            password_hash="x",
            display_name="市文明办",
            role="office",
            is_enabled=True,
            created_at=WHEN,
        )
        insert(conn, "district", id=1, code="haigang", name="海港区", name_en="Haigang", position=0)
        _round(conn, 1)
        insert(conn, "honour_round_quota", round_id=1, district_id=1, quota=2)
        refused = [
            ("honour_round_quota", {"round_id": 1, "district_id": 1, "quota": 3}),
            ("honour_round_quota", {"round_id": 1, "district_id": 1, "quota": -1}),
        ]
        for table, values in refused:
            with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
                insert(conn, table, **values)
        for values in (
            {"closes_on": date(2026, 11, 30)},
            {"level_days": 0},
            {"notice_days": 31},
            {"status": "open"},
            {"status": "closed", "opened_at": WHEN},
        ):
            with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
                _round(conn, 2, **values)
        _round(conn, 3, status="closed", opened_at=WHEN, closed_at=WHEN)

    downgrade(directory=MIGRATIONS, revision="0016")
    with db.engine.begin() as conn:
        assert not sa.inspect(conn).has_table("honour_round")
        assert not sa.inspect(conn).has_table("honour_round_quota")
    upgrade(directory=MIGRATIONS, revision="0017")
