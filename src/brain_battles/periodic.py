"""Periodic jobs inside the API process, for the embedded set-up that runs no arq worker."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from brain_battles.core.jobs import Job, JobQueue

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval_seconds: int


# The same jobs and rhythm as the arq worker's cron list.
PERIODIC_JOBS = (
    PeriodicJob("finish_expired_attempts", 60),
    PeriodicJob("purge_expired_auth_records", 3600),
    PeriodicJob("delete_retired_quizzes", 86400),
)


async def run_periodic_jobs(queue: JobQueue) -> None:
    """Enqueue each periodic job at its interval until cancelled."""
    elapsed = 0
    tick = 60
    while True:
        for periodic in PERIODIC_JOBS:
            if elapsed % periodic.interval_seconds == 0:
                try:
                    await queue.enqueue(Job(name=periodic.name, kwargs={}))
                except Exception:
                    logger.exception("periodic.enqueue_failed", job_name=periodic.name)
        await asyncio.sleep(tick)
        elapsed += tick
