"""What the OpenAPI document says of every operation: the one error shape, and which request
bodies may be left out (tests/test_api_fuzz.py holds every answer to it)."""

from __future__ import annotations

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_every_operation_documents_the_one_error_shape(client):
    document = client.get(f"{API}/openapi.json").json
    responses = document["components"]["responses"]

    for label, operation in operations(document):
        documented = operation["responses"]
        assert documented["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}, label
        for status, response in documented.items():
            if status == "default" or status.startswith(("4", "5")):
                name = response["$ref"].rsplit("/", 1)[1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (label, status)


def test_a_body_that_requires_no_field_may_be_left_out(client, volunteer, bearer):
    document = client.get(f"{API}/openapi.json").json
    bodies = {
        label: operation["requestBody"]
        for label, operation in operations(document)
        if "requestBody" in operation
    }

    assert bodies["PATCH /api/v1/me/profile"]["required"] is False
    assert bodies["POST /api/v1/auth/tokens"]["required"] is True
    headers = bearer(volunteer)
    before = client.get(f"{API}/me/profile", headers=headers).json
    left_out = client.patch(f"{API}/me/profile", headers=headers)
    assert left_out.status_code == 200, left_out.text
    assert left_out.json == before
