"""The periodic job that finishes attempts whose deadline passed."""

from __future__ import annotations

from typing import Any

import structlog

from brain_battles.attempts.finishing import finish_due_attempts
from brain_battles.core.database import session_scope
from brain_battles.core.timeutils import utcnow

logger = structlog.get_logger(__name__)

# Attempts finished per transaction, so one run never holds thousands of row locks at once.
BATCH_SIZE = 200


async def _finish_batch(ctx: dict[str, Any]) -> tuple[int, list[str]]:
    """Finish up to `BATCH_SIZE` due attempts in one transaction.

    Returns how many attempts were selected and the ids of those finished.
    """
    async with session_scope(ctx["session_factory"]) as session:
        selected, finished_ids = await finish_due_attempts(session, now=utcnow(), limit=BATCH_SIZE)
    if finished_ids:
        logger.info(
            "attempts.expired_batch_committed",
            job_id=ctx.get("job_id"),
            attempt_ids=finished_ids,
        )
    return selected, finished_ids


async def finish_expired_attempts(ctx: dict[str, Any]) -> int:
    """Grade each in-progress attempt past its deadline with its saved answers, as expired.

    Safe to run twice or alongside requests: only attempts still in progress are touched,
    each under its row lock. Returns how many attempts this run finished.
    """
    total = 0
    while True:
        selected, finished_ids = await _finish_batch(ctx)
        total += len(finished_ids)
        # A short batch means no more due attempts were free to lock.
        if selected < BATCH_SIZE or not finished_ids:
            break
    # Runs every minute, so a run that found nothing logs only at debug level.
    log = logger.info if total else logger.debug
    log("attempts.expired_finished", job_id=ctx.get("job_id"), finished=total)
    return total
