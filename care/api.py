"""API of the four seasons of care (善行四季·关爱): the city makes care campaigns, sets their
budgets per fund source, makes or uploads their lists and locks verified visits; the clerks of
a person's region record, edit and complete visits with condolence funds and goods, attach the
receipt and photos, and the district verifies them; the city reverses a locked one."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from care.models import FundSource, VisitStatus
from care.schemas import (
    BudgetDetailSchema,
    BudgetWriteSchema,
    CareCampaignCreateSchema,
    CareCampaignQuerySchema,
    CareCampaignSchema,
    EditVisitSchema,
    ListMadeSchema,
    ListUploadedSchema,
    ListUploadSchema,
    LockedSchema,
    ReceiptQuerySchema,
    RecordVisitSchema,
    ReverseSchema,
    SkipSchema,
    TargetQuerySchema,
    TargetSchema,
    VersionSchema,
    VisitFileSchema,
    VisitFileUploadSchema,
    VisitQuerySchema,
    VisitRowSchema,
    VisitSchema,
)
from care.services import budgets, campaigns, overview, visit_files, visits
from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.rows import Slice
from core.settings import current_settings
from honours.services.benefits import parse_yuan

blp = Blueprint(
    "care_api",
    __name__,
    url_prefix="/api/v1",
    description="The four seasons of care: care campaigns, budgets, lists and visits (关爱)",
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments). A campaign is
# the whole city's: every clerk reads it and their regions' part of its list and visits; the
# services keep campaigns, budgets, lists and locking to the city, and each visit and person on
# the list to the clerks of the person's region.
CLERKS = (Role.volunteer, Role.office)
FUND_SOURCES = ",".join(source.value for source in FundSource)


def _details(data: dict) -> visits.VisitDetails:
    return visits.VisitDetails(
        visit_on=data["visit_on"],
        place=data["place"],
        visitors=data["visitors"],
        recipient=data["recipient"],
        relative_name=data["relative_name"],
        relative_relation=data["relative_relation"],
        cash_fen=parse_yuan(data["cash_yuan"], "cash_yuan", max_fen=visits.VISIT_CASH_MAX_FEN),
        fund_source=data["fund_source"],
        needs=data["needs"],
        follow_up=data["follow_up"],
        goods=tuple(
            visits.GoodLine(
                line["item"],
                line["quantity"],
                parse_yuan(line["value_yuan"], "goods", max_fen=visits.GOOD_VALUE_MAX_FEN),
            )
            for line in data["goods"]
        ),
    )


def _visit(visit_id: int):
    return visits.get_visit(current_user, visit_id, now=utcnow())


def _incoming(data: dict) -> visit_files.VisitFile:
    return visit_files.VisitFile(data["file"].stream, data["file"].filename)


def _line(target, visit) -> dict:
    """A person on the list with their latest visit not reversed (None: not visited)."""
    return {
        "target": target,
        "visited": visit is not None and visit.status is not VisitStatus.planned,
        "visit_id": visit.id if visit is not None else None,
    }


def _file(visit, upload) -> dict:
    return {
        "key": upload.public_key,
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": upload.size,
        "visit_id": visit.id,
        "version": visit.version,
    }


# Campaigns -------------------------------------------------------------------------------------


@blp.route("/care/campaigns")
class CareCampaigns(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(CareCampaignQuerySchema, location="query")
    @blp.response(200, CareCampaignSchema(many=True))
    @blp.paginate(Page)
    def get(self, query):
        """The care campaigns, the newest season first, with their budgets (any clerk)"""
        return campaigns.list_care_campaigns(current_user, now=utcnow(), year=query.get("year"))

    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(CareCampaignCreateSchema)
    @blp.response(201, CareCampaignSchema)
    def post(self, data):
        """Make a care campaign from a seasonal campaign (the city): flowers or visits, its
        plan and the rule its list is made by. 422 for an honour_level rule without
        min_level or no such seasonal campaign"""
        care = campaigns.create_care_campaign(
            current_user, campaigns.CampaignDetails(**data), now=utcnow()
        )
        care_id = care.id
        db.session.commit()
        return campaigns.get_care_campaign(current_user, care_id, now=utcnow())


@blp.route("/care/campaigns/<int:care_campaign_id>")
class OneCareCampaign(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, CareCampaignSchema)
    def get(self, care_campaign_id: int):
        """A care campaign with its budgets per fund source: set, spent and left (any clerk)"""
        return campaigns.get_care_campaign(current_user, care_campaign_id, now=utcnow())


@blp.route(f"/care/campaigns/<int:care_campaign_id>/budgets/<any({FUND_SOURCES}):fund_source>")
class CareBudget(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(BudgetWriteSchema)
    @blp.response(200, BudgetDetailSchema)
    def put(self, data, care_campaign_id: int, fund_source: str):
        """Set the campaign's budget from one fund source (the city), the change kept with
        its reason. 422 below what its visits have spent already"""
        budget = budgets.set_budget(
            current_user,
            care_campaign_id,
            FundSource(fund_source),
            parse_yuan(data["budget_yuan"], "budget_yuan", max_fen=budgets.BUDGET_MAX_FEN),
            reason=data["reason"],
            now=utcnow(),
        )
        db.session.commit()
        return budget


@blp.route("/care/campaigns/<int:care_campaign_id>/list")
class CareList(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, ListMadeSchema)
    def post(self, care_campaign_id: int):
        """Make the list, or make it again, by the campaign's rule (the city): who the rule
        finds is added once. 422 for a list that is uploaded"""
        added = campaigns.make_list(current_user, care_campaign_id, now=utcnow())
        db.session.commit()
        return {"added": added}


@blp.route("/care/campaigns/<int:care_campaign_id>/list/upload")
class CareListUpload(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(ListUploadSchema, location="files")
    @blp.response(200, ListUploadedSchema)
    def post(self, data, care_campaign_id: int):
        """Add the people of an Excel list by their ID numbers (the city). 422 naming the
        lines whose ID number no live person has; then nobody is added"""
        result = campaigns.upload_list(
            current_user, care_campaign_id, data["file"].stream, now=utcnow()
        )
        db.session.commit()
        return {"added": result.added, "already": result.already}


@blp.route("/care/campaigns/<int:care_campaign_id>/targets")
class CareTargets(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(TargetQuerySchema, location="query")
    @blp.response(200, TargetSchema(many=True))
    @blp.paginate()
    def get(self, query, care_campaign_id: int, pagination_parameters):
        """The people on the list in my regions (the city: all), by name, each visited or
        not and, if not reached, why"""
        found = campaigns.list_targets(
            current_user,
            care_campaign_id,
            window_of(pagination_parameters),
            now=utcnow(),
            person_name=query.get("name"),
        )
        latest = overview.latest_visits(care_campaign_id, (t.person_id for t in found.items))
        lines = [_line(target, latest.get(target.person_id)) for target in found.items]
        return answer_page(pagination_parameters, Slice(lines, found.total))


@blp.route("/care/targets/<int:target_id>/skip")
class SkipTarget(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(SkipSchema)
    @blp.response(200, TargetSchema)
    def post(self, data, target_id: int):
        """Record why a person on the list was not reached (a clerk of their region or the
        city): declined, moved, in hospital far away, deceased with no relative"""
        target = campaigns.skip_target(current_user, target_id, data["reason"], now=utcnow())
        care_id, person_id = target.care_campaign_id, target.person_id
        db.session.commit()
        latest = overview.latest_visits(care_id, [person_id])
        return _line(target, latest.get(person_id))


@blp.route("/care/campaigns/<int:care_campaign_id>/lock")
class LockVisits(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(200, LockedSchema)
    def post(self, care_campaign_id: int):
        """Lock every verified visit of the campaign (the city): from then on a correction is
        a reversal"""
        locked = visits.lock_visits(current_user, care_campaign_id, now=utcnow())
        db.session.commit()
        return {"locked": locked}


# Visits ----------------------------------------------------------------------------------------


@blp.route("/care/campaigns/<int:care_campaign_id>/visits")
class CampaignVisits(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(VisitQuerySchema, location="query")
    @blp.response(200, VisitRowSchema(many=True))
    @blp.paginate()
    def get(self, query, care_campaign_id: int, pagination_parameters):
        """The campaign's visits in my regions (the city: all), the latest first, by status
        and person"""
        found = visits.list_visits(
            current_user,
            care_campaign_id,
            visits.VisitFilter(**query),
            window_of(pagination_parameters),
            now=utcnow(),
        )
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RecordVisitSchema)
    @blp.response(201, VisitSchema)
    def post(self, data, care_campaign_id: int):
        """Record a visit planned or paid (a clerk of the person's region or the city); its
        cash is charged to the fund source's budget at once. 422 for a person off the list
        without off_list_reason (code off_list), cash over what the budget has left (code
        over_budget), a deceased person as the recipient; 403 for another region's person"""
        visit = visits.record_visit(
            current_user,
            care_campaign_id,
            data["person_id"],
            _details(data),
            now=utcnow(),
            done=data["done"],
            off_list_reason=data["off_list_reason"],
            corrects_id=data["corrects_id"],
        )
        visit_id = visit.id
        db.session.commit()
        return _visit(visit_id)


@blp.route("/care/visits/<int:visit_id>")
class OneVisit(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, VisitSchema)
    def get(self, visit_id: int):
        """A visit with its goods, receipt and photos, versions and reversal (the clerks of
        the person's region, the city)"""
        return _visit(visit_id)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(EditVisitSchema)
    @blp.response(200, VisitSchema)
    def put(self, data, visit_id: int):
        """Change a visit not yet verified, sending all of it with the version read; what
        changed is kept as a new version and the budget follows the cash. 409 for a verified
        or locked visit or one changed meanwhile"""
        visits.edit_visit(
            current_user, visit_id, _details(data), expected_version=data["version"], now=utcnow()
        )
        db.session.commit()
        return _visit(visit_id)


@blp.route("/care/visits/<int:visit_id>/done")
class VisitDone(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(VersionSchema)
    @blp.response(200, VisitSchema)
    def post(self, data, visit_id: int):
        """Mark a planned visit paid now (a clerk of the region or the city). 409 for one not
        planned or changed meanwhile"""
        visits.mark_done(current_user, visit_id, expected_version=data["version"], now=utcnow())
        db.session.commit()
        return _visit(visit_id)


@blp.route("/care/visits/<int:visit_id>/verify")
class VisitVerify(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, VisitSchema)
    def post(self, visit_id: int):
        """Verify a visit paid (a district clerk of the person's district, the city): from
        then on it is not edited. 422 for a visit with cash and no receipt, 409 for one not
        paid"""
        visits.verify_visit(current_user, visit_id, now=utcnow())
        db.session.commit()
        return _visit(visit_id)


@blp.route("/care/visits/<int:visit_id>/reverse")
class VisitReverse(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ReverseSchema)
    @blp.response(201, VisitSchema)
    def post(self, data, visit_id: int):
        """Reverse a locked visit with the reason (the city): its cash goes back to the
        budget and it counts no more. 409 for one not locked or reversed already"""
        visits.reverse_visit(current_user, visit_id, data["reason"], now=utcnow())
        db.session.commit()
        return _visit(visit_id)


@blp.route("/care/visits/<int:visit_id>/follow-up")
class VisitFollowUp(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, VisitSchema)
    def post(self, visit_id: int):
        """Mark the follow-up of the needs found done, once (a clerk of the region or the
        city). 409 for a visit without a follow-up or one done already"""
        visits.complete_follow_up(current_user, visit_id, now=utcnow())
        db.session.commit()
        return _visit(visit_id)


@blp.route("/care/visits/<int:visit_id>/receipt")
class VisitReceipt(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(ReceiptQuerySchema, location="query")
    @blp.arguments(VisitFileUploadSchema, location="files")
    @blp.response(201, VisitFileSchema)
    def post(self, query, data, visit_id: int):
        """Attach the receipt to a visit not yet verified, with the version read: a signature
        drawn on the phone (an image) or a scanned list (an image or PDF), replacing one there
        and kept as a version. 422 for a file that is neither, 409 for a verified visit"""
        visit_files.add_visit_files(
            current_user,
            visit_id,
            receipt=visit_files.Receipt(query["kind"], _incoming(data), "file"),
            photos=(),
            expected_version=query["version"],
            now=utcnow(),
            settings=current_settings().uploads,
        )
        db.session.commit()
        visit = _visit(visit_id)
        return _file(visit, visit.receipt)


@blp.route("/care/visits/<int:visit_id>/photos")
class VisitPhotos(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(VisitFileUploadSchema, location="files")
    @blp.response(201, VisitFileSchema)
    def post(self, data, visit_id: int):
        """Add a photo to a visit not yet verified, stored without its location data. 422 for
        a file that is no image or a tenth photo, 409 for a verified visit"""
        visit_files.add_visit_files(
            current_user,
            visit_id,
            receipt=None,
            photos=(_incoming(data),),
            expected_version=_visit(visit_id).version,
            now=utcnow(),
            settings=current_settings().uploads,
        )
        db.session.commit()
        visit = _visit(visit_id)
        return _file(visit, visit.photos[-1].upload)
