"""API of the register (好人库): persons, honours, honour types, history and the log of whole
views, for the clerks of a region (within it) and the city (everywhere)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from honours import services
from honours.models import ViewChannel
from honours.schemas import (
    HonourCorrectionSchema,
    HonourCreateSchema,
    HonourSchema,
    HonourTypeSchema,
    MergeSchema,
    PersonCorrectionSchema,
    PersonCreateSchema,
    PersonQuerySchema,
    PublicationConsentSchema,
    RegisterPersonBriefSchema,
    RegisterPersonSchema,
    RegisterQuerySchema,
    RevisionSchema,
    RoundQuotasSchema,
    RoundSchema,
    RoundWriteSchema,
    SensitiveViewQuerySchema,
    SensitiveViewSchema,
)
from honours.services import rounds

blp = Blueprint(
    "honours_api", __name__, url_prefix="/api/v1", description="The register of good people"
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the
# services keep each to the persons of their region, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)


def _scope():
    return services.scope_of(current_user, utcnow())


def _person_answer(person, scope, place: str) -> dict:
    shown = services.show_person(
        person,
        scope,
        viewer_id=current_user.id,
        channel=ViewChannel.api,
        place=place,
        now=utcnow(),
    )
    return {
        **{
            key: getattr(person, key)
            for key in RegisterPersonSchema().fields
            if hasattr(person, key)
        },
        "id_number": shown.id_number,
        "phone": shown.phone,
        "guardian_phone": shown.guardian_phone,
        "address": shown.address,
        "hardship_notes": shown.hardship_notes,
        "is_whole": shown.is_whole,
        "region": person.region,
        "district": person.district,
        "honours": person.honours,
    }


def _history(revisions, changes: list[dict]) -> list[dict]:
    return [
        {
            "id": r.id,
            "action": r.action,
            "changes": shown,
            "reason": r.reason,
            "actor": r.actor,
            "created_at": r.created_at,
        }
        for r, shown in zip(revisions, changes, strict=True)
    ]


@blp.route("/honours/types")
class HonourTypes(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, HonourTypeSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The honour types (道德模范, 中国好人, 河北好人 ...), highest level first"""
        return services.list_honour_types()


