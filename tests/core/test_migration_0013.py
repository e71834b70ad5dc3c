"""Migration 0013: old check-ins keep what their location check found (inside the activity's
area or not, and how far), and their coordinates are dropped; the activity keeps its own."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from core.extensions import db
from events.services.check_ins import distance_m
from tests.core.test_migrations import (  # noqa: F401 (fixtures)
    MIGRATIONS,
    empty_database_url,
    insert,
    migrating_app,
    upgrade_with_data,
    utc,
)

CENTRE = (39.9680, 119.7980)
RADIUS_M = 200
NEAR = (39.9681, 119.7981)
FAR = (39.9350, 119.6000)
STARTS = utc(2026, 10, 1, 1, 0)


def seed_0012(conn) -> None:
    """As the release before 0013 wrote them: a fenced activity and check-ins with the phone's
    coordinates (inside, outside), one at an activity without a fence, one by the leader."""
    insert(
        conn,
        "users",
        id=3,
        phone="13900000003",
        password_hash="x",
        display_name="用户3",
        role="volunteer",
        is_enabled=True,
        created_at=utc(2026, 1, 5, 2, 0),
    )
    insert(
        conn,
        "activity",
        id=2,
        team_id=1,
        campaign_id=1,
        district_id=1,
        title="老龙头导览",
        category="cleaning",
        address="山海关老龙头景区",
        latitude=CENTRE[0],
        longitude=CENTRE[1],
        checkin_radius_m=RADIUS_M,
        description="",
        status="published",
        created_by_id=1,
        created_at=utc(2026, 9, 1, 2, 0),
    )
    insert(
        conn,
        "shift",
        id=20,
        activity_id=2,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        service_day=date(2026, 10, 1),
        capacity=5,
        seats_taken=0,
        allows_walk_ins=True,
        status="scheduled",
    )
    rows = {
        1: (20, 1, "qr", NEAR),
        # Outside: the activity's place was moved after this check-in.
        2: (20, 2, "qr", FAR),
        3: (20, 3, "leader", (None, None)),
        4: (1, 1, "qr", NEAR),  # activity 1 has no fence
    }
    for check_in_id, (shift_id, user_id, method, (lat, lng)) in rows.items():
        insert(
            conn,
            "check_in",
            id=check_in_id,
            shift_id=shift_id,
            user_id=user_id,
            is_walk_in=True,
            method=method,
            checked_in_at=STARTS,
            is_auto_checked_out=False,
            latitude=lat,
            longitude=lng,
            status="pending",
        )


def columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def fence_checks() -> dict[int, tuple[bool | None, int | None]]:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, inside_fence, distance_m FROM check_in"))
        return {
            row_id: (None if inside is None else bool(inside), away)
            for row_id, inside, away in rows
        }


def test_0013_keeps_the_fence_check_of_old_check_ins_and_drops_their_coordinates(
    migrating_app,  # noqa: F811 (the fixture imported above)
):
    migrating_app()
    upgrade_with_data("0012")
    with db.engine.begin() as conn:
        seed_0012(conn)

    upgrade(directory=MIGRATIONS, revision="0013")

    assert fence_checks() == {
        1: (True, round(distance_m(*NEAR, *CENTRE))),
        2: (False, 17272),
        3: (None, None),
        4: (None, None),
    }
    assert fence_checks()[1][1] < 20
    assert not {"latitude", "longitude"} & columns("check_in")
    assert {"latitude", "longitude", "checkin_radius_m"} <= columns("activity")
    with db.engine.connect() as conn:
        # Accounts from before have no consent: they are asked at their next sign-in.
        assert conn.scalar(sa.text("SELECT count(*) FROM consent")) == 0
        assert conn.scalar(sa.text("SELECT latitude FROM activity WHERE id = 2")) == CENTRE[0]

    # Down again: the coordinates' columns come back empty, the results go.
    downgrade(directory=MIGRATIONS, revision="0012")
    assert {"latitude", "longitude"} <= columns("check_in")
    assert not {"inside_fence", "distance_m"} & columns("check_in")
    assert "consent" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM check_in")) == 4
        assert conn.scalar(sa.text("SELECT count(latitude) FROM check_in")) == 0
