"""Schemathesis over the whole API, as each role in turn: anonymous, volunteer, leader, the
community, street and district clerks, the panel reviewer, the media editor and a card
partner's staff (volunteers holding an assignment), merchant staff and office.

Every operation of /api/v1/openapi.json is a test per role, so a new endpoint is fuzzed without
anyone adding it. Each role works on a world of its own (tests.world: two of everyone, A and B,
so ids 1, 2, 3... name real rows, A's and B's alike) as A's user of that role, with A's token;
anonymous sends no token, or one the fuzzer made up. A clerk, reviewer, editor or partner's
staff member is fuzzed only on the operations of the register, the nomination pipeline and the
courtesy cards that admit volunteers: the role check refuses them elsewhere as it refuses the
volunteer, and elsewhere an assignment changes nothing, so the volunteer's run asks those
operations for them all. Each signed-in role is fuzzed on one of the two passes (anonymous on
both): PostgreSQL takes the office, the leader, the district clerk and the partner's staff, with
every boundary value besides; SQLite the others (`POSTGRES_ROLES`). Of the
signed-in roles an operation's role check refuses, one stands for the rest (the check refuses
them all with the same code before reading the request); anonymous is always fuzzed. The
requests are generated with a fixed seed and a bounded number of examples; no response may be
a 5xx, and each must match what the document says of it, the one error shape included.

Select it with `-m fuzz`, leave it out with `-m "not fuzz"`. A failure prints the request to
reproduce it (curl) and the check that failed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
import schemathesis
from schemathesis import Config
from schemathesis.generation.meta import TestPhase

from app import create_app
from core.auth import services as auth
from core.auth.access import VOLUNTEERS, access_of
from core.auth.assignments import AssignmentKind
from core.auth.models import User
from core.clock import utcnow
from core.extensions import db
from tests.conftest import POSTGRES_URL, app_config, empty_all_tables
from tests.world import ROLES, SCOPED, make_world

pytestmark = pytest.mark.fuzz

SEED = 20260305
MAX_EXAMPLES = 5
# The coverage phase (every boundary and invalid value of every parameter, deterministically)
# runs on PostgreSQL, the production store, as one admitted role per operation
# (`_coverage_role`), where it takes most of the fuzzing's minutes; the SQLite pass fuzzes its
# roles (see FUZZED_ROLES) with generated data only.
COVERAGE = bool(POSTGRES_URL)
# The ids of tests.world's rows: A's come first (1), then B's (2, 3...). Every integer the
# fuzzer makes (paths, queries, bodies) is one of these half of the time, so a request often
# names a real team, shift or merchant, A's or B's, rather than one that is not there.
WORLD_IDS = list(range(1, 9))

CONFIG = Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            # Valid and invalid data alike: the invalid is where a 5xx hides. Strings may hold
            # NUL and other control characters (allow-x00 is on by default).
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            # A failure found once is found again from the seed; no example database to replay.
            "database": "none",
            "dictionaries": {"integer": {"dictionary": "world_ids", "probability": 0.5}},
        },
        "dictionaries": {"world_ids": {"values": WORLD_IDS}},
        "phases": {
            # Examples written in the document (none yet) are sent first.
            "examples": {"enabled": True},
            # Boundary and invalid values of every parameter and field, deterministically.
            "coverage": {
                "enabled": COVERAGE,
                # Bounded for time: a method the path does not have answers 405 (with its
                # Allow header) from the routing, before anything of the role or the
                # operation, so one unexpected method per operation proves it.
                "unexpected-methods": ["TRACE"],
            },
            "fuzzing": {"enabled": True},
            # Excluded: sequences of calls run only as a state machine, a test of its own
            # (schema.as_state_machine()) that the time budget leaves no room for, and the
            # document declares no links between operations to follow; the seeded world
            # stands in for the state such sequences would build.
            "stateful": {"enabled": False},
        },
        # Every check runs, with its defaults but for the one below: not_a_server_error,
        # status_code_conformance, content_type_conformance, response_schema_conformance,
        # response_headers_conformance, positive_data_acceptance, negative_data_rejection,
        # missing_required_header, ignored_auth, unsupported_method, allow_header_conformance,
        # use_after_free, ensure_resource_availability and object_level_authorization (the
        # last three judge sequences of calls, so they find nothing without the stateful
        # phase). max_response_time is off, as by default, since no limit is given: response
        # times on a shared two-core machine say nothing of the API.
        "checks": {
            "positive_data_acceptance": {
                # 422 added to the defaults: the services refuse well-formed requests that
                # break a rule the document cannot state (an end before its start, a phone
                # that is no mainland mobile number, a district that does not exist). A 5xx
                # stays "expected" here so that not_a_server_error alone reports it.
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
            },
        },
    }
)

# The document as the app serves it; this app only answers that request (its database is
# never opened). Each role's requests go to an app of its own on the test database.
_document_app = create_app(app_config("sqlite://"))
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app, config=CONFIG)


def _admitted(app) -> dict[tuple[str, str], frozenset[str]]:
    """Whom each operation's role check lets through (method, path as the document writes it:
    the names of core.auth.access.Who)."""
    found = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            access = access_of(app, rule.endpoint, method)
            found[(method, path)] = (
                frozenset(w.value for w in access.roles) if access else frozenset()
            )
    return found


ADMITTED = _admitted(_document_app)
# The operations whose declaration lets a volunteer through the role check.
ADMITTING_VOLUNTEERS = {
    operation
    for operation, admitted in ADMITTED.items()
    if admitted & {who.value for who in VOLUNTEERS}
}
SCOPED_ROLES = frozenset(kind.value for kind in SCOPED)
# Where an assignment changes what its holder may do: the register, its rounds, nominations and
# cards, the notices, one's own objections and honour certificates, and the card partners'
# checks, uses and benefits. Elsewhere a clerk, reviewer, editor or partner's staff member is a
# volunteer like any other, fuzzed once as the volunteer.
SCOPED_PATHS = (
    "/api/v1/honours",
    "/api/v1/notices",
    "/api/v1/me/objections",
    "/api/v1/me/honour",
    "/api/v1/partner",
    "/api/v1/card-partners",
    "/api/v1/card-benefits",
)


def _scope_matters(operation: tuple[str, str]) -> bool:
    return operation in ADMITTING_VOLUNTEERS and operation[1].startswith(SCOPED_PATHS)


@dataclass
class Role:
    """One role's run: its app and world, A's user of that role and their token."""

    name: str
    app: object
    user_id: int | None
    secret: str | None
    cases: int = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def after(self, response) -> None:
        """A 401 to a signed-in role means its token has ended (the fuzzer may well revoke it
        through DELETE /auth/tokens/...): the next request gets a new one."""
        self.cases += 1
        if response.status_code == 401 and self.user_id is not None:
            with self.app.app_context():
                _, self.secret = auth.issue_token(
                    db.session.get(User, self.user_id), now=utcnow(), days=1, name="fuzz"
                )
                db.session.commit()


@dataclass
class Tally:
    operations: set[str]
    roles: dict[str, int]
    started: float


@pytest.fixture(scope="module")
def tally(request):
    """Print what was fuzzed once the module is done: operations × roles × examples."""
    counted = Tally(operations=set(), roles={}, started=time.perf_counter())
    yield counted
    if not counted.roles:
        return
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    operations, roles, cases = (
        len(counted.operations),
        len(counted.roles),
        sum(counted.roles.values()),
    )
    phase = (
        f"with the coverage phase's {cases / (operations * roles):.0f} cases on average per "
        "operation and role"
        if COVERAGE
        else "without the coverage phase (it runs on PostgreSQL)"
    )
    line = (
        f"fuzzed {operations} operations × {roles} roles × {MAX_EXAMPLES} examples, {phase}: "
        f"{cases} cases in {time.perf_counter() - counted.started:.0f} s (seed {SEED})"
    )
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # past the capture of the teardown
            reporter.write_line("")
            reporter.write_line(line)


# The roles are shared between the two passes, each signed-in role fuzzed on one of them and
# anonymous on both, so that CI's passes stay within their time: PostgreSQL, with every boundary
# value, takes the office, the leader (a volunteer with a team: /me as well as the team's
# routes), the district clerk, who of the clerks and reviewers reaches the most (whole sensitive
# fields, background checks, objections), and a card partner's staff, who alone checks cards and
# records uses; SQLite takes the plain volunteer, merchant staff and the other clerks,
# reviewers and editors.
POSTGRES_ROLES = {
    "leader",
    AssignmentKind.district_clerk.value,
    AssignmentKind.partner_staff.value,
    "office",
}
FUZZED_ROLES = tuple(
    role
    for role in ("anonymous", *ROLES)
    if role == "anonymous" or (role in POSTGRES_ROLES) == COVERAGE
)


@pytest.fixture(scope="module", params=FUZZED_ROLES)
def fuzz_role(request, _migrated, tally):
    """A's user of one role (none for anonymous) in a world of its own, emptied afterwards."""
    app = create_app(app_config(_migrated))
    with app.app_context():
        world = make_world(utcnow())
        db.session.commit()
        user_id, secret = None, None
        if request.param != "anonymous":
            user_id = world.a.users[request.param].id
            secret = world.a.tokens[request.param][1]
    role = Role(request.param, app, user_id, secret)
    yield role
    tally.roles[role.name] = role.cases
    with app.app_context():
        empty_all_tables()
        db.engine.dispose()


