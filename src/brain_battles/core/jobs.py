"""Background jobs: held on the session until it commits, then sent to arq or run in-process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from arq import Retry
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession

logger = structlog.get_logger(__name__)

JobFunction = Callable[..., Awaitable[Any]]
PENDING_JOBS_KEY = "pending_jobs"
MAX_TRIES = 5


@dataclass(frozen=True)
class Job:
    name: str
    kwargs: dict[str, Any]
    # The same id for every enqueue of one request's job, so arq never runs it twice.
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def defer_job(session: AsyncSession, name: str, **kwargs: Any) -> Job:
    """Queue a job to be enqueued only after this session's transaction commits."""
    job = Job(name=name, kwargs=kwargs)
    session.info.setdefault(PENDING_JOBS_KEY, []).append(job)
    return job


def take_pending_jobs(session: AsyncSession) -> list[Job]:
    return session.info.pop(PENDING_JOBS_KEY, [])


def drop_pending_jobs(session: AsyncSession) -> None:
    session.info.pop(PENDING_JOBS_KEY, None)


class JobQueue(Protocol):
    async def enqueue(self, job: Job) -> None: ...

    async def close(self) -> None: ...


class ArqJobQueue:
    """Enqueues to Redis for the separately running arq worker."""

    def __init__(self, redis: ArqRedis, queue_name: str) -> None:
        self._redis = redis
        self._queue_name = queue_name

    async def enqueue(self, job: Job) -> None:
        await self._redis.enqueue_job(
            job.name, _job_id=job.job_id, _queue_name=self._queue_name, **job.kwargs
        )
        logger.info("job.enqueued", job_name=job.name, job_id=job.job_id)

    async def close(self) -> None:
        return None


class InProcessJobQueue:
    """Runs jobs as tasks of the API process, for the embedded set-up without Redis.

    Retries follow arq's `Retry` convention, so job functions behave the same in both modes.
    Jobs still running at shutdown are awaited for a short grace period, then cancelled.
    """

    def __init__(self, functions: dict[str, JobFunction], context: dict[str, Any]) -> None:
        self._functions = functions
        self._context = context
        self._tasks: set[asyncio.Task[None]] = set()

    async def enqueue(self, job: Job) -> None:
        if job.name not in self._functions:
            raise LookupError(f"unknown job {job.name!r}")
        task = asyncio.create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job) -> None:
        function = self._functions[job.name]
        # A task copies the request's context; the job's lines carry its own id instead.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(job_id=job.job_id, job_name=job.name)
        for job_try in range(1, MAX_TRIES + 1):
            ctx = {**self._context, "job_id": job.job_id, "job_try": job_try}
            try:
                await function(ctx, **job.kwargs)
                return
            except Retry as retry:
                delay = (retry.defer_score or 1000) / 1000
                logger.warning(
                    "job.retrying", job_name=job.name, job_id=job.job_id, job_try=job_try
                )
                await asyncio.sleep(delay)
            except Exception:
                logger.exception("job.failed", job_name=job.name, job_id=job.job_id)
                return
        logger.error("job.gave_up", job_name=job.name, job_id=job.job_id, tries=MAX_TRIES)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the jobs started so far; tests and shutdown use it."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def close(self) -> None:
        await self.drain(timeout=5.0)
        for task in list(self._tasks):
            task.cancel()
