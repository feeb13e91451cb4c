"""A real SMTP server on loopback that keeps every message it receives, for tests to read."""

from __future__ import annotations

import asyncio
import email
import socket
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd handler that stores messages; `wait_for` returns them one by one per address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._read: set[int] = set()
        # Reject the next N deliveries with a temporary failure, to exercise retries.
        self.fail_next = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 Requested action aborted: try again later"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]

    async def wait_for(self, address: str, timeout: float = 10.0) -> EmailMessage:
        """Return the oldest unread message to `address`, waiting for it if needed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, message in enumerate(self.messages):
                if index in self._read:
                    continue
                if address.lower() in message["X-Envelope-To"].lower():
                    self._read.add(index)
                    return message
            if loop.time() > deadline:
                raise AssertionError(f"no email to {address} within {timeout} s")
            await asyncio.sleep(0.05)


def start_smtp_server(mailbox: Mailbox) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
