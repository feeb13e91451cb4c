"""The arq worker: `arq worker.main.WorkerSettings`, run from the repository root."""

from __future__ import annotations

from typing import Any

import structlog
from arq import cron
from arq.connections import RedisSettings

from brain_battles.attempts.jobs import finish_expired_attempts
from brain_battles.auth.jobs import purge_expired_auth_records
from brain_battles.core.config import get_settings
from brain_battles.core.database import create_engine, create_session_factory
from brain_battles.core.logging import configure_logging
from brain_battles.quizzes.jobs import delete_retired_quizzes
from brain_battles.tasks import JOB_FUNCTIONS, build_job_context

logger = structlog.get_logger("worker")
settings = get_settings()


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(settings.log_level)
    engine = create_engine(settings.database_url)
    ctx["engine"] = engine
    ctx.update(build_job_context(settings, create_session_factory(engine)))
    logger.info("worker.started", queue=settings.job_queue_name)


async def shutdown(ctx: dict[str, Any]) -> None:
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()
    logger.info("worker.stopped")


async def on_job_start(ctx: dict[str, Any]) -> None:
    structlog.contextvars.bind_contextvars(job_id=ctx.get("job_id"), job_try=ctx.get("job_try"))


async def on_job_end(ctx: dict[str, Any]) -> None:
    structlog.contextvars.clear_contextvars()


def _redis_settings() -> RedisSettings:
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set; the arq worker needs Redis to read jobs from")
    return RedisSettings.from_dsn(settings.redis_url)


class WorkerSettings:
    functions = list(JOB_FUNCTIONS.values())
    cron_jobs = [
        cron(finish_expired_attempts, second=0, run_at_startup=True, unique=True),
        cron(purge_expired_auth_records, minute=7, second=0, unique=True),
        cron(delete_retired_quizzes, hour=3, minute=17, second=0, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    on_job_start = on_job_start
    on_job_end = on_job_end
    redis_settings = _redis_settings() if settings.redis_url else RedisSettings()
    queue_name = settings.job_queue_name
    max_tries = 5
    job_timeout = 120
    keep_result = 3600
