"""Sending SMS: the gateway interface, the development adapter that only logs, and Alibaba Cloud
SMS (阿里云短信服务) through its official SDK; which one runs is the SMS_PROVIDER setting."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app

from core.config import ConfigurationError

log = logging.getLogger(__name__)

# Template names the app sends with; a provider maps each to a template of its own.
TEMPLATES = ("sign_in", "register", "reset_password", "consent")
ALIYUN_SETTINGS = (
    "ALIYUN_SMS_ACCESS_KEY_ID",
    "ALIYUN_SMS_ACCESS_KEY_SECRET",
    "ALIYUN_SMS_SIGN_NAME",
    "ALIYUN_SMS_TEMPLATE_SIGN_IN",
    "ALIYUN_SMS_TEMPLATE_REGISTER",
    "ALIYUN_SMS_TEMPLATE_RESET_PASSWORD",
)


class SmsNotSent(Exception):
    """The provider refused the message or could not be reached; the text says why."""


class SmsGateway(Protocol):
    def send(self, phone: str, template: str, params: Mapping[str, str]) -> None:
        """Send one message from a template (one of TEMPLATES) with its parameters; raise
        SmsNotSent unless the provider accepted it."""


def masked(phone: str) -> str:
    """139****0001: enough to tell numbers apart in a log, not to call them."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "***"


class LogSmsGateway:
    """Development: writes each message to the log and keeps the last parameters per number and
    template, so that the demo's pages can show the code. Sends nothing."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, str], dict[str, str]] = {}

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> None:
        self.sent[(phone, template)] = dict(params)
        log.info("SMS (not sent, development) to %s: %s %s", phone, template, dict(params))

    def last_code(self, phone: str, template: str) -> str | None:
        """The code last "sent" to this number with this template, if any."""
        return self.sent.get((phone, template), {}).get("code")


class AliyunSmsGateway:
    """Alibaba Cloud SMS: SendSms with the sign name (签名) and the template code (模板) of each
    template, the parameters as TemplateParam JSON. A refusal (any Code but "OK"), an HTTP
    error or a network failure raises SmsNotSent; nothing is retried, so that a slow answer
    never sends the message twice."""

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        templates: Mapping[str, str],
        endpoint: str,
        timeout_seconds: float,
    ) -> None:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        self.protocol = parts.scheme
        self.host = parts.netloc
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.templates = dict(templates)
        self.timeout_ms = int(timeout_seconds * 1000)

    def _client(self):
        # Imported here: the SDK takes most of a second to import, which development and the
        # tests that never send need not pay. A client per message: the SDK's client is not
        # documented as safe to share between threads.
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        return Client(
            Config(
                access_key_id=self.access_key_id,
                access_key_secret=self.access_key_secret,
                endpoint=self.host,
                protocol=self.protocol,
                connect_timeout=self.timeout_ms,
                read_timeout=self.timeout_ms,
            )
        )

    def send(self, phone: str, template: str, params: Mapping[str, str]) -> None:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from darabonba.runtime import RuntimeOptions

        request = SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.sign_name,
            template_code=self.templates[template],
            template_param=json.dumps(dict(params), ensure_ascii=False),
        )
        try:
            # Without retry options the SDK makes one attempt.
            response = self._client().send_sms_with_options(request, RuntimeOptions())
        except Exception as error:  # the SDK raises its own kinds and the HTTP library's
            log.warning("SMS to %s not sent: %s", masked(phone), error)
            raise SmsNotSent(f"{type(error).__name__}: {error}") from error
        body = response.body
        if body is None or body.code != "OK":
            code = getattr(body, "code", None)
            message = getattr(body, "message", None)
            log.warning("SMS to %s refused: %s %s", masked(phone), code, message)
            raise SmsNotSent(f"{code}: {message}")
        log.info("SMS to %s sent: %s (BizId %s)", masked(phone), template, body.biz_id)


def missing_provider_settings(config: Mapping[str, Any]) -> list[str]:
    """The settings production still needs to send SMS, none if it can."""
    if config["SMS_PROVIDER"] != "aliyun":
        return ["SMS_PROVIDER=aliyun", *(name for name in ALIYUN_SETTINGS if not config[name])]
    return [name for name in ALIYUN_SETTINGS if not config[name]]


def require_provider(config: Mapping[str, Any]) -> None:
    """For production start-up: raise ConfigurationError naming what to set unless a real
    provider is configured. The development adapter would send nobody a code (so nobody could
    register or reset a password) and write every code to the log."""
    missing = missing_provider_settings(config)
    if missing:
        raise ConfigurationError(
            "SMS codes cannot be sent: set " + ", ".join(missing) + " (see README, SMS codes)"
        )


def gateway_from_config(config: Mapping[str, Any]) -> SmsGateway:
    provider = config["SMS_PROVIDER"]
    if provider == "log":
        return LogSmsGateway()
    if provider == "aliyun":
        return AliyunSmsGateway(
            access_key_id=config["ALIYUN_SMS_ACCESS_KEY_ID"],
            access_key_secret=config["ALIYUN_SMS_ACCESS_KEY_SECRET"],
            sign_name=config["ALIYUN_SMS_SIGN_NAME"],
            templates={
                "sign_in": config["ALIYUN_SMS_TEMPLATE_SIGN_IN"],
                "register": config["ALIYUN_SMS_TEMPLATE_REGISTER"],
                "reset_password": config["ALIYUN_SMS_TEMPLATE_RESET_PASSWORD"],
                # Optional: a template asking the one who answers for a nominee to tell the
                # clerk the code; without it, the sign-in template's words.
                "consent": config["ALIYUN_SMS_TEMPLATE_CONSENT"]
                or config["ALIYUN_SMS_TEMPLATE_SIGN_IN"],
            },
            endpoint=config["ALIYUN_SMS_ENDPOINT"],
            timeout_seconds=config["ALIYUN_SMS_TIMEOUT_SECONDS"],
        )
    raise ConfigurationError(f"SMS_PROVIDER={provider!r}: use log or aliyun")


def init_app(app: Flask) -> None:
    app.extensions["sms_gateway"] = gateway_from_config(app.config)


def current_gateway() -> SmsGateway:
    """The running app's gateway, for the edges (views, API) to pass to the services."""
    return current_app.extensions["sms_gateway"]


def shown_code(phone: str | None, template: str) -> str | None:
    """The code the development adapter last "sent" to this number, for the demo's page to
    show; None anywhere else (production never shows one)."""
    gateway = current_gateway()
    if not phone or not current_app.extensions["settings"].sms.shows_codes:
        return None
    if not isinstance(gateway, LogSmsGateway):
        return None
    return gateway.last_code(phone, template)
