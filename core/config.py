"""Configuration from environment variables with safe defaults."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any


class ConfigurationError(RuntimeError):
    """The app cannot run as configured; the message says what to set."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key(instance_path: Path, *, production: bool = False) -> str:
    """Return SECRET_KEY from the environment, or (not in production) one generated once and
    kept in instance/. Raises ConfigurationError in production without one.

    A constant in the code would let anyone who reads the source forge sessions.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    if production:
        # A key made on each machine would sign sessions the other servers cannot read.
        raise ConfigurationError(
            "SECRET_KEY is not set: in production every server must share one "
            "(generate it with: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL so that two workers starting at once keep one key, not two.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_environment(instance_path: Path) -> dict[str, Any]:
    """Build the configuration mapping that create_app starts from (SECRET_KEY aside: see
    secret_key)."""
    sqlite_path = instance_path / "volunteer_points.sqlite3"
    remember_days = int(os.environ.get("REMEMBER_DAYS", "30"))
    environment = os.environ.get("APP_ENV", "development")
    return {
        # development, test or production: production refuses to start half-configured.
        "APP_ENV": environment,
        # JSON lines for machines in production, text on a developer's terminal.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT")
        or ("json" if environment == "production" else "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Read notifications and expired tokens and sign-in sessions are deleted after this
        # long; it must outlast every reminder's look-back (checked at start).
        "RETENTION_DAYS": int(os.environ.get("RETENTION_DAYS", "180")),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ["zh_CN", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # A sign-in session ends on the server after this long; "keep me signed in" after
        # REMEMBER_DAYS, and its cookie lives as long.
        "SESSION_HOURS": int(os.environ.get("SESSION_HOURS", "24")),
        "REMEMBER_DAYS": remember_days,
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_days),
        # A leader may add walk-ins, correct times and decide correction requests of a shift
        # that ended less than this long ago; older shifts are the office's.
        "LEADER_CORRECTION_DAYS": int(os.environ.get("LEADER_CORRECTION_DAYS", "7")),
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_ATTEMPTS_PER_PHONE": os.environ.get("LOGIN_ATTEMPTS_PER_PHONE", "5 per 15 minutes"),
        "LOGIN_ATTEMPTS_PER_ADDRESS": os.environ.get(
            "LOGIN_ATTEMPTS_PER_ADDRESS", "30 per 15 minutes"
        ),
        # argon2id costs; tests lower them, production keeps the library's strong defaults.
        "PASSWORD_HASH_TIME_COST": int(os.environ.get("PASSWORD_HASH_TIME_COST", "3")),
        "PASSWORD_HASH_MEMORY_COST": int(os.environ.get("PASSWORD_HASH_MEMORY_COST", "65536")),
        "SIGN_UP_CANCEL_CUTOFF_HOURS": int(os.environ.get("SIGN_UP_CANCEL_CUTOFF_HOURS", "2")),
        "REDEEM_CODE_MINUTES": int(os.environ.get("REDEEM_CODE_MINUTES", "5")),
        "REDEMPTION_REVERSAL_DAYS": int(os.environ.get("REDEMPTION_REVERSAL_DAYS", "7")),
        # The most points a volunteer may give away (to family and charity pools) in a month.
        "POINTS_GIFT_MONTHLY_CAP": int(os.environ.get("POINTS_GIFT_MONTHLY_CAP", "500")),
        "REDEEM_GUESSES_PER_MERCHANT": os.environ.get(
            "REDEEM_GUESSES_PER_MERCHANT", "30 per 10 minutes"
        ),
        "REDEEM_GUESSES_PER_USER": os.environ.get("REDEEM_GUESSES_PER_USER", "10 per 10 minutes"),
        # Refused checks of courtesy cards (a typed number or a code that is no valid card),
        # counted per partner and per staff account: card numbers must not be guessed.
        "CARD_GUESSES_PER_PARTNER": os.environ.get("CARD_GUESSES_PER_PARTNER", "60 per hour"),
        "CARD_GUESSES_PER_USER": os.environ.get("CARD_GUESSES_PER_USER", "20 per hour"),
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "90")),
        # One-time SMS codes (短信验证码) for sign-in, registration and password reset. "log"
        # writes them to the log (development; refused in production); "aliyun" sends them
        # through Alibaba Cloud SMS with the ALIYUN_SMS_* settings below.
        "SMS_PROVIDER": os.environ.get("SMS_PROVIDER", "log"),
        "SMS_CODE_MINUTES": int(os.environ.get("SMS_CODE_MINUTES", "5")),
        "SMS_CODE_TRIES": int(os.environ.get("SMS_CODE_TRIES", "5")),
        # Codes asked for, counted by Flask-Limiter, whatever the answer was.
        "SMS_CODES_PER_PHONE": os.environ.get("SMS_CODES_PER_PHONE", "1 per minute; 5 per hour"),
        "SMS_CODES_PER_ADDRESS": os.environ.get("SMS_CODES_PER_ADDRESS", "20 per hour"),
        # Hard caps over the last 24 hours, counted in the database (so every server and a
        # restart see the same count): codes per number, and codes really sent site-wide.
        "SMS_CODES_PER_PHONE_PER_DAY": int(os.environ.get("SMS_CODES_PER_PHONE_PER_DAY", "10")),
        "SMS_CODES_PER_DAY": int(os.environ.get("SMS_CODES_PER_DAY", "5000")),
        "ALIYUN_SMS_ACCESS_KEY_ID": os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", ""),
        "ALIYUN_SMS_ACCESS_KEY_SECRET": os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
        "ALIYUN_SMS_SIGN_NAME": os.environ.get("ALIYUN_SMS_SIGN_NAME", ""),
        "ALIYUN_SMS_TEMPLATE_SIGN_IN": os.environ.get("ALIYUN_SMS_TEMPLATE_SIGN_IN", ""),
        "ALIYUN_SMS_TEMPLATE_REGISTER": os.environ.get("ALIYUN_SMS_TEMPLATE_REGISTER", ""),
        "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD": os.environ.get(
            "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD", ""
        ),
        "ALIYUN_SMS_TEMPLATE_CONSENT": os.environ.get("ALIYUN_SMS_TEMPLATE_CONSENT", ""),
        "ALIYUN_SMS_ENDPOINT": os.environ.get(
            "ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com"
        ),
        "ALIYUN_SMS_TIMEOUT_SECONDS": float(os.environ.get("ALIYUN_SMS_TIMEOUT_SECONDS", "5")),
        # Email goes out only when an SMTP server is named; otherwise notifications stay in
        # the inbox.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_BACKEND": "smtp",
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "5")),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", "60")),
        # A sender claims this many emails at a time, for this long: if it dies, what it had
        # not sent goes back to the queue when the lease ends.
        "MAIL_BATCH": int(os.environ.get("MAIL_BATCH", "50")),
        "MAIL_LEASE_SECONDS": int(os.environ.get("MAIL_LEASE_SECONDS", "120")),
        # Links in emails point here (a job has no request to take the host from).
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        # The service certificate (志愿服务证明): who issues it and how to reach them, printed on
        # every certificate; its number starts with the prefix (QHD-ZYFW-2026-000123); its QR
        # code points at SITE_URL, which must be the public address for that reason.
        "CERTIFICATE_ISSUER": os.environ.get(
            "CERTIFICATE_ISSUER", "秦皇岛市精神文明建设委员会办公室"
        ),
        "CERTIFICATE_CONTACT": os.environ.get("CERTIFICATE_CONTACT", ""),
        "CERTIFICATE_NUMBER_PREFIX": os.environ.get("CERTIFICATE_NUMBER_PREFIX", "QHD"),
        # Uploaded files (photos, scans, evidence): "database" keeps their bytes in the
        # database; anything else is a directory, which every app server must share (the
        # instance folder's is the demo's). A file larger than UPLOAD_MAX_MB megabytes, or an
        # image of more than UPLOAD_MAX_PIXELS pixels, is refused.
        "UPLOAD_STORAGE": os.environ.get("UPLOAD_STORAGE") or str(instance_path / "uploads"),
        "UPLOAD_MAX_MB": int(os.environ.get("UPLOAD_MAX_MB", "10")),
        "UPLOAD_MAX_PIXELS": int(os.environ.get("UPLOAD_MAX_PIXELS", "40000000")),
        # Look-ups on the public verification page per client address, right or wrong.
        "CERTIFICATE_VERIFICATIONS_PER_ADDRESS": os.environ.get(
            "CERTIFICATE_VERIFICATIONS_PER_ADDRESS", "30 per 10 minutes"
        ),
        # Pages and API answers of the public honour roll per client address, counted together.
        "HONOUR_ROLL_REQUESTS_PER_ADDRESS": os.environ.get(
            "HONOUR_ROLL_REQUESTS_PER_ADDRESS", "120 per minute"
        ),
        # How the public reaches the office about nominations (推荐好人): shown beside the public
        # form, for those who send a nomination by email or telephone instead.
        "HONOURS_EMAIL": os.environ.get("HONOURS_EMAIL", "qhdhaoren@qhd.gov.cn"),
        "HONOURS_HOTLINE": os.environ.get("HONOURS_HOTLINE", "0335-3031717"),
        # Breach cases (违规处理): the working days each step has before its clerks are
        # reminded, the person's statement period and how long they may ask for review.
        "CONDUCT_INVESTIGATION_DAYS": int(os.environ.get("CONDUCT_INVESTIGATION_DAYS", "15")),
        "CONDUCT_CITY_REVIEW_DAYS": int(os.environ.get("CONDUCT_CITY_REVIEW_DAYS", "10")),
        "CONDUCT_STEP_DAYS": int(os.environ.get("CONDUCT_STEP_DAYS", "5")),
        "CONDUCT_STATEMENT_DAYS": int(os.environ.get("CONDUCT_STATEMENT_DAYS", "10")),
        "CONDUCT_REVIEW_REQUEST_DAYS": int(os.environ.get("CONDUCT_REVIEW_REQUEST_DAYS", "15")),
        # Pages and API answers of the public notices (公示) per client address, counted together.
        "NOTICE_REQUESTS_PER_ADDRESS": os.environ.get(
            "NOTICE_REQUESTS_PER_ADDRESS", "120 per minute"
        ),
        # Likes on one entry of a notice from accounts younger than NOTICE_BURST_ACCOUNT_DAYS,
        # more than NOTICE_BURST_LIKES of them within NOTICE_BURST_MINUTES, are flagged for the
        # office as a burst.
        "NOTICE_BURST_ACCOUNT_DAYS": int(os.environ.get("NOTICE_BURST_ACCOUNT_DAYS", "7")),
        "NOTICE_BURST_LIKES": int(os.environ.get("NOTICE_BURST_LIKES", "20")),
        "NOTICE_BURST_MINUTES": int(os.environ.get("NOTICE_BURST_MINUTES", "60")),
        "REMINDER_SHIFT_FIRST_HOURS": int(os.environ.get("REMINDER_SHIFT_FIRST_HOURS", "24")),
        "REMINDER_SHIFT_SECOND_HOURS": int(os.environ.get("REMINDER_SHIFT_SECOND_HOURS", "2")),
        "REMINDER_ATTENDANCE_HOURS": int(os.environ.get("REMINDER_ATTENDANCE_HOURS", "12")),
        "REMINDER_JOIN_REQUEST_DAYS": int(os.environ.get("REMINDER_JOIN_REQUEST_DAYS", "2")),
        "REMINDER_CAMPAIGN_DAYS": int(os.environ.get("REMINDER_CAMPAIGN_DAYS", "14")),
        "REMINDER_FREE_PLACES_HOUR": int(os.environ.get("REMINDER_FREE_PLACES_HOUR", "10")),
        # Monday is 0; the hour is local time.
        "REMINDER_DIGEST_WEEKDAY": int(os.environ.get("REMINDER_DIGEST_WEEKDAY", "0")),
        "REMINDER_DIGEST_HOUR": int(os.environ.get("REMINDER_DIGEST_HOUR", "8")),
        "REMINDER_CATCH_UP_HOURS": int(os.environ.get("REMINDER_CATCH_UP_HOURS", "48")),
        # Messages one leader (or office account) may send to shifts' volunteers in an hour,
        # counted in the database so that every server sees the same count.
        "SHIFT_MESSAGES_PER_HOUR": int(os.environ.get("SHIFT_MESSAGES_PER_HOUR", "5")),
        "SCHEDULER_INTERVAL_SECONDS": float(os.environ.get("SCHEDULER_INTERVAL_SECONDS", "60")),
        "SCHEDULER_STANDBY_POLL_SECONDS": float(
            os.environ.get("SCHEDULER_STANDBY_POLL_SECONDS", "5")
        ),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "noreply@localhost"),
        "PROXY_FIX": _bool("PROXY_FIX", False),
        "API_TITLE": "Volunteer service points API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
        # Swagger UI would otherwise send the document to an online validator. The filter box
        # finds a tag among twenty; deep links (#/tag/operation) can be shared.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "filter": True, "deepLinking": True},
    }
