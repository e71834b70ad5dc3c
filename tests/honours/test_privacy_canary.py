"""The privacy canary (issue 18): a person of the register with a distinctive ID number and
phone lives in one community of 海港区; every GET rule of the URL map, pages and API alike, is
asked by every role (a visitor, a volunteer, a team leader, merchant staff, community, street
and district clerks inside and outside the person's region, city office staff, the office, a
panel reviewer and a media editor), with the ids of the canary's records in the path. The
person is also the nominee of a nomination at the panel (so that its panel reviewer reads it)
filed by the media editor, which names the ID number and phone as the nominee's. The whole ID
number or phone may appear only to the district clerk of the person's district, the city's
staff and the office, and each time it does, that request must have written a line to the log
of whole views. A rule added later is asked too; one whose path names something this test has
no value for fails, named."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from core.auth import services as auth
from core.auth.access import Who
from core.auth.assignments import AssignmentKind, RoleAssignment
from core.auth.models import Role, User
from core.clock import local_day, utcnow
from core.extensions import db
from honours import services
from honours.models import HonourCategory, HonourSource, SensitiveView
from honours.nomination_models import Channel, Stage
from tests.builders import DEFAULT_PASSWORD, make_user
from tests.core.test_authorization_matrix import (
    PLAIN_VALUES,
    XLSX,
    object_ids,
    readable_text,
)
from tests.honours.builders import honour_type, make_places
from tests.honours.nomination_builders import make_nomination
from tests.world import make_world

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_BODY = "13030219660616777"
CANARY_ID = _BODY + "10X98765432"[sum(map(lambda d, w: int(d) * w, _BODY, WEIGHTS)) % 11]
CANARY_PHONE = "18830335577"
# Path variables with more than one value worth asking: every export format.
CHOICES = {"fmt": ("csv", "xlsx")}


@dataclass
class Asker:
    """One role's clients: a session cookie for the pages and a bearer token for the API."""

    name: str
    user: User | None
    who: Who
    may_see_whole: bool

    def start(self, app: Flask) -> None:
        self.client = app.test_client()
        self.headers: dict[str, str] = {}
        if self.user is not None:
            self.sign_in()

    def sign_in(self) -> None:
        self.client.post("/login", data={"phone": self.user.phone, "password": DEFAULT_PASSWORD})
        _, secret = auth.issue_token(self.user, now=utcnow(), days=1)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str):
        api = url.startswith("/api/")
        response = self.client.get(url, headers=self.headers if api else {})
        signed_out = (
            response.status_code == 401
            if api
            else "/login?next" in (response.headers.get("Location") or "")
        )
        if self.user is not None and signed_out:
            # An earlier request ended this asker's session or token: sign in again.
            response.close()
            self.sign_in()
            response = self.client.get(url, headers=self.headers if api else {})
        return response


def _clerk(kind: AssignmentKind, region, now, name: str) -> User:
    user = make_user(display_name=name)
    db.session.add(
        RoleAssignment(
            user_id=user.id,
            kind=kind,
            region_id=region.id if region is not None else None,
            granted_at=now - timedelta(days=1),
        )
    )
    db.session.flush()
    return user


def _canary(office: User, place, now):
    """The person and an honour of theirs, on the public roll, with a story."""
    scope = services.scope_of(office, now)
    person = services.enter_person(
        office,
        scope,
        {
            "name": "金丝雀",
            "id_number": CANARY_ID,
            "phone": CANARY_PHONE,
            "region_id": place.id,
            "address": "文化路88号1单元101",
            "hardship_notes": "独居老人",
            "story": "多年义务照顾社区孤寡老人。",
        },
        now=now,
    )
    honour = services.award_honour(
        office,
        scope,
        {
            "person_id": person.id,
            "honour_type_id": honour_type("good_person_city").id,
            "category": HonourCategory.helping_others,
            "awarded_on": local_day(now) - timedelta(days=30),
            "source": HonourSource.archive,
        },
        now=now,
    )
    services.record_consent(office, scope, person.id, is_given=True, now=now)
    return person, honour


def _urls(app: Flask, ids: dict) -> tuple[list[str], list[str]]:
    """Every GET rule of the app as URLs with `ids` filled in, and the rules that name
    something there is no value for."""
    adapter = app.url_map.bind("localhost")
    urls, missing = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {**PLAIN_VALUES, **ids}
        unknown = [name for name in rule.arguments if name not in values and name not in CHOICES]
        if unknown:
            missing.append(f"{rule.rule}: no value for {unknown}")
            continue
        choices = [CHOICES.get(name, (values.get(name),)) for name in sorted(rule.arguments)]
        for combination in itertools.product(*choices):
            filled = dict(zip(sorted(rule.arguments), combination, strict=True))
            urls.append(adapter.build(rule.endpoint, filled, method="GET"))
    return urls, missing


