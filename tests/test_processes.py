"""The production shape: the API under uvicorn and the worker under arq, as separate processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from brain_battles.core.config import Settings
from brain_battles.models import Base
from tests.conftest import ROOT, TEST_SECRET_KEY
from tests.journey import walk_journey
from tests.smtp_capture import free_port

BIN = Path(sys.executable).parent


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


@pytest.fixture
def production_env(settings: Settings) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "SMTP_", "MAIL_"))
    }
    env.update(
        ENVIRONMENT="production",
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url or "",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(settings.smtp_port),
        # A queue of its own, so the in-test worker cannot take these jobs.
        JOB_QUEUE_NAME=f"brain-battles-processes-{uuid.uuid4().hex[:8]}",
        REDIS_KEY_PREFIX=f"brain-battles-processes-{uuid.uuid4().hex[:8]}",
    )
    return env


@pytest.fixture
def processes(production_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    api = _start(
        [
            str(BIN / "uvicorn"),
            "brain_battles.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        production_env,
        tmp_path / "api.log",
    )
    worker = _start(
        [str(BIN / "arq"), "worker.main.WorkerSettings"], production_env, tmp_path / "worker.log"
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in (api, worker):
            process.terminate()
        for process in (api, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


async def _wait_until_ready(base_url: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(base_url=base_url) as probe:
        while loop.time() < deadline:
            try:
                if (await probe.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"the API at {base_url} was not ready within {timeout} s")


@pytest.fixture
async def live_client(
    processes: str, session_factory: Any, mailbox: Any
) -> AsyncIterator[httpx.AsyncClient]:
    await _wait_until_ready(processes)
    async with httpx.AsyncClient(base_url=processes, timeout=30) as client:
        yield client
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with session_factory() as session:
        await session.execute(text(f"TRUNCATE {names} CASCADE"))
        await session.commit()


async def test_journey_uvicorn_and_arq(live_client: httpx.AsyncClient, mailbox: Any) -> None:
    result = await walk_journey(live_client, mailbox)
    assert result["percentage"] == 50


def _import_app(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import brain_battles.main"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_production_refuses_sqlite(production_env: dict[str, str], tmp_path: Path) -> None:
    env = {**production_env, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    completed = _import_app(env)
    assert completed.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in completed.stderr


async def test_production_refuses_short_secret(production_env: dict[str, str]) -> None:
    completed = _import_app({**production_env, "SECRET_KEY": "short"})
    assert completed.returncode != 0
    assert "SECRET_KEY must be a random value" in completed.stderr


async def test_production_refuses_console_mail(production_env: dict[str, str]) -> None:
    completed = _import_app({**production_env, "MAIL_BACKEND": "console"})
    assert completed.returncode != 0
    assert "MAIL_BACKEND must be smtp" in completed.stderr


async def test_production_requires_redis(production_env: dict[str, str]) -> None:
    completed = _import_app({**production_env, "REDIS_URL": ""})
    assert completed.returncode != 0
    assert "REDIS_URL must be set" in completed.stderr
