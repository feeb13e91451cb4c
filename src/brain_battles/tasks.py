"""The job registry shared by the arq worker and the in-process queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.attempts.jobs import finish_expired_attempts
from brain_battles.auth.jobs import purge_expired_auth_records, send_code
from brain_battles.core.config import Settings
from brain_battles.core.jobs import JobFunction
from brain_battles.mail.jobs import send_email
from brain_battles.mail.service import Mailer
from brain_battles.quizzes.jobs import delete_retired_quizzes

JOB_FUNCTIONS: dict[str, JobFunction] = {
    "send_email": send_email,
    "send_code": send_code,
    "finish_expired_attempts": finish_expired_attempts,
    "purge_expired_auth_records": purge_expired_auth_records,
    "delete_retired_quizzes": delete_retired_quizzes,
}


def build_job_context(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    """Build the `ctx` every job receives: settings, a session factory and the mailer."""
    return {
        "settings": settings,
        "session_factory": session_factory,
        "mailer": Mailer(settings),
    }
