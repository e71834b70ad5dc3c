"""API: my points and redeem codes, merchants and their catalogues, redemptions at the counter,
statements, and the office's adjustments and expiry policy."""

from __future__ import annotations

from datetime import timedelta

from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import public, role_required
from core.auth.models import Role
from core.clock import local_moment, utcnow
from core.extensions import db
from core.rows import commit_keeping_loaded
from core.settings import current_settings
from points import services
from points.expiry_schemas import (
    PointsExpiryFiguresSchema,
    PointsExpiryPolicySchema,
    PointsExpiryPolicyUpdateSchema,
)
from points.limits import code_guess_limits
from points.lot_models import ExpiryRule
from points.schemas import (
    CatalogItemCreateSchema,
    CatalogItemSchema,
    CatalogItemUpdateSchema,
    IdempotencyHeaderSchema,
    MerchantCreateSchema,
    MerchantQuerySchema,
    MerchantSchema,
    MerchantStaffCreateSchema,
    MerchantStaffSchema,
    MerchantStatementSchema,
    MerchantWithItemsSchema,
    PointsAdjustmentCreateSchema,
    PointsAdjustmentSchema,
    PointsBalanceSchema,
    PointsHistoryLineSchema,
    RedeemCodeLookUpResultSchema,
    RedeemCodeLookUpSchema,
    RedeemCodeSchema,
    RedemptionCreateSchema,
    RedemptionReversalSchema,
    RedemptionSchema,
    StatementQuerySchema,
)
from points.services import expiry

blp = Blueprint(
    "points_api",
    __name__,
    url_prefix="/api/v1",
    description="Points, redeem codes, merchants, redemptions and adjustments",
)
BEARER = [{"bearerAuth": []}]
# A missing Idempotency-Key is a malformed request (400), not a field to correct (422).
IDEMPOTENCY = {"location": "headers", "error_status_code": 400}


# My points -----------------------------------------------------------------------------


@blp.route("/me/points")
class MyPoints(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, PointsBalanceSchema)
    def get(self):
        """My points balance, and how much of it expires within 30 days"""
        return {
            "balance": services.balance_of(current_user),
            "expiring_soon": expiry.expiring_soon(current_user, now=utcnow()),
        }


