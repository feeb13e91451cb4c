"""Test run set-up: a fresh PostgreSQL database, Redis, a real arq worker and SMTP server.

Set TEST_DATABASE_URL (an async URL of a PostgreSQL server's maintenance database, used only
to create and drop this run's own database) and TEST_REDIS_URL to point elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from brain_battles.core.config import Settings
from brain_battles.core.database import create_engine, create_session_factory
from brain_battles.main import create_app
from brain_battles.models import Base
from brain_battles.tasks import JOB_FUNCTIONS, build_job_context
from tests.smtp_capture import Mailbox, start_smtp_server

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RUN_ID = uuid.uuid4().hex[:10]
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32


def run_migrations(database_url: str) -> None:
    """Apply every Alembic migration; `env.py` runs its own event loop, so call from a thread."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


async def _check_postgres() -> None:
    engine = create_async_engine(ADMIN_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        async with asyncio.timeout(10), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.exit(
            f"PostgreSQL is unreachable at {ADMIN_DATABASE_URL} ({exc}). Start it, or set "
            "TEST_DATABASE_URL to a reachable server's maintenance database.",
            returncode=3,
        )
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """Create this run's own database, migrate it with Alembic, and drop it at the end."""
    await _check_postgres()
    name = f"brain_battles_test_{RUN_ID}"
    admin = create_async_engine(ADMIN_DATABASE_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(run_migrations, url)
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(scope="session")
async def redis_url() -> str:
    try:
        pool = await asyncio.wait_for(create_pool(RedisSettings.from_dsn(REDIS_URL)), 10)
        await pool.ping()
        await pool.aclose()
    except Exception as exc:
        pytest.exit(
            f"Redis is unreachable at {REDIS_URL} ({exc}). Start it, or set TEST_REDIS_URL.",
            returncode=3,
        )
    return REDIS_URL


@pytest.fixture(scope="session")
def mailbox_server() -> Any:
    mailbox = Mailbox()
    controller = start_smtp_server(mailbox)
    yield mailbox, controller
    controller.stop()


@pytest.fixture
def mailbox(mailbox_server: Any) -> Mailbox:
    mailbox, _ = mailbox_server
    mailbox.fail_next = 0
    return mailbox


@pytest.fixture(scope="session")
def smtp_port(mailbox_server: Any) -> int:
    _, controller = mailbox_server
    return controller.port


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, smtp_port: int) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        secret_key=TEST_SECRET_KEY,
        database_url=database_url,
        redis_url=redis_url,
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        job_queue_name=f"brain-battles-test-{RUN_ID}",
        redis_key_prefix=f"brain-battles-test-{RUN_ID}",
    )


@pytest.fixture(scope="session")
async def session_factory(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database_url)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
async def worker(settings: Settings) -> AsyncIterator[Worker]:
    """The real arq worker, consuming this run's queue in the background of the test loop."""
    engine = create_engine(settings.database_url)
    context = build_job_context(settings, create_session_factory(engine))

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)

    arq_worker = Worker(
        functions=list(JOB_FUNCTIONS.values()),
        redis_settings=RedisSettings.from_dsn(settings.redis_url or REDIS_URL),
        queue_name=settings.job_queue_name,
        on_startup=on_startup,
        handle_signals=False,
        poll_delay=0.05,
        max_tries=5,
        keep_result=60,
    )
    task = asyncio.create_task(arq_worker.async_run())
    yield arq_worker
    # Let jobs still running finish, then stop polling; a job cancelled half-way would make
    # arq's close() re-raise its CancelledError.
    running = [job for job in arq_worker.tasks.values() if not job.done()]
    if running:
        await asyncio.wait(running, timeout=15)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.gather(*arq_worker.tasks.values(), return_exceptions=True)
    arq_worker.tasks.clear()
    await arq_worker.close()
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, worker: Worker) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(
    app: FastAPI, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await _empty_tables(session_factory)


async def _empty_tables(session_factory: async_sessionmaker[AsyncSession]) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with session_factory() as session:
        await session.execute(text(f"TRUNCATE {names} CASCADE"))
        await session.commit()
