"""The authorization matrix: every rule of the URL map, by every method, asked by the second
user of each role (B) and by a visitor, with the ids of the first user's (A's) objects. What
the rule declares beside its view (core.auth.access) says who must be refused; a rule without a
declaration, a refusal missing, a 5xx, a leak of A's private data or a refused request that
changes anything fails, with the rule named."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from flask import Flask
from werkzeug.routing import MapAdapter, Rule

from core.auth import services as auth
from core.auth.access import VOLUNTEERS, Access, Who, access_of
from core.clock import local_day, utcnow
from core.extensions import db
from tests.builders import DEFAULT_PASSWORD
from tests.world import World, make_world

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ASKERS = (
    Who.anonymous,
    Who.volunteer,
    Who.leader,
    Who.community_clerk,
    Who.street_clerk,
    Who.district_clerk,
    Who.panel_reviewer,
    Who.media_editor,
    Who.partner_staff,
    Who.merchant_staff,
    Who.office,
)
# Volunteers by role holding an assignment: where a rule admits no volunteer, the role check
# refuses them as it refuses the volunteer, who is asked there for them all.
SCOPED = VOLUNTEERS - {Who.volunteer, Who.leader}
# Path variables that name no object, and a value that reaches the view: a report that lists
# volunteers by name, so that a leak would show.
PLAIN_VALUES = {
    "fmt": "csv",
    "what": "volunteers",
    "report": "volunteers",
    "by": "team",
    "filename": "css/app.css",
    "fund_source": "city_budget",
}
# Ids of the city's objects rather than A's: every clerk reads a round, wherever they clerk,
# so a read naming one names nothing of A's; a write on it is still the city's alone.
CITY_WIDE = frozenset({"round_id"})
# Blueprints whose `care_campaign_id` names a flowers campaign: they are asked of A's flowers
# campaign (tests/care/world_flowers.py), the others of A's visits campaign.
FLOWERS_BLUEPRINTS = frozenset({"care_flowers", "care_flowers_api"})


def object_ids(world: World, who: Who) -> dict[str, int | str]:
    """A's objects by the path variable that names them; a notification and a token are those
    of A of the asker's role (a visitor's: the volunteer's)."""
    a = world.a
    role = "volunteer" if who is Who.anonymous else who.value
    return {
        "team_id": a.team.id,
        "activity_id": a.activity.id,
        "shift_id": a.past.id,
        "sign_up_id": a.sign_up.id,
        "check_in_id": a.check_in.id,
        "request_id": a.correction.id,
        "membership_id": a.membership.id,
        "campaign_id": a.activity.campaign_id,
        "merchant_id": a.merchant.id,
        "item_id": a.item.id,
        "redemption_id": a.redemption.id,
        "volunteer_id": a.users["volunteer"].id,
        "user_id": a.users["volunteer"].id,
        "notification_id": a.notifications[role].id,
        "token_id": a.tokens[role][0].id,
        "document_id": a.certificate.id,
        "upload_key": a.upload.public_key,
        "person_id": a.person.id,
        "honour_id": a.honour.id,
        "region_id": a.person.region_id,
        "holiday_id": world.holiday.id,
        "assignment_id": world.assignment.id,
        "round_id": world.round.id,
        "objection_id": world.objection.id,
        "nomination_id": a.nomination.id,
        "file_key": a.nomination.files[0].upload.public_key,
        "card_id": a.card.id,
        "check_id": a.card_check.id,
        "partner_id": a.partner.id,
        "benefit_id": a.benefit.id,
        **a.ids,
    }