@blp.route("/me/points/history")
class MyPointsHistory(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, PointsHistoryLineSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """My points entries, newest first"""
        found = services.history(current_user, window=window_of(pagination_parameters))
        return answer_page(pagination_parameters, found)


@blp.route("/me/redeem-codes")
class MyRedeemCodes(MethodView):
    @role_required(Role.volunteer, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(201, RedeemCodeSchema)
    def post(self):
        """A fresh one-time code to show at the counter (volunteer); earlier codes stop working"""
        code = services.issue_redeem_code(
            current_user, now=utcnow(), lifetime_minutes=current_settings().redeem_code_minutes
        )
        db.session.commit()
        return code


# Merchants and catalogues --------------------------------------------------------------


@blp.route("/merchants")
class Merchants(MethodView):
    @public(why="where points can be spent is public")
    @blp.arguments(MerchantQuerySchema, location="query")
    @blp.response(200, MerchantWithItemsSchema(many=True))
    @blp.paginate(Page)
    def get(self, args):
        """Active merchants with the items on offer, optionally of one district"""
        return services.list_merchants(district_id=args.get("district_id"))

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(MerchantCreateSchema)
    @blp.response(201, MerchantSchema)
    def post(self, data):
        """Register a merchant (office)"""
        merchant = services.register_merchant(current_user, **data)
        db.session.commit()
        return merchant


@blp.route("/merchants/<int:merchant_id>/staff")
class MerchantStaffAccounts(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(MerchantStaffCreateSchema)
    @blp.response(201, MerchantStaffSchema)
    def post(self, data, merchant_id: int):
        """Create a staff account for a merchant (office)"""
        staff = services.add_staff(current_user, merchant_id, **data)
        db.session.commit()
        return staff


@blp.route("/merchants/<int:merchant_id>/items")
class MerchantItems(MethodView):
    @role_required(Role.merchant_staff, Role.office, owner="merchant")
    @blp.doc(security=BEARER)
    @blp.arguments(CatalogItemCreateSchema)
    @blp.response(201, CatalogItemSchema)
    def post(self, data, merchant_id: int):
        """Add goods to a catalogue (the merchant's staff or the office)"""
        item = services.add_item(current_user, merchant_id, **data)
        db.session.commit()
        return item


@blp.route("/items/<int:item_id>")
class OneItem(MethodView):
    @role_required(Role.merchant_staff, Role.office, owner="merchant")
    @blp.doc(security=BEARER)
    @blp.arguments(CatalogItemUpdateSchema)
    @blp.response(200, CatalogItemSchema)
    def put(self, data, item_id: int):
        """Change an item (the merchant's staff or the office); past redemptions keep theirs"""
        item = services.update_item(current_user, item_id, **data)
        db.session.commit()
        return item


# At the counter ------------------------------------------------------------------------


@blp.route("/counter/look-ups")
class CodeLookUps(MethodView):
    @role_required(Role.merchant_staff, owner="merchant")
    @code_guess_limits
    @blp.doc(security=BEARER)
    @blp.arguments(RedeemCodeLookUpSchema)
    @blp.response(200, RedeemCodeLookUpResultSchema)
    def post(self, data):
        """Whose code this is and their balance, before confirming (merchant staff); failed
        attempts are limited, then 429"""
        return services.look_up_code(current_user, data["code"], now=utcnow())


@blp.route("/redemptions")
class Redemptions(MethodView):
    @role_required(Role.merchant_staff, owner="merchant")
    @code_guess_limits
    @blp.doc(security=BEARER)
    @blp.arguments(IdempotencyHeaderSchema, **IDEMPOTENCY)
    @blp.arguments(RedemptionCreateSchema)
    @blp.response(201, RedemptionSchema)
    @blp.alt_response(200, schema=RedemptionSchema, success=True, description="Made before")
    def post(self, headers, data):
        """Spend a volunteer's points on goods (merchant staff). The same Idempotency-Key again
        returns the first redemption (200) and charges nothing; with another body it is 409
        `key_reused`"""
        lines = [(line["item_id"], line["quantity"]) for line in data["lines"]]
        redemption, created = services.redeem(
            current_user, code=data["code"], lines=lines, key=headers["key"], now=utcnow()
        )
        commit_keeping_loaded()
        return redemption, 201 if created else 200


@blp.route("/redemptions/<int:redemption_id>")
class OneRedemption(MethodView):
    @role_required(Role.merchant_staff, Role.office, owner="merchant")
    @blp.doc(security=BEARER)
    @blp.response(200, RedemptionSchema)
    def get(self, redemption_id: int):
        """One redemption (the merchant's staff or the office)"""
        return services.get_redemption(current_user, redemption_id)


@blp.route("/redemptions/<int:redemption_id>/reversal")
class RedemptionReversal(MethodView):
    @role_required(Role.merchant_staff, Role.office, owner="merchant")
    @blp.doc(security=BEARER)
    @blp.arguments(RedemptionReversalSchema)
    @blp.response(200, RedemptionSchema)
    def post(self, data, redemption_id: int):
        """Undo a redemption within the reversal window: points and stock come back (the
        merchant's staff or the office), with an optional reason kept on it; reversing again
        changes nothing"""
        redemption = services.reverse_redemption(
            current_user,
            redemption_id,
            reason=data["reason"],
            now=utcnow(),
            window_days=current_settings().redemption_reversal_days,
        )
        db.session.commit()
        return redemption


@blp.route("/merchants/<int:merchant_id>/statement")
class MerchantStatement(MethodView):
    @role_required(Role.merchant_staff, Role.office, owner="merchant")
    @blp.doc(security=BEARER)
    @blp.arguments(StatementQuerySchema, location="query")
    @blp.response(200, MerchantStatementSchema)
    def get(self, args, merchant_id: int):
        """Redemptions and reversals between two local days, both included, with totals (the
        merchant's staff or the office)"""
        start = local_moment(args["start"])
        end = local_moment(args["end"] + timedelta(days=1))
        return services.merchant_statement(current_user, merchant_id, start=start, end=end)


# The office ----------------------------------------------------------------------------


@blp.route("/adjustments")
class Adjustments(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(IdempotencyHeaderSchema, **IDEMPOTENCY)
    @blp.arguments(PointsAdjustmentCreateSchema)
    @blp.response(201, PointsAdjustmentSchema)
    @blp.alt_response(200, schema=PointsAdjustmentSchema, success=True, description="Posted before")
    def post(self, headers, data):
        """Grant or deduct a volunteer's points by hand, with a reason they see (office). The
        same Idempotency-Key again returns the first entry (200); with another body, 409"""
        key = headers["key"]
        entry, created = services.adjust(current_user, **data, key=key, now=utcnow())
        db.session.commit()
        return entry, 201 if created else 200


def _expiry_policy() -> dict:
    """The policy in force (never when none was set) and every version, newest first."""
    history = expiry.policy_history(current_user)
    current = history[0].policy if history else None
    return {
        "rule": current.rule if current else ExpiryRule.never,
        "months": current.months if current else None,
        "since": current.since if current else None,
        "history": history,
    }


@blp.route("/points/expiry-policy")
class PointsExpiryPolicy(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, PointsExpiryPolicySchema)
    def get(self):
        """The points expiry policy in force and its history (office)"""
        return _expiry_policy()

    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.arguments(PointsExpiryPolicyUpdateSchema)
    @blp.response(200, PointsExpiryPolicySchema)
    def put(self, data):
        """Put a points expiry policy in force from today (office). Points earned before today
        count from today; the policy in force again changes nothing"""
        expiry.set_policy(current_user, rule=data["rule"], months=data["months"], now=utcnow())
        db.session.commit()
        return _expiry_policy()


@blp.route("/points/expiry-figures")
class PointsExpiryFigures(MethodView):
    @role_required(Role.office)
    @blp.doc(security=BEARER)
    @blp.response(200, PointsExpiryFiguresSchema)
    def get(self):
        """Points that expire next month, and points expired in each of the last 12 months
        (office)"""
        figures = expiry.expiry_figures(current_user, now=utcnow())
        return {
            "next_month": figures.next_month,
            "expiring_next_month": figures.expiring_next_month,
            "expired_by_month": [
                {"month": month, "points": points} for month, points in figures.expired_by_month
            ],
        }
