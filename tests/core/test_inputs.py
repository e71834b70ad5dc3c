"""Every input stays storable: ids beyond the columns' range are a 404, numbers beyond it and text
with control characters are refused naming the field, on every route, schema and form."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import re
from datetime import UTC, datetime

import marshmallow as ma
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, TextAreaField

from core import inputs
from core.auth.models import Role, User
from core.extensions import db
from tests.builders import make_team, make_user

PACKAGES = ("core", "volunteer", "events", "points", "reminders", "office")
HUGE = (2**31, 2**63)
NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
NUL = "a\x00b"


def our_classes(base: type) -> list[type]:
    """Every subclass of `base` defined in the application's packages, however deep."""
    for package in PACKAGES:
        for room in ("schemas", "forms", "api", "views"):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{package}.{room}")
    importlib.import_module("core.auth.schemas")
    importlib.import_module("core.auth.forms")
    found, queue = [], [base]
    while queue:
        for sub in queue.pop().__subclasses__():
            queue.append(sub)
            if sub.__module__.split(".")[0] in PACKAGES:
                found.append(sub)
    return found


# Paths


def int_rules(app):
    for rule in app.url_map.iter_rules():
        names = [n for n, c in rule._converters.items() if isinstance(c, inputs.IdConverter)]
        if names:
            yield rule, names


@pytest.mark.parametrize("huge", HUGE)
def test_an_id_beyond_the_range_is_a_404_on_every_rule(app, client, office_user, bearer, huge):
    session_client = app.test_client()
    db.session.commit()
    session_client.post("/login", data={"phone": office_user.phone, "password": "correct-horse-9"})
    headers = bearer(office_user)
    checked = 0
    for rule, names in int_rules(app):
        path = rule.rule
        for name in rule.arguments:
            value = huge if name in names else 1
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, extra in ((client, {}), (session_client, {}), (client, headers)):
                response = who.open(path, method=method, headers=extra)
                assert response.status_code == 404, f"{method} {path}: {response.status_code}"
                checked += 1
    assert checked > 100


# API schemas


def loadable_fields(schema_class):
    schema = schema_class()
    for name, field in schema.load_fields.items():
        yield schema, name, field


def test_every_api_schema_is_built_on_the_guarded_base():
    bare = [c.__qualname__ for c in our_classes(ma.Schema) if not issubclass(c, inputs.Schema)]
    assert bare == []


def _sample(field, bad):
    if isinstance(field, ma.fields.List):
        return [_sample(field.inner, bad)]
    return bad


def test_every_text_field_of_every_schema_refuses_control_characters():
    checked = 0
    for schema_class in our_classes(inputs.Schema):
        for schema, name, field in loadable_fields(schema_class):
            inner = field.inner if isinstance(field, ma.fields.List) else field
            if not isinstance(inner, ma.fields.String) or isinstance(
                inner, ma.fields.Email | ma.fields.Url
            ):
                continue
            with pytest.raises(ma.ValidationError) as refused:
                schema.load({field.data_key or name: _sample(field, NUL)}, partial=True)
            assert (field.data_key or name) in refused.value.messages, (schema_class, name)
            checked += 1
    assert checked > 20


def test_every_integer_field_of_every_schema_refuses_numbers_beyond_the_range():
    checked = 0
    for schema_class in our_classes(inputs.Schema):
        for schema, name, field in loadable_fields(schema_class):
            inner = field.inner if isinstance(field, ma.fields.List) else field
            if not isinstance(inner, ma.fields.Integer):
                continue
            for huge in (*HUGE, -(2**63)):
                with pytest.raises(ma.ValidationError) as refused:
                    schema.load({field.data_key or name: _sample(field, huge)}, partial=True)
                assert (field.data_key or name) in refused.value.messages, (schema_class, name)
            checked += 1
    assert checked > 10


def test_a_multiline_field_keeps_line_breaks_and_a_single_line_one_refuses_them():
    class Probe(inputs.Schema):
        title = ma.fields.String()
        body = ma.fields.String(metadata=inputs.MULTILINE)

    assert Probe().load({"body": "第一行\n\t第二行\r\n"}) == {"body": "第一行\n\t第二行\r\n"}
    with pytest.raises(ma.ValidationError) as refused:
        Probe().load({"title": "第一行\n第二行", "body": "a\x00"})
    assert set(refused.value.messages) == {"title", "body"}


# Page forms


def test_every_page_form_is_built_on_the_guarded_base():
    from flask_wtf import FlaskForm

    bare = [c.__qualname__ for c in our_classes(FlaskForm) if not issubclass(c, inputs.Form)]
    assert bare == []


