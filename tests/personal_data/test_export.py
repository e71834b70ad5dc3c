"""The data export: it holds every row that names the account, in every table of the schema
(walked, so that a table added later without a section fails here, named), and no secret or
other person's data; the JSON and Excel downloads and the API serve it, and each is logged."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import openpyxl
from sqlalchemy import select

from core.auth.models import AuditAction, AuditEntry
from core.extensions import db
from personal_data.services.export import SECTIONS, gather_personal_data
from personal_data.services.sections import BY_PHONE
from tests.builders import DEFAULT_PASSWORD, make_user
from tests.conftest import sign_in
from tests.personal_data.builders import make_people

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def columns_naming_an_account() -> list[tuple[str, str]]:
    """(table, column) for every column of the schema that names an account: each foreign key
    to users.id, the users table's own id, and a mobile number kept outside the users table."""
    found = {("users", "id")}
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == "users" and key.column.name == "id":
                found.add((table.name, key.parent.name))
        if table.name != "users" and BY_PHONE in table.c and not table.c[BY_PHONE].foreign_keys:
            found.add((table.name, BY_PHONE))
    return sorted(found)


def _keys(table_name: str, rows) -> set[tuple]:
    primary = db.metadata.tables[table_name].primary_key.columns
    return {tuple(row[c.name] for c in primary) for row in rows}


# Columns that can name only an account with no person behind it: a bus company's service
# account (its own export holds the row all the same).
NO_PERSON = {("bus_service_account", "user_id")}


def test_the_export_holds_every_row_of_every_table_that_names_the_account(app):
    people = make_people(NOW)
    db.session.commit()
    declared = {(spec.table, spec.via) for spec in SECTIONS}
    problems, named = [], set()

    for person in people.everyone:
        expected = {}
        for table_name, column in columns_naming_an_account():
            table = db.metadata.tables[table_name]
            value = person.phone if column == BY_PHONE else person.id
            rows = db.session.execute(select(table).where(table.c[column] == value)).mappings()
            expected[(table_name, column)] = _keys(table_name, rows)
        data = gather_personal_data(person, now=NOW)
        sections = {(s.table, s.via): s for s in data.sections}
        for (table_name, column), keys in expected.items():
            if (table_name, column) not in declared:
                continue
            if keys:
                named.add((table_name, column))
            exported = _keys(table_name, sections[(table_name, column)].rows)
            if keys - exported:
                problems.append(
                    f"{table_name}.{column}: {person!r}'s rows {keys - exported} missing"
                )
            if exported - keys:
                problems.append(f"{table_name}.{column}: {person!r} got others' {exported - keys}")

    for table_name, column in columns_naming_an_account():
        if (table_name, column) not in declared:
            problems.append(
                f"table {table_name} names an account in {column}, and no section of the export "
                "(personal_data/services/export.py, SECTIONS) reads it"
            )
        elif (table_name, column) not in named and (table_name, column) not in NO_PERSON:
            problems.append(
                f"table {table_name}.{column}: no row names one of the people; make one in "
                "tests/personal_data/builders.py so that the export is tested on it"
            )
    assert not problems, "\n".join(problems)


def test_the_export_holds_no_secret_and_no_one_elses_number_or_name(app):
    people = make_people(NOW)
    others = db.session.scalars(
        select(db.metadata.tables["users"].c.id).where(
            db.metadata.tables["users"].c.id.not_in([p.id for p in people.everyone])
        )
    ).all()
    users = db.metadata.tables["users"]
    other_people = db.session.execute(
        select(users.c.phone, users.c.display_name).where(users.c.id.in_(others))
    ).all()
    secrets = []
    for table in db.metadata.sorted_tables:
        for column in table.c:
            if column.name.endswith("_hash") or (
                table.name == "redeem_code" and column.name == "code"
            ):
                secrets += [v for v in db.session.scalars(select(column)) if v]
    db.session.commit()

    for person in people.everyone:
        text = json.dumps(
            [s.rows for s in gather_personal_data(person, now=NOW).sections], ensure_ascii=False
        )
        assert not [s for s in secrets if s in text], person
        # Leaders' and teams' names are what the person sees in the app; a volunteer's number
        # never is, nor the name of someone the person served at the counter or checked in.
        assert not [phone for phone, _ in other_people if phone in text], person
        assert "顾客" not in text and "队员" not in text and "候补志愿者" not in text, person


def test_json_and_excel_downloads_hold_the_sections_and_are_logged(app, client):
    volunteer = make_user(display_name='=HYPERLINK("http://evil")')
    db.session.commit()
    sign_in(client, volunteer, DEFAULT_PASSWORD)

    page = client.get("/me/export")
    assert page.status_code == 200
    assert 'href="/me/export.xlsx"' in page.text and 'href="/me/close"' in page.text
    assert 'href="/me/export"' in client.get("/profile").text

    as_json = client.get("/me/export.json")
    assert as_json.status_code == 200
    assert as_json.headers["Content-Disposition"].startswith("attachment;")
    body = json.loads(as_json.data)
    assert [s["key"] for s in body["sections"]] == [spec.key for spec in SECTIONS]
    account = next(s for s in body["sections"] if s["key"] == "account")["rows"]
    assert account[0]["phone"] == volunteer.phone and "password_hash" not in account[0]

    as_xlsx = client.get("/me/export.xlsx")
    assert as_xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.data))
    assert len(book.sheetnames) == len(SECTIONS)
    sheet = book[book.sheetnames[0]]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    name = next(cell for cell in cells if str(cell.value).startswith("=HYPERLINK"))
    # Text, not a formula: the cell holds the name as typed.
    assert name.data_type == "s" and name.value == volunteer.display_name

    logged = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.target_id == volunteer.id, AuditEntry.action == AuditAction.data_exported
        )
    ).all()
    assert len(logged) == 2 and all(e.actor_id == volunteer.id for e in logged)


def test_the_api_serves_the_same_export_to_its_owner_only(app, client, bearer):
    volunteer = make_user(display_name="志愿者小王")
    headers = bearer(volunteer)

    answer = client.get("/api/v1/me/export", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json["user_id"] == volunteer.id
    assert [s["key"] for s in answer.json["sections"]] == [spec.key for spec in SECTIONS]
    assert client.get("/api/v1/me/export").status_code == 401


def test_every_role_may_export_but_only_a_volunteer_finds_the_closing_link(
    app, office_client, merchant_client
):
    for signed_in in (office_client, merchant_client):
        page = signed_in.get("/me/export")
        assert page.status_code == 200 and 'href="/me/close"' not in page.text
        assert signed_in.get("/me/export.json").status_code == 200


def test_each_section_stands_once():
    # Two copies of a section would show the same rows twice under one title.
    keys = [spec.key for spec in SECTIONS]
    assert len(keys) == len(set(keys))