def _refused_stand_in(operation: tuple[str, str]) -> str | None:
    """The one signed-in role fuzzed for those the operation's role check refuses: the check
    compares the account's role with those it admits before anything reads the request, so
    every role it refuses meets the same code; the first of them stands for the rest."""
    return next(
        (role for role in FUZZED_ROLES if role != "anonymous" and role not in ADMITTED[operation]),
        None,
    )


def _coverage_role(operation: tuple[str, str]) -> str | None:
    """The one role the coverage phase's boundary values go to: the office where the role
    check admits it (it reaches every rule and region, so its values go deepest), else the
    first role admitted. The other admitted roles meet the same parsing and validation; the
    fuzzing phase sends each of them its own generated requests."""
    admitted = ADMITTED[operation]
    return next((role for role in ("office", *FUZZED_ROLES) if role in admitted), None)


@schema.parametrize()
def test_api_fuzz(case, fuzz_role, tally):
    operation = (case.operation.method.upper(), case.operation.path)
    if fuzz_role.name in SCOPED_ROLES and not _scope_matters(operation):
        pytest.skip("a volunteer here, fuzzed as the volunteer")
    admitted = ADMITTED[operation]
    stand_in = _refused_stand_in(operation)
    if fuzz_role.name not in admitted | {"anonymous", stand_in}:
        pytest.skip(f"refused by the role check as {stand_in} is, fuzzed as {stand_in}")
    if case.meta.phase.name == TestPhase.COVERAGE and fuzz_role.name != _coverage_role(operation):
        # A refused role: the role check answers before anything reads the request, the same
        # for every boundary value, and the fuzzing phase's examples prove the refusal. Another
        # admitted role: the values meet the parsing the coverage role's met.
        return
    tally.operations.add(case.operation.label)
    # case.call_and_validate(), with the role's token renewed before the checks may raise.
    sent = {"app": fuzz_role.app, "headers": fuzz_role.headers()}
    response = case.call(**sent)
    fuzz_role.after(response)
    case.validate_response(response, headers=sent["headers"], transport_kwargs=sent)