def api_bodies(world: World, now: datetime) -> dict[tuple[str, str], dict]:
    """Well-formed bodies (a GET's: its query) for the API writes on A's objects, so that the
    owner is asked rather than the body refused; the rest are sent empty."""
    a, past = world.a, world.a.past
    later = local_day(now) + timedelta(days=7)
    activity = {"title": "改过的活动", "category": "cleaning", "address": "海港区文化路"}
    times = {
        "checked_in_at": past.starts_at.isoformat(),
        "checked_out_at": past.ends_at.isoformat(),
    }
    return {
        ("events_api.TeamActivities", "POST"): {**activity, "campaign_id": a.activity.campaign_id},
        ("events_api.OneActivity", "PUT"): activity,
        ("events_api.CancelActivity", "POST"): {"reason": "天气"},
        ("events_api.ActivityShifts", "POST"): {
            "starts_at": (now + timedelta(days=3)).isoformat(),
            "ends_at": (now + timedelta(days=3, hours=2)).isoformat(),
            "capacity": 3,
        },
        ("events_api.ActivityShiftSeries", "POST"): {
            "first_day": later.isoformat(),
            "last_day": (later + timedelta(days=6)).isoformat(),
            "weekdays": [0, 3],
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": 3,
        },
        ("events_api.OneShift", "PATCH"): {"capacity": 9},
        ("events_api.CancelShift", "POST"): {"reason": "天气"},
        ("events_api.ShiftCheckIns", "POST"): {"phone": a.users["volunteer"].phone},
        ("events_api.OneCheckIn", "PATCH"): {**times, "reason": "补记"},
        ("events_api.ShiftAttendanceConfirmation", "POST"): {"check_in_ids": [a.check_in.id]},
        ("events_api.ShiftCorrectionRequests", "POST"): {**times, "message": "我也到了"},
        ("events_api.CorrectionDecision", "POST"): {"accept": True},
        ("volunteer_api.MembershipDecision", "POST"): {"approve": True},
        ("volunteer_api.MembershipRemoval", "POST"): {"reason": "不再参加"},
        ("points_api.MerchantItems", "POST"): {"name": "新商品", "price": 5, "stock": 3},
        ("points_api.OneItem", "PUT"): {"name": "改过的商品", "price": 5, "is_active": True},
        ("honours_api.OneRound", "PUT"): {
            "name": world.round.name,
            "kind": "monthly",
            "honour_type_id": world.round.honour_type_id,
            "opens_on": world.round.opens_on.isoformat(),
            "closes_on": world.round.closes_on.isoformat(),
        },
        ("honours_api.RoundQuotas", "PUT"): {
            "quotas": [{"district_id": a.team.district_id, "quota": 3}]
        },
        ("notice_api.Objections", "POST"): {"text": "事迹不实", "is_name_confirmed": True},
        ("notice_api.AnswerObjection", "POST"): {"outcome": "dismissed", "answer": "经核实不属实"},
        ("notice_api.RoundNotice", "POST"): {"nomination_ids": [world.notice_entry.id]},
        ("honours_panel_api.PanelMembers", "POST"): {"user_id": a.users["panel_reviewer"].id},
        ("honours_panel_api.NominationVotes", "POST"): {"vote": "approve", "score": 80},
        ("honours_panel_api.NominationConsentCode", "POST"): {"phone": "13903351234"},
        ("honours_review_api.NominationConflicts", "POST"): {"reason": "被推荐人是我的亲属"},
        ("honours_review_api.BackgroundChecks", "POST"): {
            "agency": "police",
            "sent_on": local_day(now).isoformat(),
        },
        ("points_api.MerchantStatement", "GET"): {
            "start": (local_day(now) - timedelta(days=1)).isoformat(),
            "end": local_day(now).isoformat(),
        },
    }


