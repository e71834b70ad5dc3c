"""API of the flowers of Lei Feng day (学雷锋日送鲜花): a flowers campaign's delivery tasks for
its clerks (made from the list, planned to a courier company or a shift, a failed one planned
again), the tasks of whoever delivers them (the address and phone whole, each reading logged)
recorded delivered with a photo or not with the reason, and the recommendations of a "Lei Feng
near you" by the public in February, screened by the community's clerks."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from care.flower_schemas import (
    AcceptRecommendationSchema,
    DeclineRecommendationSchema,
    DeliveredSchema,
    DeliveriesMadeSchema,
    DeliveriesPlannedSchema,
    DeliveryDetailSchema,
    DeliveryPhotoSchema,
    DeliveryPhotoUploadSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    FailedSchema,
    MyDeliverySchema,
    PlanDeliveriesSchema,
    PlanDeliverySchema,
    RecommendationCreateSchema,
    RecommendationQuerySchema,
    RecommendationSchema,
)
from care.services import flower_desk, flowers, recommendations
from core.api import Blueprint, Page, answer_page, window_of
from core.auth.access import Who, login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.rows import commit_keeping_loaded
from core.settings import current_settings
from honours.models import ViewChannel

blp = Blueprint(
    "care_flowers_api",
    __name__,
    url_prefix="/api/v1",
    description="Flowers of Lei Feng day: delivery tasks and recommendations (学雷锋日送鲜花)",
)
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment to a region (core.auth.assignments); the services
# keep each task and recommendation to the clerks of the person's region and the city.
CLERKS = (Role.volunteer, Role.office)
# Whoever delivers: a courier company's staff, a team's leader, a volunteer with a seat.
DELIVERERS = (Role.volunteer, Who.partner_staff)
TASK_READERS = (Role.volunteer, Role.office, Who.partner_staff)
TASK_READERS_WHY = "a task is read by its clerks and by whoever delivers it"
RECOMMENDERS = "anyone signed in with a verified phone recommends a Lei Feng near them"
MY_RECOMMENDATIONS = "anyone signed in reads the recommendations they made"


def _delivery(delivery_id: int):
    return flowers.get_delivery(current_user, delivery_id, now=utcnow())


@blp.route("/care/campaigns/<int:care_campaign_id>/deliveries")
class Deliveries(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters, care_campaign_id: int):
        """A flowers campaign's tasks of my regions (all for the city) by status and day,
        without addresses. 404 for no such campaign"""
        found = flowers.list_deliveries(
            current_user,
            care_campaign_id,
            window_of(pagination_parameters),
            now=utcnow(),
            status=query.get("status"),
        )
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.response(201, DeliveriesMadeSchema)
    def post(self, care_campaign_id: int):
        """Make a task for each living person on the list of my regions who has none yet
        (making them again adds nobody twice). 422 for a campaign of visits"""
        made = flowers.make_deliveries(current_user, care_campaign_id, now=utcnow())
        db.session.commit()
        return {"made": made}


@blp.route("/care/campaigns/<int:care_campaign_id>/deliveries/plan")
class PlanDeliveries(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(PlanDeliveriesSchema)
    @blp.response(200, DeliveriesPlannedSchema)
    def post(self, data, care_campaign_id: int):
        """Plan several tasks at once to one courier company or shift for a day; one refused
        refuses them all. 404 for a task not of my regions, 409 for one delivered already"""
        planned = flower_desk.plan_deliveries(
            current_user,
            data["delivery_ids"],
            deliver_on=data["deliver_on"],
            courier_id=data["courier_id"],
            shift_id=data["shift_id"],
            now=utcnow(),
        )
        db.session.commit()
        return {"planned": planned}


@blp.route("/care/deliveries/<int:delivery_id>")
class OneDelivery(MethodView):
    @role_required(*TASK_READERS, owner="self", why=TASK_READERS_WHY)
    @blp.doc(security=BEARER)
    @blp.response(200, DeliveryDetailSchema)
    def get(self, delivery_id: int):
        """A task with its attempts, for the clerks of the person's region and the city, or
        whoever delivers it (without the address: that is in my deliveries); 404 for anyone
        else"""
        return _delivery(delivery_id)


@blp.route("/care/deliveries/<int:delivery_id>/plan")
class PlanDelivery(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PlanDeliverySchema)
    @blp.response(200, DeliveryDetailSchema)
    def post(self, data, delivery_id: int):
        """Plan a task (or a failed one again, a new attempt) to a courier company or a shift
        for a day. 409 when it is delivered already, 422 for neither or both deliverers"""
        flowers.plan_delivery(current_user, delivery_id, now=utcnow(), **data)
        db.session.commit()
        return _delivery(delivery_id)


@blp.route("/care/deliveries/<int:delivery_id>/photo")
class DeliveryPhoto(MethodView):
    @role_required(*DELIVERERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(DeliveryPhotoUploadSchema, location="files")
    @blp.response(201, DeliveryPhotoSchema)
    def post(self, data, delivery_id: int):
        """Send the photo of the flowers handed over (stored without its location data): its
        key is then sent to delivered. 404 for a task I do not deliver, 422 for no image"""
        photo = flower_desk.store_photo(
            current_user,
            delivery_id,
            data["photo"].stream,
            data["photo"].filename,
            now=utcnow(),
            settings=current_settings().uploads,
        )
        commit_keeping_loaded()
        return photo


@blp.route("/care/deliveries/<int:delivery_id>/delivered")
class Delivered(MethodView):
    @role_required(*DELIVERERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(DeliveredSchema)
    @blp.response(200, DeliveryDetailSchema)
    def post(self, data, delivery_id: int):
        """Record the flowers handed over now, with the photo I sent for it. 404 for a task I
        do not deliver, 409 when it is not waiting to be made (or settled meanwhile), 422 for
        a photo not mine"""
        flower_desk.deliver_with_key(current_user, delivery_id, data["photo_key"], now=utcnow())
        db.session.commit()
        return _delivery(delivery_id)


@blp.route("/care/deliveries/<int:delivery_id>/failed")
class Failed(MethodView):
    @role_required(*DELIVERERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(FailedSchema)
    @blp.response(200, DeliveryDetailSchema)
    def post(self, data, delivery_id: int):
        """Record that the flowers could not be handed over, and why (other: with a note); a
        clerk plans it again. 404 for a task I do not deliver, 409 when it is not waiting"""
        flowers.record_failed(
            current_user, delivery_id, data["reason"], note=data["note"], now=utcnow()
        )
        db.session.commit()
        return _delivery(delivery_id)


@blp.route("/care/my-deliveries")
class MyDeliveries(MethodView):
    @role_required(*DELIVERERS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, MyDeliverySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The tasks I deliver (a courier's staff: my company's; a team's leader or a
        volunteer with a seat: the shift's), those to be made first, by day; the address and
        phone of each to be made, each reading logged"""
        found = flowers.my_tasks(
            current_user,
            window_of(pagination_parameters),
            now=utcnow(),
            place="api.care.my_deliveries",
            channel=ViewChannel.api,
        )
        # The whole views of the addresses are logged even though nothing else changes.
        commit_keeping_loaded()
        return answer_page(pagination_parameters, found)


