"""Closing an account (注销): afterwards no text column of any table holds the old number, name
or email, but for the register of good people's record of the person (see
`test_closing_erases_number_name_and_email_everywhere_and_keeps_hours_points_and_certificates`);
hours, the points ledger (`flask points verify`) and issued certificates stay consistent; role
assignments are withdrawn, uploads keep their bytes under a neutral name; the account can no
longer sign in, and its number can register anew."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import JSON, String, Text, func, select

from certificates.models import IssuedDocument, SubjectKind
from certificates.services import verify
from core.auth import admin
from core.auth import services as auth
from core.auth.assignments import RoleAssignment
from core.auth.models import AuditAction, AuditEntry, SmsCode, SmsPurpose, User
from core.auth.sms import current_gateway
from core.auth.sms_services import request_code
from core.clock import utcnow
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.settings import current_settings
from core.uploads import services as uploads
from core.uploads.models import Upload
from events.models import CheckIn, SignUp, SignUpStatus
from honours.models import Honour, Person, PersonRevision, SensitiveView
from personal_data.services.closing import CLOSED_NAME, close_account, placeholder_phone
from points.models import Account, LedgerEntry
from tests.builders import DEFAULT_PASSWORD, make_team, make_user
from tests.concurrency import run_at_once
from tests.conftest import sign_in
from tests.core.test_authorization_matrix import snapshot
from tests.personal_data.builders import make_people


def texts_holding(olds: list[str], *, except_rows: dict[str, set[int]] | None = None) -> list[str]:
    """`table.column` (with the value) for every text, string or JSON value of the whole
    schema that holds one of `olds`, leaving out the rows of `except_rows` (table: ids); JSON
    is read as its values, so that an escaped Chinese name is found too."""
    found = []
    for table in db.metadata.sorted_tables:
        kept = (except_rows or {}).get(table.name, set())
        for column in table.c:
            if not isinstance(column.type, String | Text | JSON):
                continue
            query = select(column).where(column.is_not(None))
            if kept:
                query = query.where(table.c.id.not_in(kept))
            for value in db.session.scalars(query):
                text = (
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(column.type, JSON)
                    else value
                )
                if any(old in str(text) for old in olds):
                    found.append(f"{table.name}.{column.name}: {text!r}")
    return found


def register_rows(person_id: int) -> dict[str, set[int]]:
    """The ids of the register's record of a person, of its revisions and of the certificates
    of its honours (荣誉证书, documents about the record, not the account), by table."""
    revisions = db.session.scalars(
        select(PersonRevision.id).where(PersonRevision.person_id == person_id)
    )
    certificates = db.session.scalars(
        select(IssuedDocument.id).where(
            IssuedDocument.subject_kind == SubjectKind.person,
            IssuedDocument.subject_id == person_id,
        )
    )
    return {
        "person": {person_id},
        "person_revision": set(revisions),
        "issued_document": set(certificates),
    }


def _kept(user_id: int) -> dict:
    """What closing must leave as it was: hours, points and certificates."""
    return {
        "minutes": db.session.scalar(
            select(func.sum(CheckIn.served_minutes)).where(CheckIn.user_id == user_id)
        ),
        "check_ins": db.session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.user_id == user_id)
        ),
        "balance": db.session.scalar(select(Account.balance).where(Account.owner_id == user_id)),
        "entries": db.session.scalar(select(func.count()).select_from(LedgerEntry)),
        "certificates": db.session.execute(
            select(IssuedDocument.number, IssuedDocument.check_code).where(
                IssuedDocument.subject_id == user_id
            )
        ).all(),
    }


def test_closing_erases_number_name_and_email_everywhere_and_keeps_hours_points_and_certificates(
    app, client, runner
):
    now = utcnow()
    people = make_people(now)
    volunteer, olds = people.volunteer, [people.phone, people.name, people.email]
    assert texts_holding(olds), "the world must hold the volunteer's data before closing"
    # The one exception: the register of good people's record of the volunteer, its history
    # and the certificates of its honours keep their name and number. It is the office's
    # register of a public honour, kept on its own legal basis (the public interest, with its
    # own consent to publication on the roll), not the volunteer account's data: closing
    # unlinks it (see the next test) and does not erase it. Every other row of every table is
    # scanned.
    register = register_rows(people.record.id)
    kept = _kept(volunteer.id)
    (number, code), *_ = kept["certificates"]
    masked = verify(number, code).masked_name
    user_id, upcoming_id, waiting_id = volunteer.id, people.upcoming.id, people.waiting.id
    db.session.commit()
    sign_in(client, volunteer)

    page = client.get("/me/close")
    assert page.status_code == 200 and 'href="/me/export"' in page.text
    closed = client.post("/me/close", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    assert closed.status_code == 302, closed.text

    assert texts_holding(olds, except_rows=register) == []
    user = db.session.get(User, user_id)
    assert user.phone == placeholder_phone(user_id) and user.display_name == CLOSED_NAME
    assert user.closed_at is not None and not user.is_enabled and user.email is None
    assert _kept(user_id) == kept
    # The certificate still verifies, with the same masked name as on the paper.
    assert verify(number, code).masked_name == masked
    verified = runner.invoke(args=["points", "verify"])
    assert verified.exit_code == 0 and "ledger OK" in verified.output, verified.output
    # The seat went to the one waiting.
    statuses = dict(
        db.session.execute(
            select(SignUp.user_id, SignUp.status).where(SignUp.shift_id == upcoming_id)
        ).all()
    )
    assert statuses == {user_id: SignUpStatus.cancelled, waiting_id: SignUpStatus.confirmed}
    closings = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.account_closed)
    ).all()
    assert [(e.actor_id, e.target_id) for e in closings] == [(user_id, user_id)]
    # The browser that closed it is signed out.
    assert client.get("/me/export").status_code == 302


def test_closing_withdraws_roles_renames_uploads_unlinks_the_register_and_keeps_the_views(app):
    now = utcnow()
    people = make_people(now)
    volunteer, record = people.volunteer, people.record
    user_id, record_id = volunteer.id, record.id
    (withdrawn_before,) = db.session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user_id, RoleAssignment.withdrawn_at.is_not(None)
        )
    ).all()
    earlier = (withdrawn_before.id, withdrawn_before.withdrawn_at, withdrawn_before.withdrawn_by_id)
    mine = select(Upload).where(Upload.uploaded_by_id == user_id)
    files = [(u.id, u.public_key, u.sha256, u.size) for u in db.session.scalars(mine)]
    assert files and all(people.name in u.filename for u in db.session.scalars(mine))
    views = db.session.execute(
        select(SensitiveView.id, SensitiveView.person_id, SensitiveView.fields).where(
            SensitiveView.viewer_id == user_id
        )
    ).all()
    assert views
    honours = db.session.execute(select(Honour.id, Honour.created_by_id)).all()

    close_account(volunteer, password=DEFAULT_PASSWORD, now=now)
    db.session.commit()

    held = db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user_id).order_by(RoleAssignment.id)
    ).all()
    # District clerk, panel reviewer and the bus company's staff: all withdrawn.
    assert len(held) == 3 and all(a.withdrawn_at is not None for a in held)
    closed = [a for a in held if a.id != earlier[0]]
    assert all((a.withdrawn_at, a.withdrawn_by_id) == (now, user_id) for a in closed)
    assert next((a.id, a.withdrawn_at, a.withdrawn_by_id) for a in held if a.id == earlier[0]) == (
        earlier
    )
    withdrawals = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.assignment_withdrawn, AuditEntry.actor_id == user_id
        )
    ).all()
    assert [e.details["assignment_id"] for e in withdrawals] == [a.id for a in closed]

    # The files stay, bytes and keys as they were, under names that say nothing of anyone.
    settings = current_settings().uploads
    for upload_id, public_key, sha256, size in files:
        upload = db.session.get(Upload, upload_id)
        assert (upload.public_key, upload.sha256, upload.size) == (public_key, sha256, size)
        assert upload.filename == f"upload-{upload_id}.png"
        assert len(uploads.read_upload(upload, settings)) == size

    # The register's record stays whole, no longer linked, the unlinking in its history.
    person = db.session.get(Person, record_id)
    assert person.user_id is None
    assert (person.name, person.phone) == (people.name, people.phone)
    last = db.session.scalars(
        select(PersonRevision)
        .where(PersonRevision.person_id == record_id)
        .order_by(PersonRevision.id.desc())
    ).first()
    assert last.changes == {"user_id": [user_id, None]} and last.actor_id == user_id
    assert db.session.execute(select(Honour.id, Honour.created_by_id)).all() == honours

    # The log of who saw what stays, naming the clerk by id.
    assert (
        db.session.execute(
            select(SensitiveView.id, SensitiveView.person_id, SensitiveView.fields).where(
                SensitiveView.viewer_id == user_id
            )
        ).all()
        == views
    )


def test_a_closed_account_cannot_sign_in_and_its_number_registers_anew(app, client, bearer):
    now = utcnow()
    people = make_people(now)
    volunteer, phone = people.volunteer, people.phone
    headers = bearer(volunteer)
    other_browser = sign_in(app.test_client(), volunteer)
    close_account(volunteer, password=DEFAULT_PASSWORD, now=now)
    db.session.commit()

    assert auth.authenticate(phone, DEFAULT_PASSWORD) is None
    refused = client.post("/login", data={"phone": phone, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200
    sms = current_settings().sms
    asked = request_code(
        phone, SmsPurpose.sign_in, now=now, settings=sms, gateway=current_gateway()
    )
    assert not asked.is_sent
    # The old token and sign-in are refused by the export and closing endpoints alike.
    assert client.get("/api/v1/me/export", headers=headers).status_code == 401
    again = client.post("/api/v1/me/close", headers=headers, json={"password": DEFAULT_PASSWORD})
    assert again.status_code == 401
    assert other_browser.get("/me/export.json").status_code == 302
    assert other_browser.post("/me/close", data={"password": "x"}).status_code == 302

    newcomer = auth.create_user(phone=phone, password="another-pass-1", display_name="新用户")
    db.session.commit()
    assert newcomer.id != volunteer.id
    assert db.session.scalar(select(func.count()).select_from(SmsCode)) >= 1


def test_closing_through_the_api_ends_the_token(app, client, bearer):
    volunteer = make_user(display_name="志愿者小张")
    headers = bearer(volunteer)

    wrong = client.post("/api/v1/me/close", headers=headers, json={"password": "wrong-pass-1"})
    assert wrong.status_code == 422 and "password" in wrong.json["errors"]
    done = client.post("/api/v1/me/close", headers=headers, json={"password": DEFAULT_PASSWORD})
    assert done.status_code == 204, done.text
    assert client.get("/api/v1/me/export", headers=headers).status_code == 401


def test_a_refused_closing_changes_nothing(app, client):
    people = make_people(utcnow())
    db.session.commit()
    sign_in(client, people.volunteer)
    before = snapshot()

    unticked = client.post("/me/close", data={"password": DEFAULT_PASSWORD})
    wrong = client.post("/me/close", data={"password": "wrong-pass-1", "understood": "y"})

    assert unticked.status_code == wrong.status_code == 200
    assert "is-invalid" in wrong.text
    assert snapshot() == before


def test_the_only_leader_of_a_team_must_hand_it_over_first(app):
    leader = make_user(display_name="独自队长")
    team = make_team(leader, name="独行志愿服务队")

    with pytest.raises(Conflict) as refused:
        close_account(leader, password=DEFAULT_PASSWORD, now=utcnow())
    assert team.name in str(refused.value.message)


def test_office_and_merchant_accounts_are_closed_by_the_office_not_by_themselves(
    app, office_client, merchant_client, office_user, merchant_staff
):
    for signed_in in (office_client, merchant_client):
        assert signed_in.get("/me/close").status_code == 403
        refused = signed_in.post(
            "/me/close", data={"password": DEFAULT_PASSWORD, "understood": "y"}
        )
        assert refused.status_code == 403
    for user in (office_user, merchant_staff):
        with pytest.raises(Forbidden):
            close_account(user, password=DEFAULT_PASSWORD, now=utcnow())
    assert db.session.scalar(select(func.count()).where(User.closed_at.is_not(None))) == 0


def test_a_wrong_password_is_refused_beside_the_field(app):
    volunteer = make_user()
    with pytest.raises(ValidationFailed) as refused:
        close_account(volunteer, password="wrong-pass-1", now=utcnow())
    assert "password" in refused.value.errors


def test_two_closings_at_once_close_once(app):
    people = make_people(utcnow())
    user_id = people.volunteer.id

    def close(_i):
        return close_account(
            db.session.get(User, user_id), password=DEFAULT_PASSWORD, now=utcnow()
        ).id

    outcomes = run_at_once(app, 2, close)

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "int"], outcomes
    assert (
        db.session.scalar(
            select(func.count()).where(AuditEntry.action == AuditAction.account_closed)
        )
        == 1
    )
    assert db.session.get(User, user_id).phone == placeholder_phone(user_id)


def test_the_placeholder_is_never_a_mobile_number_and_fits_the_column(app):
    for user_id in (1, 42, 9_999_999_999):
        placeholder = placeholder_phone(user_id)
        assert len(placeholder) == 11 and not auth.PHONE_PATTERN.match(placeholder)
    assert User.__table__.c.phone.type.length == 11


def test_the_office_cannot_enable_a_closed_account_again(app, office_user):
    volunteer = make_user()
    close_account(volunteer, password=DEFAULT_PASSWORD, now=utcnow())
    db.session.commit()

    with pytest.raises(Conflict):
        admin.set_account_enabled(office_user, volunteer.id, enabled=True, now=utcnow())