class Asker:
    """One asker's client: a session cookie for pages and a bearer token for the API, made
    anew when a request signed them out."""

    def __init__(self, app: Flask, who: Who, world: World):
        self.who = who
        self.user = None if who is Who.anonymous else world.b.users[who.value]
        self.client = app.test_client()
        self.headers: dict[str, str] = {}
        if self.user is not None:
            self.sign_in()

    def sign_in(self) -> None:
        self.client.post("/login", data={"phone": self.user.phone, "password": DEFAULT_PASSWORD})
        _, secret = auth.issue_token(self.user, now=utcnow(), days=1)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def ask(self, case: Case):
        response = self._open(case)
        if self.user is not None and sent_to_sign_in(response, api=case.api):
            # An earlier request signed this asker out (sign-out, revoked token): again.
            response.close()
            self.sign_in()
            response = self._open(case)
        return response

    def _open(self, case: Case):
        body = {}
        if case.method in ("POST", "PUT", "PATCH"):
            body = {"json": case.body} if case.api else {"data": {}}
        headers = self.headers if case.api else {}
        return self.client.open(case.url, method=case.method, headers=headers, **body)

    def refusal_flashed(self) -> bool:
        """Whether the last page said no in a flash (and forget its flashes)."""
        with self.client.session_transaction() as session:
            flashes = session.pop("_flashes", [])
        return any(category == "danger" for category, _ in flashes)


def readable_text(response) -> str:
    """What a response says, to look for leaks in: a workbook's cells (the file is a zip),
    any other body as text."""
    if response.mimetype == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.get_data(as_text=True)


def sent_to_sign_in(response, *, api: bool) -> bool:
    if api:
        return response.status_code == 401
    location = urlsplit(response.headers.get("Location", ""))
    return (
        response.status_code == 302
        and location.path == "/login"
        and "next" in parse_qs(location.query)
    )


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, to tell that a refused request changed nothing. Read through
    the driver's cursor, as the driver gives them: through the ORM, the reading took most of
    the matrix's time."""
    cursor = db.session.connection().connection.cursor()
    try:
        tables = {}
        for table in db.metadata.sorted_tables:
            cursor.execute(f'SELECT * FROM "{table.name}"')
            tables[table.name] = sorted(map(repr, cursor.fetchall()))
        return tables
    finally:
        cursor.close()


@dataclass
class Ground:
    """What every case is asked on: the world, the API bodies and the app's URLs."""

    world: World
    bodies: dict[tuple[str, str], dict]
    urls: MapAdapter


class Case:
    """One request of the matrix: a rule, a method, an asker, and what the rule declares."""

    def __init__(self, rule: Rule, method: str, who: Who, access: Access, ground: Ground):
        self.rule, self.method, self.who, self.access = rule, method, who, access
        world = ground.world
        self.api = rule.rule.startswith("/api/")
        ids = object_ids(world, who)
        if rule.endpoint.split(".")[0] in FLOWERS_BLUEPRINTS:
            ids["care_campaign_id"] = ids["flowers_campaign_id"]
        plain = {**PLAIN_VALUES, "token": world.check_in_code}
        self.missing = [v for v in rule.arguments if v not in ids and v not in plain]
        values = {v: ids.get(v, plain.get(v)) for v in rule.arguments}
        self.names_theirs = any(
            v in ids and not (method == "GET" and v in CITY_WIDE) for v in rule.arguments
        )
        self.body = ground.bodies.get((rule.endpoint, method), {}) if self.api else {}
        if method == "GET":
            values.update(self.body)
        if self.api and access.owner == "team" and not self.names_theirs and method == "GET":
            # The reports take the team from the query (a page leaves out a team not on offer).
            team, year = world.a.team.id, world.a.activity.campaign.year
            values.update(team_id=team, year=year)
            self.names_theirs = True
        self.url = "" if self.missing else ground.urls.build(rule.endpoint, values, method=method)

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule} as {self.who.value}"

    @property
    def admitted(self) -> bool:
        return self.who in self.access.roles

    @property
    def refused(self) -> bool:
        """Whether the declaration says this asker must be refused."""
        return not self.admitted or (self.names_theirs and self.access.binds(self.who))

    @property
    def refused_by_the_service(self) -> bool:
        """Whether the refusal is the service's, after the body is read: on another's objects,
        or a volunteer on a rule for leaders or clerks (whether they lead the team or clerk
        there is the service's to say: the role check cannot tell them apart)."""
        if self.admitted:
            return self.refused
        return self.who in VOLUNTEERS and bool(self.access.roles & VOLUNTEERS)

    def judge(self, response, refusal_flashed: bool, private: list[str]) -> str | None:
        """What is wrong with the response, or None."""
        status = response.status_code
        if status >= 500:
            return f"{status} (a server error)"
        if self.who is not Who.office:
            text = readable_text(response)
            leaked = [p for p in private if p in text]
            if leaked:
                return f"{status} shows A's {leaked}"
        signed_out = sent_to_sign_in(response, api=self.api)
        if not self.refused:
            # Where a clerk, reviewer or editor may act is their scope's, which no declaration
            # says: the service may refuse one whom the rule admits as a volunteer. So may it a
            # merchant's staff on a partner's rule, unless their merchant is a card partner.
            scoped = self.who in SCOPED or (
                self.who is Who.merchant_staff and Who.partner_staff in self.access.roles
            )
            if signed_out or (status == 403 and not scoped):
                return f"{status}, but the rule admits them"
            return None
        if self.who is Who.anonymous:
            expected = "401" if self.api else "a redirect to sign in"
            return None if signed_out else f"{status}, expected {expected}"
        # A page action may also say no by a flash and a redirect back, as the attendance
        # confirmation does; that nothing changed is checked apart.
        if status in (403, 404) or (status in (302, 303) and refusal_flashed):
            return None
        if self.api and status in (400, 422) and self.refused_by_the_service:
            return None  # a malformed body, refused before the owner is asked: nothing leaks
        owner = f" (A's {self.access.owner} objects)" if self.admitted else ""
        return f"{status}, expected a refusal{owner}"


