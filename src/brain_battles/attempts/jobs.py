"""The periodic job that finishes attempts whose deadline passed."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from brain_battles.attempts.finishing import finish_if_due, load_quiz_with_questions
from brain_battles.attempts.models import Attempt, AttemptStatus
from brain_battles.core.database import session_scope
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.models import Quiz

logger = structlog.get_logger(__name__)

# Attempts finished per transaction, so one run never holds thousands of row locks at once.
BATCH_SIZE = 200


async def _finish_batch(ctx: dict[str, Any]) -> tuple[int, list[str]]:
    """Finish up to `BATCH_SIZE` due attempts in one transaction.

    Returns how many attempts were selected and the ids of those finished.
    """
    now = utcnow()
    finished_ids: list[str] = []
    async with session_scope(ctx["session_factory"]) as session:
        # SKIP LOCKED leaves attempts that a request is answering or submitting right now to
        # that request, which re-checks the deadline itself under the same lock.
        attempts = (
            await session.scalars(
                select(Attempt)
                .join(Quiz, Quiz.id == Attempt.quiz_id)
                .where(
                    Attempt.status == AttemptStatus.IN_PROGRESS,
                    or_(Attempt.deadline <= now, Quiz.closes_at <= now),
                )
                .options(selectinload(Attempt.answers))
                .order_by(Attempt.deadline, Attempt.id)
                .limit(BATCH_SIZE)
                .with_for_update(of=Attempt, skip_locked=True)
            )
        ).all()
        quizzes: dict[uuid.UUID, Quiz] = {}
        for attempt in attempts:
            if attempt.quiz_id not in quizzes:
                quizzes[attempt.quiz_id] = await load_quiz_with_questions(session, attempt.quiz_id)
            if finish_if_due(attempt, quizzes[attempt.quiz_id], now=now):
                finished_ids.append(str(attempt.id))
    if finished_ids:
        logger.info(
            "attempts.expired_batch_committed",
            job_id=ctx.get("job_id"),
            attempt_ids=finished_ids,
        )
    return len(attempts), finished_ids


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
