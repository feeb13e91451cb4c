"""The long-lived resources of one API process, built at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from brain_battles.core.config import Settings
from brain_battles.core.database import create_engine, create_session_factory
from brain_battles.core.jobs import ArqJobQueue, InProcessJobQueue, JobQueue
from brain_battles.core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

logger = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    job_queue: JobQueue
    rate_limiter: RateLimiter
    redis: ArqRedis | None

    async def close(self) -> None:
        await self.job_queue.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


async def build_services(settings: Settings) -> Services:
    # Imported here because the job registry imports the domain packages, which import core.
    from brain_battles.tasks import JOB_FUNCTIONS, build_job_context

    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    redis: ArqRedis | None = None
    job_queue: JobQueue
    rate_limiter: RateLimiter
    if settings.redis_url:
        redis = await create_pool(RedisSettings.from_dsn(settings.redis_url))
        job_queue = ArqJobQueue(redis, settings.job_queue_name)
        rate_limiter = RedisRateLimiter(redis, settings.redis_key_prefix)
    else:
        context = build_job_context(settings, session_factory)
        job_queue = InProcessJobQueue(JOB_FUNCTIONS, context)
        rate_limiter = MemoryRateLimiter()
    logger.info(
        "services.started",
        database=engine.url.get_backend_name(),
        jobs="arq" if redis else "in-process",
        mail_backend=settings.mail_backend,
    )
    return Services(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        job_queue=job_queue,
        rate_limiter=rate_limiter,
        redis=redis,
    )
