"""Request-scoped dependencies shared by every domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.core.config import Settings
from brain_battles.core.errors import AppError
from brain_battles.core.jobs import Job, drop_pending_jobs, take_pending_jobs
from brain_battles.core.ratelimit import RateLimiter
from brain_battles.core.services import Services

logger = structlog.get_logger(__name__)


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings_dep(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_rate_limiter(services: ServicesDep) -> RateLimiter:
    return services.rate_limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    """Open the request's session: one commit on success, then the deferred jobs are enqueued.

    An `AppError` with `keep_changes` still commits and enqueues (a wrong code's try counter
    must persist); any other error rolls back and drops the jobs.
    """
    async with services.session_factory() as session:
        try:
            yield session
        except AppError as exc:
            if not exc.keep_changes:
                await session.rollback()
                drop_pending_jobs(session)
                raise
            await session.commit()
            await _enqueue(services, take_pending_jobs(session))
            raise
        except BaseException:
            await session.rollback()
            drop_pending_jobs(session)
            raise
        await session.commit()
        jobs = take_pending_jobs(session)
    await _enqueue(services, jobs)


async def _enqueue(services: Services, jobs: list[Job]) -> None:
    for job in jobs:
        try:
            await services.job_queue.enqueue(job)
        except Exception:
            # The request's data is committed; losing the job must not turn it into a 500.
            logger.exception("job.enqueue_failed", job_name=job.name, job_id=job.job_id)


# `scope="function"` commits before the response is sent, so a client that reads right after
# a 2xx always reads the write.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
