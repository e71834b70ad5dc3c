"""The app as the benchmarks serve it: the real app plus two floor endpoints on the same stack
(same gunicorn, database, Flask-SQLAlchemy session and request handling), so that every
measured endpoint can be compared with the least a request on this stack can cost."""

from __future__ import annotations

from flask import Blueprint, Flask
from sqlalchemy import Column, Integer, MetaData, Table, insert

from app import create_app
from core.extensions import csrf, db

floor_metadata = MetaData()
# Created by the benchmark run, never by the app's migrations.
bench_floor = Table("bench_floor", floor_metadata, Column("id", Integer, primary_key=True))

floor = Blueprint("bench_floor", __name__, url_prefix="/bench")


@floor.post("/insert")
def insert_one():
    """One INSERT and one commit: the floor of every write."""
    db.session.execute(insert(bench_floor))
    db.session.commit()
    return {"ok": True}


@floor.get("/json")
def bare_json():
    """A bare JSON answer: the floor of every read."""
    return {"ok": True}


def create_bench_app() -> Flask:
    """The app with the floor endpoints (gunicorn: 'bench.wsgi:create_bench_app()')."""
    app = create_app()
    csrf.exempt(floor)
    app.register_blueprint(floor)
    return app
