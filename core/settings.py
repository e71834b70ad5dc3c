"""The settings services act on, typed and made once from the app's config by the factory.

Services never read `current_app.config`: they take a value from here as an argument, or the
whole group they need (reminders, mail). Views, the API, the CLI and the jobs hand them over
from `current_settings()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class CertificateSettings:
    """What certificates (志愿服务证明) print: the issuer, its contact, the number's prefix, and
    the site their QR code points to."""

    issuer: str
    contact: str
    number_prefix: str
    site_url: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CertificateSettings:
        return cls(
            issuer=config["CERTIFICATE_ISSUER"],
            contact=config["CERTIFICATE_CONTACT"],
            number_prefix=config["CERTIFICATE_NUMBER_PREFIX"],
            site_url=config["SITE_URL"].rstrip("/"),
        )


@dataclass(frozen=True)
class UploadSettings:
    """Where uploads (上传文件) are kept and what is refused."""

    # None: in the database (table upload_blob); else the directory every server shares.
    directory: Path | None
    max_bytes: int
    max_pixels: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> UploadSettings:
        storage = config["UPLOAD_STORAGE"]
        return cls(
            directory=None if storage == "database" else Path(storage),
            max_bytes=config["UPLOAD_MAX_MB"] * 1024 * 1024,
            max_pixels=config["UPLOAD_MAX_PIXELS"],
        )


@dataclass(frozen=True)
class NoticeSettings:
    """When likes on an entry of a public notice (公示) are flagged as a burst: more than
    `burst_likes` within `burst_window` from accounts younger than `burst_account_age`."""

    burst_account_age: timedelta
    burst_likes: int
    burst_window: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NoticeSettings:
        return cls(
            burst_account_age=timedelta(days=config["NOTICE_BURST_ACCOUNT_DAYS"]),
            burst_likes=config["NOTICE_BURST_LIKES"],
            burst_window=timedelta(minutes=config["NOTICE_BURST_MINUTES"]),
        )


@dataclass(frozen=True)
class ReminderSettings:
    """When each reminder (提醒) falls due."""

    shift_first: timedelta
    shift_second: timedelta
    attendance: timedelta
    join_request_age: timedelta
    campaign_horizon: timedelta
    free_places_at: timedelta
    digest_weekday: int
    digest_at: timedelta
    catch_up: timedelta
    mail_enabled: bool
    # Messages to a shift's volunteers one author may send in an hour.
    shift_messages_per_hour: int


@dataclass(frozen=True)
class MailSettings:
    """Sending notifications by email."""

    enabled: bool
    default_locale: str
    sender: str
    max_attempts: int
    retry_seconds: int
    batch: int
    lease: timedelta


@dataclass(frozen=True)
class SmsSettings:
    """One-time codes sent by SMS (短信验证码)."""

    code_lifetime: timedelta
    max_tries: int
    per_phone_per_day: int
    per_day: int
    # Keys the codes' hashes: a six-digit code hashed without a secret falls to a million
    # guesses once the table leaks.
    secret: str
    # The development adapter keeps the codes it "sent" and pages show them; never in
    # production (which refuses to start with it anyway).
    shows_codes: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmsSettings:
        return cls(
            code_lifetime=timedelta(minutes=config["SMS_CODE_MINUTES"]),
            max_tries=config["SMS_CODE_TRIES"],
            per_phone_per_day=config["SMS_CODES_PER_PHONE_PER_DAY"],
            per_day=config["SMS_CODES_PER_DAY"],
            secret=config["SECRET_KEY"],
            shows_codes=config["SMS_PROVIDER"] == "log" and config["APP_ENV"] != "production",
        )


@dataclass(frozen=True)
class HonoursSettings:
    """How the public reaches the civilization office about nominations: its email and
    hotline, shown beside the public form (a clerk enters what arrives that way)."""

    email: str
    hotline: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HonoursSettings:
        return cls(email=config["HONOURS_EMAIL"], hotline=config["HONOURS_HOTLINE"])


@dataclass(frozen=True)
class ConductSettings:
    """The time limits of a breach case (违规处理), in working days: the district's
    investigation, the city's review (also of the decision and of a request for review),
    the smaller steps (a warning talk, telling the person), the person's statement period and
    the time they have to ask for review."""

    investigation_days: int
    city_review_days: int
    step_days: int
    statement_days: int
    review_request_days: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ConductSettings:
        return cls(
            investigation_days=config["CONDUCT_INVESTIGATION_DAYS"],
            city_review_days=config["CONDUCT_CITY_REVIEW_DAYS"],
            step_days=config["CONDUCT_STEP_DAYS"],
            statement_days=config["CONDUCT_STATEMENT_DAYS"],
            review_request_days=config["CONDUCT_REVIEW_REQUEST_DAYS"],
        )


@dataclass(frozen=True)
class Settings:
    """Everything a service may need from the configuration."""

    sign_up_cancel_cutoff_hours: int
    leader_correction_days: int
    redemption_reversal_days: int
    redeem_code_minutes: int
    # The most points a volunteer may give away in a local month (积分转赠).
    gift_monthly_cap: int
    check_in_secret: str
    retention: timedelta
    certificates: CertificateSettings
    uploads: UploadSettings
    reminders: ReminderSettings
    mail: MailSettings
    sms: SmsSettings
    notice: NoticeSettings
    honours: HonoursSettings
    conduct: ConductSettings

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        mail_enabled = bool(config.get("MAIL_SERVER"))
        return cls(
            sign_up_cancel_cutoff_hours=config["SIGN_UP_CANCEL_CUTOFF_HOURS"],
            leader_correction_days=config["LEADER_CORRECTION_DAYS"],
            redemption_reversal_days=config["REDEMPTION_REVERSAL_DAYS"],
            redeem_code_minutes=config["REDEEM_CODE_MINUTES"],
            gift_monthly_cap=config["POINTS_GIFT_MONTHLY_CAP"],
            check_in_secret=config["SECRET_KEY"],
            retention=timedelta(days=config["RETENTION_DAYS"]),
            certificates=CertificateSettings.from_config(config),
            uploads=UploadSettings.from_config(config),
            reminders=ReminderSettings(
                shift_first=timedelta(hours=config["REMINDER_SHIFT_FIRST_HOURS"]),
                shift_second=timedelta(hours=config["REMINDER_SHIFT_SECOND_HOURS"]),
                attendance=timedelta(hours=config["REMINDER_ATTENDANCE_HOURS"]),
                join_request_age=timedelta(days=config["REMINDER_JOIN_REQUEST_DAYS"]),
                campaign_horizon=timedelta(days=config["REMINDER_CAMPAIGN_DAYS"]),
                free_places_at=timedelta(hours=config["REMINDER_FREE_PLACES_HOUR"]),
                digest_weekday=config["REMINDER_DIGEST_WEEKDAY"],
                digest_at=timedelta(hours=config["REMINDER_DIGEST_HOUR"]),
                catch_up=timedelta(hours=config["REMINDER_CATCH_UP_HOURS"]),
                mail_enabled=mail_enabled,
                shift_messages_per_hour=config["SHIFT_MESSAGES_PER_HOUR"],
            ),
            mail=MailSettings(
                enabled=mail_enabled,
                default_locale=config["BABEL_DEFAULT_LOCALE"],
                sender=config["MAIL_DEFAULT_SENDER"] or "localhost",
                max_attempts=config["MAIL_MAX_ATTEMPTS"],
                retry_seconds=config["MAIL_RETRY_SECONDS"],
                batch=config["MAIL_BATCH"],
                lease=timedelta(seconds=config["MAIL_LEASE_SECONDS"]),
            ),
            sms=SmsSettings.from_config(config),
            notice=NoticeSettings.from_config(config),
            honours=HonoursSettings.from_config(config),
            conduct=ConductSettings.from_config(config),
        )


def init_app(app: Flask) -> None:
    app.extensions["settings"] = Settings.from_config(app.config)


def current_settings() -> Settings:
    """The running app's settings, for the edges (views, API, CLI, jobs) to pass on."""
    return current_app.extensions["settings"]
