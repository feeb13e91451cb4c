"""The embedded default: SQLite, jobs inside the API process, emails written to the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from brain_battles.core.config import Settings
from brain_battles.main import create_app
from tests.conftest import TEST_SECRET_KEY, run_migrations
from tests.helpers import API, make_account
from tests.journey import walk_journey


class ConsoleMailbox(logging.Handler):
    """Collects the emails that the console mail backend writes to the log."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[EmailMessage] = []
        self._read: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        event = record.msg
        if isinstance(event, dict) and event.get("event") == "mail.console":
            message = EmailMessage()
            message["To"] = event["to"]
            message["Subject"] = event["subject"]
            message.set_content(event["body"])
            self.messages.append(message)

    async def wait_for(self, address: str, timeout: float = 10.0) -> EmailMessage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for index, message in enumerate(self.messages):
                if index not in self._read and message["To"] == address.lower():
                    self._read.add(index)
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no console email to {address} within {timeout} s")


@pytest.fixture
async def embedded_client(tmp_path: Path) -> AsyncIterator[tuple[AsyncClient, ConsoleMailbox]]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    await asyncio.to_thread(run_migrations, database_url)
    settings = Settings(
        _env_file=None,
        environment="development",
        secret_key=TEST_SECRET_KEY,
        database_url=database_url,
        redis_url=None,
        mail_backend="console",
    )
    mailbox = ConsoleMailbox()
    mail_logger = logging.getLogger("brain_battles.mail.service")
    mail_logger.addHandler(mailbox)
    app = create_app(settings)
    try:
        async with LifespanManager(app):
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client, mailbox
    finally:
        mail_logger.removeHandler(mailbox)


async def test_journey_on_sqlite(embedded_client: Any) -> None:
    client, mailbox = embedded_client
    result = await walk_journey(client, mailbox)
    assert result["score"] == 2


async def test_readyz_without_redis(embedded_client: Any) -> None:
    client, _ = embedded_client
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "not configured"}


async def test_memory_rate_limit(embedded_client: Any) -> None:
    client, mailbox = embedded_client
    body = {"email": "solo@example.com", "username": "solo_user", "password": "long enough"}
    first = await client.post(f"{API}/auth/signup", json=body)
    second = await client.post(f"{API}/auth/signup", json=body)
    assert first.status_code == 202
    assert second.status_code == 429
    assert await mailbox.wait_for("solo@example.com")


async def test_sqlite_large_offset(embedded_client: Any) -> None:
    client, mailbox = embedded_client
    account = await make_account(client, mailbox)
    too_large = await client.get(
        f"{API}/quizzes", params={"offset": 2**63}, headers=account.headers
    )
    assert too_large.status_code == 422
    largest = await client.get(
        f"{API}/quizzes", params={"offset": 1_000_000_000}, headers=account.headers
    )
    assert largest.status_code == 200
