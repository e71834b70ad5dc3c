"""An SMTP server on loopback (aiosmtpd) that records what it receives and can be told to
refuse the next messages or to answer slowly."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """Keeps every accepted message; answers 451 (try again later) to the next `refuse`
    messages, or 550 (permanent) when `refuse_permanently` is set."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = 0
        self.refuse_permanently = False
        self.attempts = 0
        self.connections = 0
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # Each SMTP connection greets once: counting greetings counts connections.
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.attempts += 1
            if self.refuse_permanently:
                return "550 5.1.1 Mailbox unavailable"
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    # aiosmtpd binds ::1 and port 8025 unless told otherwise.
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