def _text(response) -> str:
    """What an answer says: a workbook's cells, a PDF's text, anything else as UTF-8 (an
    image's bytes too, in which a number written as text would still show)."""
    if response.mimetype == "application/pdf":
        reader = PdfReader(io.BytesIO(response.get_data()))
        return "\n".join(page.extract_text() for page in reader.pages)
    if response.mimetype == XLSX:
        return readable_text(response)
    return response.get_data().decode("utf-8", errors="replace")


def _logged(viewer: User | None, person_id: int) -> int:
    if viewer is None:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(SensitiveView)
        .where(SensitiveView.viewer_id == viewer.id, SensitiveView.person_id == person_id)
    )


@pytest.mark.sqlite_pass
def test_no_page_or_api_answer_shows_the_canary_whole_to_whom_may_not_see_it(app):
    now = utcnow()
    world = make_world(now)
    places = make_places()
    office = world.b.users["office"]
    person, honour = _canary(office, places["wenhuali"], now)
    nanguan_town = places["nanguan"].parent
    b = world.b.users
    nomination = make_nomination(
        world.b.round,
        places["wenhuali"],
        stage=Stage.panel,
        channel=Channel.media,
        person=person,
        by=b["media_editor"],
        at=now,
        nominee_phone=CANARY_PHONE,
    )
    askers = [
        Asker("visitor", None, Who.anonymous, False),
        Asker("volunteer", b["volunteer"], Who.volunteer, False),
        Asker("leader", b["leader"], Who.leader, False),
        Asker("merchant staff", b["merchant_staff"], Who.merchant_staff, False),
        Asker(
            "community clerk here",
            _clerk(AssignmentKind.community_clerk, places["wenhuali"], now, "社区专干"),
            Who.community_clerk,
            False,
        ),
        Asker(
            "community clerk elsewhere",
            _clerk(AssignmentKind.community_clerk, places["nanguan"], now, "外区社区专干"),
            Who.community_clerk,
            False,
        ),
        Asker(
            "street clerk here",
            _clerk(AssignmentKind.street_clerk, places["wenhualu"], now, "街道专干"),
            Who.street_clerk,
            False,
        ),
        Asker(
            "street clerk elsewhere",
            _clerk(AssignmentKind.street_clerk, nanguan_town, now, "外区街道专干"),
            Who.street_clerk,
            False,
        ),
        Asker(
            "district clerk here",
            _clerk(AssignmentKind.district_clerk, places["haigang"], now, "区文明办"),
            Who.district_clerk,
            True,
        ),
        Asker(
            "district clerk elsewhere",
            _clerk(AssignmentKind.district_clerk, places["shanhaiguan"], now, "外区文明办"),
            Who.district_clerk,
            False,
        ),
        Asker(
            "city staff",
            _clerk(AssignmentKind.city_staff, None, now, "市文明办干事"),
            Who.volunteer,
            True,
        ),
        Asker("office", office, Who.office, True),
        # The world's B's clerks would ask as those elsewhere above.
        Asker("panel reviewer", b["panel_reviewer"], Who.panel_reviewer, False),
        Asker("media editor", b["media_editor"], Who.media_editor, False),
        # B's card partner's staff: a card they check shows its holder's ID number's last four
        # digits and nothing whole.
        Asker("partner staff", b["partner_staff"], Who.partner_staff, False),
    ]
    db.session.commit()
    for asker in askers:
        asker.start(app)

    problems, asked = [], 0
    for asker in askers:
        ids = {
            **object_ids(world, asker.who),
            "token": world.check_in_code,
            "person_id": person.id,
            "honour_id": honour.id,
            "nomination_id": nomination.id,
        }
        urls, missing = _urls(app, ids)
        problems += missing
        for url in urls:
            before = _logged(asker.user, person.id)
            response = asker.get(url)
            asked += 1
            if response.status_code >= 500:
                problems.append(f"GET {url} as {asker.name}: {response.status_code}")
            text = _text(response)
            response.close()
            shown = [name for name, value in (("ID number", CANARY_ID), ("phone", CANARY_PHONE))
                     if value in text]  # fmt: skip
            if not shown:
                continue
            if not asker.may_see_whole:
                problems.append(f"GET {url} as {asker.name}: shows the whole {shown}")
            elif _logged(asker.user, person.id) == before:
                problems.append(f"GET {url} as {asker.name}: shows the whole {shown}, unlogged")

    assert asked > 100 * len(askers)
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))


def test_the_canary_is_seen_whole_where_it_may_be_so_the_test_can_fail(app):
    """The canary's values do reach a page where they belong: were they never rendered at
    all, the test above would pass for nothing."""
    now = utcnow()
    places = make_places()
    office = make_user(role=Role.office, display_name="市文明办")
    person, _ = _canary(office, places["wenhuali"], now)
    db.session.commit()
    asker = Asker("office", office, Who.office, True)
    asker.start(app)

    page = _text(asker.get(f"/honours/register/persons/{person.id}"))

    assert CANARY_ID in page and CANARY_PHONE in page
