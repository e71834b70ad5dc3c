"""API of nominations (推荐): the clerk's list and one's own, a nomination by each channel
(a community's or sector's draft, a media case, the public form, a clerk's lead from the email
or hotline), reading one, changing a draft, matching the nominee to the register, submitting,
files, merging a duplicate and withdrawing."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.settings import current_settings
from honours.models import ViewChannel
from honours.nomination_schemas import (
    DraftUpdateSchema,
    FileKindQuerySchema,
    FileUploadSchema,
    LeadCreateSchema,
    MatchSchema,
    MediaCreateSchema,
    NominationBriefSchema,
    NominationFileSchema,
    NominationQuerySchema,
    NominationSchema,
    OpenRoundSchema,
    PublicCreateSchema,
    ReasonSchema,
    TerritorialCreateSchema,
)
from honours.schemas import RegisterPersonBriefSchema
from honours.services import nomination_access as access
from honours.services import nomination_endings as endings
from honours.services import nomination_files as files
from honours.services import nomination_matching as matching
from honours.services import nomination_reading as reading
from honours.services import nominations

blp = Blueprint(
    "nominations_api",
    __name__,
    url_prefix="/api/v1",
    description="Nominations of good people (推荐): the three channels, up to the review levels",
)
BEARER = [{"bearerAuth": []}]
# Clerks, editors and reviewers are accounts holding an assignment (core.auth.assignments);
# the services say who of them acts where, the office acts everywhere.
CLERKS = (Role.volunteer, Role.office)
READERS = "who filed a nomination reads it, as do the clerks of its region and the city"
FILERS = "who filed a nomination adds its files and withdraws it, not only clerks"
# What a nomination's answer takes from its row as it is; the rest is the services' to say.
AS_STORED = (
    *NominationBriefSchema().fields,
    "nominee_gender",
    "nominee_birth_date",
    "nominee_is_deceased",
    "sector",
    "person_id",
    "deeds",
    "unit_name",
    "media_url",
    "media_discovery",
    "lead_source",
    "honour_id",
    "updated_at",
)


def _answer(nomination_id: int, place: str) -> dict:
    """The nomination as the asker may see it (a whole view logged), for the answer."""
    detail = reading.show_nomination(
        current_user, nomination_id, now=utcnow(), channel=ViewChannel.api, place=place
    )
    nomination, shown = detail.nomination, detail.shown
    answer = {key: getattr(nomination, key) for key in AS_STORED}
    answer.update(
        nominee_phone=shown.nominee_phone,
        nominee_id_number=shown.nominee_id_number,
        is_whole=shown.is_whole,
        nominators=[
            {
                "id": each.id,
                "kind": each.kind,
                "name": each.name,
                "contact_phone": shown.contact_phones.get(each.id),
                "from_nomination_id": each.from_nomination_id,
                "added_at": each.added_at,
            }
            for each in detail.nominators
        ],
        files=[
            {
                "key": entry.upload.public_key,
                "kind": entry.attachment,
                "filename": entry.upload.filename,
                "content_type": entry.upload.content_type,
                "size": entry.upload.size,
                "nomination_id": entry.nomination_id,
            }
            for entry in detail.files
        ],
        steps=[
            {
                "id": step.id,
                "action": step.action,
                "from_stage": step.from_stage,
                "to_stage": step.to_stage,
                "actor": step.actor if detail.sees_actors else None,
                "opinion": step.opinion,
                "acted_at": step.acted_at,
            }
            for step in detail.steps
        ],
        merged_from=detail.merged_from,
        actions=detail.actions,
    )
    return answer


def _done(nomination_id: int, place: str) -> dict:
    answer = _answer(nomination_id, place)
    db.session.commit()
    return answer


@blp.route("/honours/nominations")
class Nominations(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(NominationQuerySchema, location="query")
    @blp.response(200, NominationBriefSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The nominations of my region and below (all for the city), the newest first; by
        round, stage, channel, or only the flagged"""
        found = reading.list_nominations(
            current_user,
            reading.NominationFilter(**query),
            window_of(pagination_parameters),
            now=utcnow(),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/honours/nominations/mine")
class MyNominations(MethodView):
    @login_required(owner="self", why="everyone reads the nominations they filed")
    @blp.doc(security=BEARER)
    @blp.response(200, NominationBriefSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The nominations I filed (entered, or nominated with), the newest first"""
        found = reading.list_my_nominations(current_user, window_of(pagination_parameters))
        return answer_page(pagination_parameters, found)


@blp.route("/honours/nominations/rounds")
class OpenRounds(MethodView):
    @login_required(owner="self", why="anyone may nominate, so anyone learns which rounds are open")
    @blp.doc(security=BEARER)
    @blp.response(200, OpenRoundSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The rounds taking nominations today"""
        return access.list_open_rounds(utcnow())


@blp.route("/honours/nominations/territorial")
class TerritorialNominations(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(TerritorialCreateSchema)
    @blp.response(201, NominationSchema)
    def post(self, data):
        """Draft a territorial nomination (属地推荐): a community's clerk for their community,
        a sector's clerk for their sector, or the city; matched and submitted later"""
        nomination = nominations.draft_nomination(current_user, data, now=utcnow())
        return _done(nomination.id, "api.nominations.territorial")


@blp.route("/honours/nominations/media")
class MediaNominations(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(MediaCreateSchema)
    @blp.response(201, NominationSchema)
    def post(self, data):
        """File a media nomination (媒体推荐) at the city: a media editor, with the report's
        link and how the case was found; the nominee is found in the register or entered"""
        nomination = nominations.file_media_nomination(current_user, data, now=utcnow())
        return _done(nomination.id, "api.nominations.media")


@blp.route("/honours/nominations/public")
class PublicNominations(MethodView):
    @login_required(owner="self", why="anyone signed in with a verified phone nominates")
    @blp.doc(security=BEARER)
    @blp.arguments(PublicCreateSchema)
    @blp.response(201, NominationSchema)
    def post(self, data):
        """Nominate myself or someone else (自我推荐): my mobile number must be verified (403
        `phone_not_verified` otherwise); it arrives at the nominee's community as a lead"""
        nomination = nominations.nominate(current_user, data, now=utcnow())
        return _done(nomination.id, "api.nominations.public")


@blp.route("/honours/nominations/leads")
class Leads(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(LeadCreateSchema)
    @blp.response(201, NominationSchema)
    def post(self, data):
        """Enter a lead the office received by email or on its hotline, with the caller's
        name and phone: a clerk of the nominee's region, or the city"""
        nomination = nominations.enter_lead(current_user, data, now=utcnow())
        return _done(nomination.id, "api.nominations.leads")


@blp.route("/honours/nominations/<int:nomination_id>")
class OneNomination(MethodView):
    @login_required(owner="self", why=READERS)
    @blp.doc(security=BEARER)
    @blp.response(200, NominationSchema)
    def get(self, nomination_id: int):
        """A nomination with its nominators, files and steps; the nominee's phone and ID
        number whole for the district and the city once matched (the view is logged)"""
        return _done(nomination_id, "api.nominations.one")

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(DraftUpdateSchema)
    @blp.response(200, NominationSchema)
    def patch(self, data, nomination_id: int):
        """Change a draft's fields; a new nominee (name, birth date, ID number, place) undoes
        the match to the register"""
        nominations.update_draft(current_user, nomination_id, data, now=utcnow())
        return _done(nomination_id, "api.nominations.one.patch")


@blp.route("/honours/nominations/<int:nomination_id>/candidates")
class MatchCandidates(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, RegisterPersonBriefSchema(many=True))
    @blp.paginate(Page)
    def get(self, nomination_id: int):
        """Records of the register that may be the nominee (no sensitive fields)"""
        return matching.match_candidates(current_user, nomination_id, now=utcnow())


@blp.route("/honours/nominations/<int:nomination_id>/match")
class MatchNominee(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(MatchSchema)
    @blp.response(200, NominationSchema)
    def post(self, data, nomination_id: int):
        """Match the nominee to a record of the register (`person_id`), or enter a new record
        from the nominee's fields and `person`; a draft's drafter or a lead's community clerk"""
        matching.match_nominee(
            current_user,
            nomination_id,
            now=utcnow(),
            person_id=data.get("person_id"),
            person_values=data["person"],
            is_distinct_confirmed=data["is_distinct_confirmed"],
        )
        return _done(nomination_id, "api.nominations.match")


@blp.route("/honours/nominations/<int:nomination_id>/submit")
class SubmitNomination(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, NominationSchema)
    def post(self, nomination_id: int):
        """Submit a matched draft: a community's to the street, a sector's to the city"""
        nominations.submit_nomination(current_user, nomination_id, now=utcnow())
        return _done(nomination_id, "api.nominations.submit")


@blp.route("/honours/nominations/<int:nomination_id>/files")
class NominationFiles(MethodView):
    @login_required(owner="self", why=FILERS)
    @blp.doc(security=BEARER)
    @blp.arguments(FileKindQuerySchema, location="query")
    @blp.arguments(FileUploadSchema, location="files")
    @blp.response(201, NominationFileSchema)
    def post(self, query, data, nomination_id: int):
        """Add a file while the nomination is a draft or a lead no one has acted on: an ID
        photo or the sealed form (replacing the one there), life photos (at most 5), evidence
        (images or PDF)"""
        upload = nominations.add_file(
            current_user,
            nomination_id,
            files.Incoming(query["kind"], data["file"].stream, data["file"].filename),
            now=utcnow(),
            settings=current_settings().uploads,
        )
        answer = {
            "key": upload.public_key,
            "kind": query["kind"],
            "filename": upload.filename,
            "content_type": upload.content_type,
            "size": upload.size,
            "nomination_id": nomination_id,
        }
        db.session.commit()
        return answer


@blp.route("/honours/nominations/<int:nomination_id>/files/<file_key>")
class OneNominationFile(MethodView):
    @login_required(owner="self", why=FILERS)
    @blp.doc(security=BEARER)
    @blp.response(204)
    def delete(self, nomination_id: int, file_key: str):
        """Take a file off the nomination, while files may be added"""
        nominations.remove_file(current_user, nomination_id, file_key, now=utcnow())
        db.session.commit()


@blp.route("/honours/nominations/<int:nomination_id>/merge")
class MergeNomination(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ReasonSchema)
    @blp.response(200, NominationSchema)
    def post(self, data, nomination_id: int):
        """Merge this flagged duplicate into the first nomination of the nominee, keeping
        every nominator; answers with the first"""
        first = endings.merge_duplicate(
            current_user, nomination_id, now=utcnow(), reason=data.get("reason")
        )
        return _done(first.id, "api.nominations.merge")


@blp.route("/honours/nominations/<int:nomination_id>/withdraw")
class WithdrawNomination(MethodView):
    @login_required(owner="self", why=FILERS)
    @blp.doc(security=BEARER)
    @blp.arguments(ReasonSchema)
    @blp.response(200, NominationSchema)
    def post(self, data, nomination_id: int):
        """Withdraw a nomination I filed, while it is on its way before the public notice"""
        endings.withdraw_nomination(
            current_user, nomination_id, now=utcnow(), reason=data.get("reason")
        )
        return _done(nomination_id, "api.nominations.withdraw")