@blp.route("/care/recommendations")
class Recommendations(MethodView):
    @login_required(owner="self", why=RECOMMENDERS)
    @blp.doc(security=BEARER)
    @blp.arguments(RecommendationCreateSchema)
    @blp.response(201, RecommendationSchema)
    def post(self, data):
        """Recommend a Lei Feng near you to receive flowers (in February; my phone verified):
        their name, community or village, and what they do. 403 for a phone not verified,
        409 out of February or when I recommended them already"""
        made = recommendations.recommend(current_user, **data, now=utcnow())
        commit_keeping_loaded()
        return made


@blp.route("/care/recommendations/mine")
class MyRecommendations(MethodView):
    @login_required(owner="self", why=MY_RECOMMENDATIONS)
    @blp.doc(security=BEARER)
    @blp.response(200, RecommendationSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """My recommendations, newest first, with where each stands"""
        return recommendations.my_recommendations(current_user)


@blp.route("/care/campaigns/<int:care_campaign_id>/recommendations")
class CampaignRecommendations(MethodView):
    @role_required(*CLERKS)
    @blp.doc(security=BEARER)
    @blp.arguments(RecommendationQuerySchema, location="query")
    @blp.response(200, RecommendationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters, care_campaign_id: int):
        """A campaign's recommendations of my regions (all for the city), waiting first.
        404 for no such campaign"""
        found = recommendations.list_recommendations(
            current_user,
            care_campaign_id,
            window_of(pagination_parameters),
            now=utcnow(),
            status=query.get("status"),
        )
        return answer_page(pagination_parameters, found)


@blp.route("/care/recommendations/<int:recommendation_id>/accept")
class AcceptRecommendation(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(AcceptRecommendationSchema)
    @blp.response(200, RecommendationSchema)
    def post(self, data, recommendation_id: int):
        """Accept a recommendation of my regions, naming the person of the register it means:
        they go on the campaign's list. 409 when it was screened already"""
        accepted = recommendations.accept_recommendation(
            current_user, recommendation_id, data["person_id"], note=data["note"], now=utcnow()
        )
        commit_keeping_loaded()
        return accepted


@blp.route("/care/recommendations/<int:recommendation_id>/decline")
class DeclineRecommendation(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(DeclineRecommendationSchema)
    @blp.response(200, RecommendationSchema)
    def post(self, data, recommendation_id: int):
        """Not accept a recommendation of my regions, saying why. 409 when it was screened
        already"""
        declined = recommendations.decline_recommendation(
            current_user, recommendation_id, note=data["note"], now=utcnow()
        )
        commit_keeping_loaded()
        return declined