def text_fields(form):
    for field in form:
        if isinstance(field, FormField | FieldList):
            continue
        if field.type in ("StringField", "TextAreaField", "SearchField", "TelField", "HiddenField"):
            yield field


def build(form_class, **kwargs):
    """A form with empty stand-ins for what its constructor needs (a campaign list, say)."""
    parameters = list(inspect.signature(form_class.__init__).parameters.values())[1:]
    needed = [p for p in parameters if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    return form_class(*[[] for _ in needed], meta={"csrf": False}, **kwargs)


def test_every_text_field_of_every_form_refuses_control_characters(app):
    checked = 0
    for form_class in our_classes(inputs.Form):
        with app.test_request_context(method="POST"):
            for name in [f.name for f in text_fields(build(form_class))]:
                form = build(form_class, formdata=MultiDict({name: NUL}))
                form.validate()
                assert form[name].errors, (form_class.__qualname__, name)
                assert form[name].data is None, (form_class.__qualname__, name)
                checked += 1
    assert checked > 20


def test_a_text_area_keeps_line_breaks_and_a_text_field_refuses_them(app):
    from wtforms import StringField

    class Probe(inputs.Form):
        title = StringField()
        body = TextAreaField()

    with app.test_request_context(method="POST"):
        form = Probe(formdata=MultiDict({"title": "a\nb", "body": "第一行\r\n第二行\t"}))
        form.meta.csrf = False
        form.validate()
        assert form.title.errors
        assert not form.body.errors
        assert form.body.data == "第一行\r\n第二行\t"


# Through HTTP: the reproductions of the hardening issue


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/teams?q=%00", "q"),
        ("/api/v1/campaigns?year=-79407891937274572431", "year"),
        ("/api/v1/shifts?campaign_id=9223372036854775808", "campaign_id"),
        ("/api/v1/merchants?district_id=347526789413399", "district_id"),
    ],
)
def test_bad_query_arguments_are_refused_naming_the_field(client, path, field):
    response = client.get(path)

    assert response.status_code == 422, response.text
    assert field in response.json["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"display_name": "a\u0000"}, "display_name"),
        ({"district_id": 9223372036854775808}, "district_id"),
    ],
)
def test_registration_by_api_refuses_bad_input_and_creates_nothing(client, body, field):
    data = {"phone": "13912345678", "password": "correct-horse-9", "display_name": "小王", **body}

    response = client.post("/api/v1/volunteers", json=data)

    assert response.status_code == 422, response.text
    assert field in response.json["errors"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_page_refuses_a_nul_in_the_name_and_creates_nothing(client):
    data = {
        "phone": "13912345678",
        "password": "correct-horse-9",
        "confirm": "correct-horse-9",
        "display_name": "小\x00王",
    }

    response = client.post("/register", data=data)

    assert response.status_code == 200
    assert "请删除文本中的控制字符。" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_team_application_with_a_nul_in_its_name_is_refused(volunteer_client):
    response = volunteer_client.post("/teams/new", data={"name": "爱心\x00队", "district_id": "1"})

    assert response.status_code == 200
    assert "请删除文本中的控制字符。" in response.text


def test_a_removal_reason_with_a_nul_is_refused_and_the_member_stays(client, bearer):
    from volunteer import services as volunteers
    from volunteer.models import Membership, MembershipStatus

    leader = make_user(display_name="队长")
    team = make_team(leader)
    membership = volunteers.request_to_join(make_user(display_name="队员"), team.id, now=NOW)
    volunteers.decide_join_request(leader, membership.id, approve=True, reason=None, now=NOW)
    headers = bearer(leader)

    response = client.post(
        f"/api/v1/memberships/{membership.id}/removal",
        json={"reason": "不来\x00了"},
        headers=headers,
    )

    assert response.status_code == 422, response.text
    assert "reason" in response.json["errors"]
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status is MembershipStatus.active


def test_pages_reading_a_number_beyond_the_range_drop_it(office_client):
    assert office_client.get("/reports?year=99999999999").status_code == 200
    assert office_client.get("/notifications?page=99999999999").status_code == 200
    assert office_client.get("/merchants?district_id=99999999999").status_code == 200


def test_a_single_user_role_is_untouched_by_the_guard(app):
    # Enum values and booleans pass through as they are.
    assert inputs.value_problem(True) is None
    assert inputs.value_problem(Role.office) is None
    assert inputs.value_problem(["a", 1, None]) is None
    assert inputs.value_problem(float("nan")) is not None
