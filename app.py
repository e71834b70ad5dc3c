"""The application factory; the only module that imports every blueprint."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
from babel import Locale
from flask import Flask
from flask_babel import format_datetime, get_locale, get_timezone
from werkzeug.middleware.proxy_fix import ProxyFix

import care.demo
import care.demo_flowers
import core.demo
import core.regions_demo
import events.demo
import honours.demo
import honours.demo_applications
import honours.demo_bus
import honours.demo_cards
import honours.demo_conduct
import honours.demo_nominations
import honours.demo_revocations
import points.demo
import points.demo_expiry
import reminders.demo
import volunteer.demo
from care.api import blp as care_api
from care.cli import care_cli
from care.flower_api import blp as care_flowers_api
from care.flower_views import bp as care_flower_pages
from care.report_api import blp as care_reports_api
from care.report_views import bp as care_report_pages
from care.views import bp as care_pages
from certificates.views import bp as certificate_pages
from core import errors, headers, i18n, logs, readiness, settings
from core.auth import access, passwords, sms
from core.auth.api import blp as auth_api
from core.auth.assignments_api import blp as assignments_api
from core.auth.cli import fail, users_cli
from core.auth.models import Role
from core.auth.recovery_views import bp as recovery_pages
from core.auth.sms_api import blp as sms_api
from core.auth.sms_views import bp as sms_pages
from core.auth.views import bp as auth_pages
from core.clock import utcnow
from core.config import from_environment, secret_key
from core.consent import demo as consent_demo
from core.consent.api import blp as consent_api
from core.consent.views import bp as consent_pages
from core.errors import DomainError
from core.extensions import api, csrf, db, limiter, mail, migrate
from core.inputs import BoundedRequest, IdConverter
from core.regions_api import blp as regions_api
from core.regions_cli import holidays_cli, regions_cli
from core.uploads import views as uploads
from core.uploads.api import blp as uploads_api
from core.uploads.cli import uploads_cli
from core.views import bp as core_pages
from core.workdays_api import blp as workdays_api
from events.api import blp as events_api
from events.cli import campaigns_cli, shifts_cli
from events.views import bp as events_pages
from honours.api import blp as honours_api
from honours.application_api import blp as applications_api
from honours.application_views import bp as application_pages
from honours.bus_api import blp as bus_api
from honours.bus_views import bp as bus_pages
from honours.card_api import blp as cards_api
from honours.card_report_api import blp as card_reports_api
from honours.card_report_views import bp as card_report_pages
from honours.card_views import bp as card_pages
from honours.cli import honours_cli
from honours.conduct_api import blp as conduct_api
from honours.conduct_views import bp as conduct_pages
from honours.decision_api import blp as decision_api
from honours.decision_views import bp as decision_pages
from honours.nomination_api import blp as nominations_api
from honours.nomination_views import bp as nomination_pages
from honours.notice_api import blp as notice_api
from honours.notice_views import bp as notice_pages
from honours.panel_api import blp as panel_api
from honours.panel_views import bp as panel_pages
from honours.partner_api import blp as card_partners_api
from honours.partner_views import bp as card_partner_pages
from honours.review_api import blp as review_api
from honours.review_views import bp as review_pages
from honours.revocation_api import blp as revocations_api
from honours.revocation_views import bp as revocation_pages
from honours.roll_api import blp as roll_api
from honours.roll_views import bp as roll_pages
from honours.verification_api import blp as verification_api
from honours.verification_views import bp as verification_pages
from honours.views import bp as honours_pages
from office.api import blp as office_api
from office.holidays import bp as holiday_pages
from office.user_admin import bp as user_admin_pages
from office.views import bp as office_pages
from personal_data.api import blp as personal_data_api
from personal_data.views import bp as personal_data_pages
from points.api import blp as points_api
from points.cli import points_cli
from points.gift_api import blp as points_gifts_api
from points.gift_views import bp as points_gift_pages
from points.views import bp as points_pages
from reminders.api import blp as reminders_api
from reminders.cli import reminders_cli, scheduler_cli
from reminders.views import bp as reminders_pages
from volunteer.api import blp as volunteer_api
from volunteer.views import bp as volunteer_pages

ROOT = Path(__file__).resolve().parent
DEMO_LOADERS = [
    core.demo.load,
    core.regions_demo.load,
    volunteer.demo.load,
    events.demo.load,
    points.demo.load,
    points.demo_expiry.load,
    reminders.demo.load,
    honours.demo.load,
    honours.demo_nominations.load,
    honours.demo_cards.load,
    honours.demo_revocations.load,
    honours.demo_conduct.load,
    honours.demo_applications.load,
    honours.demo_bus.load,
    care.demo.load,
    care.demo_flowers.load,
]


def demo_accounts() -> list[tuple[str, Role]]:
    """Every number the demo signs in with, and the kind of account it must be."""
    return [
        (core.demo.OFFICE[0], Role.office),
        *((phone, Role.volunteer) for phone, *_ in core.regions_demo.CLERKS),
        *((phone, Role.volunteer) for phone, *_ in volunteer.demo.VOLUNTEERS),
        *((leader, Role.volunteer) for *_, (leader, _), _members in volunteer.demo.TEAMS),
        *((staff, Role.merchant_staff) for *_, (staff, _), _items in points.demo.MERCHANTS),
        *((phone, Role.volunteer) for phone in honours.demo_nominations.PHONES),
        *((phone, Role.volunteer) for phone in honours.demo_cards.STAFF_PHONES),
        *((phone, Role.volunteer) for phone in honours.demo_applications.PHONES),
        *((phone, Role.volunteer) for phone in care.demo_flowers.STAFF_PHONES),
    ]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides what the environment gives (tests pass theirs)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    # Every id in a path and every number in a query or form stays within the columns' range.
    app.request_class = BoundedRequest
    app.url_map.converters["int"] = IdConverter
    # As in Flask's tutorial: the default SQLite file and the generated key live here.
    Path(app.instance_path).mkdir(exist_ok=True)
    app.config.from_mapping(from_environment(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)
    production = app.config["APP_ENV"] == "production"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.instance_path), production=production)
    app.json.ensure_ascii = False
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    # First, so that every later hook and every log line of the request has its id.
    logs.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    errors.init_app(app)
    register_commands(app)
    register_template_helpers(app)
    readiness.require_retention_longer_than_reminders(app)
    if production:
        # The development adapter would send no one a code and log every code.
        sms.require_provider(app.config)
        # Better no server than one that answers 500 to every sign-in.
        readiness.require_ready(app)
    return app


def register_extensions(app: Flask) -> None:
    settings.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    i18n.init_app(app)
    limiter.init_app(app)
    # One Limiter object serves every app built in this process (tests build many), and it
    # keeps the enabled flag of the last init; set it from this app's config each time.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    passwords.init_app(app)
    access.init_app(app)
    sms.init_app(app)
    headers.init_app(app)
    uploads.init_app(app)
    api.init_app(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}}
        },
    )


def register_blueprints(app: Flask) -> None:
    for pages in (
        core_pages,
        consent_pages,
        auth_pages,
        recovery_pages,
        sms_pages,
        volunteer_pages,
        events_pages,
        points_pages,
        points_gift_pages,
        reminders_pages,
        office_pages,
        user_admin_pages,
        holiday_pages,
        certificate_pages,
        personal_data_pages,
        honours_pages,
        nomination_pages,
        review_pages,
        roll_pages,
        notice_pages,
        panel_pages,
        decision_pages,
        card_partner_pages,
        card_pages,
        verification_pages,
        application_pages,
        bus_pages,
        card_report_pages,
        revocation_pages,
        conduct_pages,
        care_pages,
        care_report_pages,
        care_flower_pages,
        uploads.bp,
    ):
        app.register_blueprint(pages)
    for endpoints in (
        auth_api,
        consent_api,
        sms_api,
        volunteer_api,
        events_api,
        points_api,
        points_gifts_api,
        reminders_api,
        office_api,
        regions_api,
        workdays_api,
        assignments_api,
        personal_data_api,
        honours_api,
        nominations_api,
        review_api,
        roll_api,
        notice_api,
        panel_api,
        decision_api,
        card_partners_api,
        cards_api,
        verification_api,
        applications_api,
        bus_api,
        card_reports_api,
        revocations_api,
        conduct_api,
        care_api,
        care_reports_api,
        care_flowers_api,
        uploads_api,
    ):
        # The API authenticates by bearer token only, never by the session cookie, so a
        # forged cross-site request has nothing to ride on and CSRF tokens are not needed.
        csrf.exempt(endpoints)
        api.register_blueprint(endpoints)


def register_commands(app: Flask) -> None:
    for group in (
        users_cli,
        campaigns_cli,
        shifts_cli,
        points_cli,
        scheduler_cli,
        reminders_cli,
        uploads_cli,
        regions_cli,
        holidays_cli,
        honours_cli,
        care_cli,
    ):
        app.cli.add_command(group)

    @app.cli.command("demo-data")
    def demo_data() -> None:
        """Load the demo data in one transaction (running it again the same day changes
        nothing; on a later day it adds that day's shifts to try) and print the accounts."""
        accounts = []
        try:
            # A number taken by another kind of account would stop a loader halfway.
            core.demo.require_free_numbers(demo_accounts())
            for load in DEMO_LOADERS:
                accounts.extend(load())
            consent_demo.load(phone for phone, _role in demo_accounts())
        except DomainError as error:
            fail(error)
        db.session.commit()
        click.echo(f"Demo accounts (password for all: {core.demo.DEMO_PASSWORD}):")
        for role, phone, name in accounts:
            click.echo(f"  {role:<15} {phone}  {name}")
        if settings.current_settings().sms.shows_codes:
            click.echo(
                "SMS codes are not sent in the demo: the pages that ask for one show it "
                "(演示环境：验证码 ...)."
            )
        for line in events.demo.describe_on_duty(utcnow()):
            click.echo(line)


@lru_cache(maxsize=8192)
def _formatted(value: datetime, fmt: str, locale: Locale | None, zone: tzinfo) -> str:
    return format_datetime(value, fmt)


def localtime(value: datetime | None, fmt: str = "medium") -> str:
    """A stored UTC time in the reader's zone and language. Pages show the same few times
    many times over (shifts start on the hour), and Babel's formatting is slow, so results
    are kept (the arguments include everything the text depends on)."""
    if not value:
        return ""
    return _formatted(value, fmt, get_locale(), get_timezone())


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals["LANGUAGES"] = {"zh_CN": "中文", "en": "English"}
    app.context_processor(lambda: {"current_locale": i18n.current_locale()})
