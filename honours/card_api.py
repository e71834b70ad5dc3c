"""API of the courtesy card's life: the clerks' cards (the list of their regions; issuing,
printing, handing over and lost cards by the district and the city; renewal by the city), the
persons due a card, and the holder's own card."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from core.api import Blueprint, answer_page, window_of
from core.auth.access import login_required, role_required
from core.auth.models import Role
from core.clock import utcnow
from core.extensions import db
from core.rows import Window
from core.settings import current_settings
from honours.card_schemas import (
    CardQuerySchema,
    CardSchema,
    EligibleSchema,
    IssueAllSchema,
    IssueRunSchema,
    IssueSchema,
    LostSchema,
    MyCardSchema,
    PrintSchema,
    RenewRunSchema,
    RenewSchema,
    ReplacementSchema,
)
from honours.card_views import HOLDER
from honours.services import cards, scope_of

blp = Blueprint("cards_api", __name__, url_prefix="/api/v1", description="Courtesy cards (好人卡)")
BEARER = [{"bearerAuth": []}]
# Clerks are accounts holding an assignment (core.auth.assignments); the service keeps each to
# their region, and the issuing to the district and the city.
CLERKS = (Role.volunteer, Role.office)
USES_SHOWN = 50


def _scope():
    return scope_of(current_user, utcnow())


def _card(card_id: int):
    return cards.get_card(_scope(), card_id, now=utcnow())


@blp.route("/honours/cards")
class Cards(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(CardQuerySchema, location="query")
    @blp.response(200, CardSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The cards of my region's persons (all for the city), the newest first, by status,
        district, name or number, and validity year (any clerk)"""
        filters = cards.CardFilter(**query)
        found = cards.list_cards(_scope(), filters, window_of(pagination_parameters), now=utcnow())
        return answer_page(pagination_parameters, found)

    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(IssueSchema)
    @blp.response(201, CardSchema)
    def post(self, data):
        """Issue a person a card to print (the district clerk of the person, the city): a new
        number, valid until the date given (the end of next year by default). 409 when the
        person has a card to print, printed or active"""
        card = cards.issue_card(
            current_user,
            _scope(),
            data["person_id"],
            valid_until=data.get("valid_until"),
            now=utcnow(),
        )
        db.session.commit()
        return _card(card.id)


@blp.route("/honours/cards/eligible")
class Eligible(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, EligibleSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The persons of my districts due a card (alive, with an honour giving one, and no
        card to print, printed or active)"""
        found = cards.list_eligible(_scope(), window_of(pagination_parameters))
        return answer_page(pagination_parameters, found)


@blp.route("/honours/cards/issue")
class IssueAll(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(IssueAllSchema)
    @blp.response(200, IssueRunSchema)
    def post(self, data):
        """Issue a card to print to every person due one in my districts (the city: all, or
        one district's)"""
        run = cards.issue_all(
            current_user,
            _scope(),
            valid_until=data.get("valid_until"),
            district_id=data.get("district_id"),
            now=utcnow(),
        )
        db.session.commit()
        return run


@blp.route("/honours/cards/print")
class PrintSheet(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(PrintSchema)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
    def post(self, data):
        """A PDF sheet of cards (A4, ten a page) and the cards marked printed: those named, or
        every card to print of my districts"""
        settings = current_settings()
        now = utcnow()
        run = cards.print_cards(
            current_user,
            _scope(),
            card_ids=data.get("card_ids") or None,
            now=now,
            secret=settings.check_in_secret,
            uploads=settings.uploads,
        )
        db.session.commit()
        disposition = f'attachment; filename="cards-{now:%Y%m%d-%H%M}.pdf"'
        return Response(
            run.pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition}
        )


@blp.route("/honours/cards/renewal")
class Renewal(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(RenewSchema)
    @blp.response(200, RenewRunSchema)
    def post(self, data):
        """Renew the cards valid until a day of `year` (the city): they get the new date, and
        the expired ones of holders still due a card are active again"""
        renewed = cards.renew_cards(
            current_user,
            _scope(),
            year=data["year"],
            valid_until=data["valid_until"],
            now=utcnow(),
        )
        db.session.commit()
        return {"renewed": renewed}


@blp.route("/honours/cards/<int:card_id>")
class OneCard(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, CardSchema)
    def get(self, card_id: int):
        """A card of my region's person, with the card it replaces and the one replacing it"""
        return _card(card_id)


@blp.route("/honours/cards/<int:card_id>/hand-over")
class HandOver(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.response(200, CardSchema)
    def post(self, card_id: int):
        """The printed card is handed over: it is active (the district of the person, the
        city). 409 when it is not a printed card waiting"""
        cards.hand_over(current_user, _scope(), card_id, now=utcnow())
        db.session.commit()
        return _card(card_id)


@blp.route("/honours/cards/<int:card_id>/lost")
class Lost(MethodView):
    @role_required(*CLERKS, owner="self")
    @blp.doc(security=BEARER)
    @blp.arguments(LostSchema)
    @blp.response(200, ReplacementSchema)
    def post(self, data, card_id: int):
        """Report a printed or active card lost (the district of the person, the city): it is
        cancelled at once and a replacement with a new number and the same validity waits to
        be printed. 409 for a card not in hand (to print, lost already, expired, revoked)"""
        done = cards.report_lost(
            current_user, _scope(), card_id, note=data.get("note"), now=utcnow()
        )
        db.session.commit()
        return done


@blp.route("/me/card")
class MyCard(MethodView):
    @login_required(owner="self", why=HOLDER)
    @blp.doc(security=BEARER)
    @blp.response(200, MyCardSchema)
    def get(self):
        """My courtesy card: number, status, validity, the QR code's payload while it is
        active, the honour level that decides my benefits, and my latest uses. 404 when I hold
        none"""
        return cards.my_card(
            current_user,
            Window(0, USES_SHOWN),
            now=utcnow(),
            secret=current_settings().check_in_secret,
        )


@blp.route("/me/card/lost")
class MyCardLost(MethodView):
    @login_required(owner="self", why=HOLDER)
    @blp.doc(security=BEARER)
    @blp.arguments(LostSchema)
    @blp.response(200, ReplacementSchema)
    def post(self, data):
        """My card is lost: it is cancelled at once, and my district prints a replacement"""
        done = cards.report_my_card_lost(current_user, note=data.get("note"), now=utcnow())
        db.session.commit()
        return done