@pytest.mark.sqlite_pass
def test_every_rule_refuses_whom_it_declares_and_leaks_nothing(app, capsys):
    now = utcnow()
    world = make_world(now)
    db.session.commit()
    ground = Ground(world, api_bodies(world, now), app.url_map.bind("localhost"))
    private = world.a.private_texts()
    askers = {who: Asker(app, who, world) for who in ASKERS}

    cases, problems = [], []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    for rule in rules:
        for method in sorted(set(METHODS) & rule.methods):
            access = access_of(app, rule.endpoint, method)
            if access is None:
                problems.append(f"{method} {rule.rule} ({rule.endpoint}): no declaration")
                continue
            if access.needs_reason and not access.why:
                problems.append(f"{method} {rule.rule}: open to every role without a reason")
            for who in ASKERS:
                if who in SCOPED and not access.roles & VOLUNTEERS:
                    continue
                case = Case(rule, method, who, access, ground)
                if case.missing:
                    problems.append(f"{case.name}: no value for {case.missing} in the world")
                else:
                    cases.append(case)

    def run(case: Case) -> int:
        asker = askers[case.who]
        response = asker.ask(case)
        flashed = not case.api and response.status_code in (302, 303) and asker.refusal_flashed()
        if problem := case.judge(response, flashed, private):
            problems.append(f"{case.name}: {problem}")
        response.close()
        return response.status_code

    # Refusals first, while A's world is as built; then the rest, the office last, since what
    # it may do to A's objects would change what the others see.
    refused = [c for c in cases if c.refused]
    admitted = sorted((c for c in cases if not c.refused), key=lambda c: ASKERS.index(c.who))
    before = snapshot()
    for case in refused:
        status = run(case)
        after = snapshot()
        if after != before:
            changed = sorted(t for t in after if after[t] != before[t])
            problems.append(f"{case.name}: refused ({status}) but changed {changed}")
            before = after
    for case in admitted:
        run(case)

    rule_methods = len({(c.rule.rule, c.rule.endpoint, c.method) for c in cases})
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {len(rules)} rules, {rule_methods} rules × methods, "
            f"× {len(ASKERS)} askers = {len(cases)} requests ({len(refused)} to refuse)"
        )
    assert not problems, "\n".join(problems)