@blp.route("/honours/persons")
class Persons(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PersonQuerySchema, location="query")
    @blp.response(200, RegisterPersonBriefSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The persons of the register within my region, by name (no sensitive fields)"""
        found = services.list_persons(
            _scope(), services.PersonFilter(**query), window_of(pagination_parameters)
        )
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PersonCreateSchema)
    @blp.response(201, RegisterPersonSchema)
    def post(self, data):
        """Enter a person in the register within my region; a duplicate is refused, naming
        the record already there"""
        scope = _scope()
        confirmed = data.pop("is_distinct_confirmed")
        person = services.enter_person(
            current_user, scope, data, now=utcnow(), is_distinct_confirmed=confirmed
        )
        answer = _person_answer(person, scope, "api.honours.persons.post")
        db.session.commit()
        return answer


@blp.route("/honours/persons/<int:person_id>")
class OnePerson(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RegisterPersonSchema)
    def get(self, person_id: int):
        """A person with their honours; sensitive fields whole for the district and the city
        (the view is logged), masked for other clerks"""
        scope = _scope()
        person = services.get_person(scope, person_id)
        answer = _person_answer(person, scope, "api.honours.person")
        db.session.commit()
        return answer

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PersonCorrectionSchema)
    @blp.response(200, RegisterPersonSchema)
    def patch(self, data, person_id: int):
        """Correct a person's fields with a reason; the history keeps what they were"""
        scope = _scope()
        reason = data.pop("reason")
        person = services.correct_person(
            current_user, scope, person_id, data, reason=reason, now=utcnow()
        )
        answer = _person_answer(person, scope, "api.honours.person.patch")
        db.session.commit()
        return answer


@blp.route("/honours/persons/<int:person_id>/consent")
class PersonConsent(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PublicationConsentSchema)
    @blp.response(200, RegisterPersonBriefSchema)
    def post(self, data, person_id: int):
        """Record the person's consent to publication on the public roll, or its withdrawal"""
        person = services.record_consent(
            current_user, _scope(), person_id, is_given=data["is_given"], now=utcnow()
        )
        db.session.commit()
        return person


@blp.route("/honours/persons/<int:person_id>/merge")
class PersonMerge(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(MergeSchema)
    @blp.response(200, RegisterPersonBriefSchema)
    def post(self, data, person_id: int):
        """Merge a duplicate record into this one: its honours move here, it points here"""
        person = services.merge_persons(
            current_user,
            _scope(),
            person_id,
            data["duplicate_id"],
            reason=data["reason"],
            now=utcnow(),
        )
        db.session.commit()
        return person


@blp.route("/honours/persons/<int:person_id>/history")
class PersonHistory(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RevisionSchema(many=True))
    @blp.paginate(Page)
    def get(self, person_id: int):
        """A person's revisions, oldest first (sensitive values masked unless whole for me)"""
        scope = _scope()
        person = services.get_person(scope, person_id)
        revisions = services.list_person_history(scope, person_id)
        changes = services.show_history(
            person,
            revisions,
            scope,
            viewer_id=current_user.id,
            channel=ViewChannel.api,
            place="api.honours.person.history",
            now=utcnow(),
        )
        # The whole view is logged even though the answer changes nothing else.
        db.session.commit()
        return _history(revisions, changes)


@blp.route("/honours")
class Register(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RegisterQuerySchema, location="query")
    @blp.response(200, HonourSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The register (好人库名录) within my region, by level, type, category, district and
        year, newest award first"""
        found = services.list_register(
            _scope(), services.RegisterFilter(**query), window_of(pagination_parameters)
        )
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(HonourCreateSchema)
    @blp.response(201, HonourSchema)
    def post(self, data):
        """Record an honour of a person or a team: from an external listing (中国好人,
        河北好人: the city, with the link) or an earlier decision from the files"""
        honour = services.award_honour(current_user, _scope(), data, now=utcnow())
        db.session.commit()
        return honour


@blp.route("/honours/<int:honour_id>")
class OneHonour(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, HonourSchema)
    def get(self, honour_id: int):
        """One honour"""
        return services.get_honour(_scope(), honour_id)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(HonourCorrectionSchema)
    @blp.response(200, HonourSchema)
    def patch(self, data, honour_id: int):
        """Correct an honour with a reason; the history keeps what it was"""
        reason = data.pop("reason")
        honour = services.correct_honour(
            current_user, _scope(), honour_id, data, reason=reason, now=utcnow()
        )
        db.session.commit()
        return honour


@blp.route("/honours/<int:honour_id>/history")
class HonourHistory(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RevisionSchema(many=True))
    @blp.paginate(Page)
    def get(self, honour_id: int):
        """An honour's revisions, oldest first"""
        revisions = services.list_honour_history(_scope(), honour_id)
        return _history(revisions, [r.changes for r in revisions])


@blp.route("/honours/sensitive-views")
class SensitiveViews(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(SensitiveViewQuerySchema, location="query")
    @blp.response(200, SensitiveViewSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The log of whole views of sensitive fields, newest first: all of it for the city,
        those of its persons for a district"""
        found = services.list_sensitive_views(
            _scope(), window_of(pagination_parameters), person_id=query.get("person_id")
        )
        return answer_page(pagination_parameters, found)


# Rounds (评选批次) ------------------------------------------------------------------------------


@blp.route("/honours/rounds")
class Rounds(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RoundSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The rounds of nominations, the latest first (any clerk)"""
        found = rounds.list_rounds(current_user, window_of(pagination_parameters), now=utcnow())
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RoundWriteSchema)
    @blp.response(201, RoundSchema)
    def post(self, data):
        """Prepare a round as a draft (the city office)"""
        round_ = rounds.create_round(current_user, data, now=utcnow())
        db.session.commit()
        return round_


@blp.route("/honours/rounds/<int:round_id>")
class OneRound(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RoundSchema)
    def get(self, round_id: int):
        """One round with its quotas per district (any clerk)"""
        return rounds.get_round(current_user, round_id, now=utcnow())

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RoundWriteSchema)
    @blp.response(200, RoundSchema)
    def put(self, data, round_id: int):
        """Change a draft round (the city office); an open or closed one is refused (409)"""
        round_ = rounds.update_round(current_user, round_id, data, now=utcnow())
        db.session.commit()
        return round_


@blp.route("/honours/rounds/<int:round_id>/quotas")
class RoundQuotas(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RoundQuotasSchema)
    @blp.response(200, RoundSchema)
    def put(self, data, round_id: int):
        """Set a draft round's quotas per district, replacing those it had (the city office)"""
        quotas = {entry["district_id"]: entry["quota"] for entry in data["quotas"]}
        round_ = rounds.set_quotas(current_user, round_id, quotas, now=utcnow())
        db.session.commit()
        return round_


@blp.route("/honours/rounds/<int:round_id>/open")
class OpenRound(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RoundSchema)
    def post(self, round_id: int):
        """Open a draft round for nominations (the city office)"""
        round_ = rounds.open_round(current_user, round_id, now=utcnow())
        db.session.commit()
        return round_


@blp.route("/honours/rounds/<int:round_id>/close")
class CloseRound(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RoundSchema)
    def post(self, round_id: int):
        """Close an open round (the city office)"""
        round_ = rounds.close_round(current_user, round_id, now=utcnow())
        db.session.commit()
        return round_
