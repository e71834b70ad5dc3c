"""One pagination shape on every list of the API, generated from the OpenAPI document: each GET
that answers an array takes `page` and `page_size` (at most 100) and says where it stands in
the `X-Pagination` header; a long list is read a page at a time and says how long it is."""

from __future__ import annotations

import json

import pytest

from tests.builders import make_shift


def _resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def list_operations(spec: dict) -> list[tuple[str, dict]]:
    found = []
    for path, item in spec["paths"].items():
        get = item.get("get")
        if not get:
            continue
        content = get["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if _resolve(spec, content.get("schema", {})).get("type") == "array":
            found.append((path, get))
    return found


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_there_are_lists_to_check(spec):
    assert len(list_operations(spec)) >= 20


def test_every_list_takes_page_and_page_size_and_answers_x_pagination(spec):
    lacking = []
    for path, operation in list_operations(spec):
        names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        headers = operation["responses"]["200"].get("headers", {})
        if not {"page", "page_size"} <= names or "X-Pagination" not in headers:
            lacking.append(path)
    assert lacking == []


def test_no_list_answers_an_envelope(spec):
    # The inbox once answered {items, page, pages, total}: every list now has the one shape.
    for path, item in spec["paths"].items():
        get = item.get("get", {})
        content = get.get("responses", {}).get("200", {}).get("content", {})
        schema = _resolve(spec, content.get("application/json", {}).get("schema", {}))
        assert "items" not in schema.get("properties", {}), path


def test_a_long_list_comes_a_page_at_a_time_and_says_how_long_it_is(client, app):
    for hours in range(1, 56):
        make_shift(starts_in_hours=24 + hours * 5)

    first = client.get("/api/v1/shifts?page_size=20")
    third = client.get("/api/v1/shifts?page_size=20&page=3")
    too_big = client.get("/api/v1/shifts?page_size=101")

    assert len(first.get_json()) == 20
    assert json.loads(first.headers["X-Pagination"]) == {
        "total": 55,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 1,
        "next_page": 2,
    }
    assert len(third.get_json()) == 15
    assert {s["id"] for s in first.get_json()}.isdisjoint({s["id"] for s in third.get_json()})
    assert too_big.status_code == 422


def test_a_page_past_the_end_is_empty_not_an_error(client, app):
    make_shift()

    response = client.get("/api/v1/shifts?page=999999999")

    assert response.status_code == 200
    assert response.get_json() == []


def test_a_query_parameter_the_document_does_not_name_is_refused(client, app):
    misspelt = client.get("/api/v1/shifts?pagesize=20")
    named = client.get("/api/v1/shifts?page_size=20&season=spring")

    assert misspelt.status_code == 422
    assert misspelt.get_json()["errors"] == {"pagesize": ["未知字段。"]}
    assert named.status_code == 200
