"""Daily deletion of quizzes that closed more than `QUIZ_RETENTION_DAYS` ago."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete

from brain_battles.core.config import Settings
from brain_battles.core.database import session_scope
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.models import Quiz

logger = structlog.get_logger(__name__)


async def delete_retired_quizzes(ctx: dict[str, Any]) -> int:
    """Delete quizzes past retention; does nothing when retention is unset."""
    settings: Settings = ctx["settings"]
    if settings.quiz_retention_days is None:
        return 0
    cutoff = utcnow() - timedelta(days=settings.quiz_retention_days)
    async with session_scope(ctx["session_factory"]) as session:
        result = await session.execute(
            delete(Quiz).where(Quiz.closes_at.is_not(None), Quiz.closes_at < cutoff)
        )
    deleted = result.rowcount or 0
    logger.info("quizzes.retention_deleted", job_id=ctx.get("job_id"), deleted=deleted)
    return deleted
