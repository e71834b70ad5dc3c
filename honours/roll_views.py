"""Pages of the public honour roll (好人榜), for everyone, signed in or not: the search, a
person's story, and the figures. Limited per client address, counted with the roll's API."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_limiter.util import get_remote_address

from core.auth.access import public
from core.extensions import limiter
from core.rows import Window
from honours.roll_forms import RollSearchForm
from honours.services import roll, statistics

bp = Blueprint("roll", __name__)
PAGE_SIZE = 20

# One allowance per client address for the roll's pages and API together, so that a
# scraper of the register's public face is slowed whichever door it uses.
roll_limit = limiter.shared_limit(
    lambda: current_app.config["HONOUR_ROLL_REQUESTS_PER_ADDRESS"],
    scope="honour-roll",
    key_func=get_remote_address,
)


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int), 10_000))


@bp.get("/honour-roll")
@public(why="the honour roll is public: approved stories of people who agreed to be shown")
@roll_limit
def search():
    form = RollSearchForm(request.args, years=roll.list_roll_years())
    filters = form.filters()
    number = _page_number()
    found = None
    if filters is not None:
        found = roll.search_roll(filters, Window((number - 1) * PAGE_SIZE, PAGE_SIZE))
    return render_template(
        "honours/roll.html",
        form=form,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PAGE_SIZE)) if found else 1,
        query=form.chosen(),
    )


@bp.get("/honour-roll/<int:person_id>")
@public(why="a story on the honour roll is public; a person not shown is not found")
@roll_limit
def story(person_id: int):
    return render_template("honours/roll_story.html", entry=roll.get_roll_entry(person_id))


@bp.get("/honour-roll/statistics")
@public(why="the city's figures of honours are public, counts only")
@roll_limit
def figures():
    return render_template("honours/roll_statistics.html", figures=statistics.roll_figures())
