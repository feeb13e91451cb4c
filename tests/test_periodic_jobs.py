"""The clean-up jobs the worker runs on a schedule, and the in-process job queue."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from arq import Retry
from sqlalchemy import func, select, update

from brain_battles.auth.jobs import purge_expired_auth_records
from brain_battles.auth.models import AuthSession, OneTimeCode, RefreshToken
from brain_battles.core.config import Settings
from brain_battles.core.jobs import InProcessJobQueue, Job
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.jobs import delete_retired_quizzes
from brain_battles.quizzes.models import Quiz
from brain_battles.users.models import User
from tests.helpers import API, make_account, signup


async def _count(session_factory: Any, model: Any) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_purge_removes_only_dead_records(client, mailbox, session_factory) -> None:
    account = await make_account(client, mailbox)
    email, _ = await signup(client)
    await mailbox.wait_for(email)
    assert await _count(session_factory, AuthSession) == 1
    assert await _count(session_factory, OneTimeCode) == 2  # one used, one live

    first = await purge_expired_auth_records({"session_factory": session_factory})
    assert first == {"codes": 1, "refresh_tokens": 0, "sessions": 0}

    past = utcnow() - timedelta(days=2)
    async with session_factory() as session:
        await session.execute(update(OneTimeCode).values(expires_at=past))
        await session.execute(update(RefreshToken).values(expires_at=past))
        await session.execute(update(AuthSession).values(expires_at=past))
        await session.commit()
    second = await purge_expired_auth_records({"session_factory": session_factory})
    assert second == {"codes": 1, "refresh_tokens": 1, "sessions": 1}
    assert await _count(session_factory, User) == 2
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert me.status_code == 401


async def test_purge_keeps_recently_revoked(client, mailbox, session_factory) -> None:
    account = await make_account(client, mailbox)
    await client.post(f"{API}/auth/logout", headers=account.headers)
    result = await purge_expired_auth_records({"session_factory": session_factory})
    assert result["sessions"] == 0
    # Kept for a day, so presenting its refresh token is still recognised as reuse.
    reused = await client.post(f"{API}/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reused.status_code == 401


async def _insert_quiz(
    session_factory: Any, author_id: str, closes_days_ago: float | None
) -> uuid.UUID:
    quiz_id = uuid.uuid4()
    closes_at = None if closes_days_ago is None else utcnow() - timedelta(days=closes_days_ago)
    async with session_factory() as session:
        session.add(
            Quiz(
                id=quiz_id,
                author_id=uuid.UUID(author_id),
                title="Retention",
                description="",
                closes_at=closes_at,
            )
        )
        await session.commit()
    return quiz_id


async def test_retention_deletes_old_closed(client, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    old = await _insert_quiz(session_factory, author.id, closes_days_ago=40)
    recent = await _insert_quiz(session_factory, author.id, closes_days_ago=5)
    open_ended = await _insert_quiz(session_factory, author.id, closes_days_ago=None)
    ctx = {
        "session_factory": session_factory,
        "settings": Settings(_env_file=None, quiz_retention_days=30),
    }

    assert await delete_retired_quizzes(ctx) == 1
    async with session_factory() as session:
        remaining = set((await session.scalars(select(Quiz.id))).all())
    assert remaining == {recent, open_ended}
    assert old not in remaining


async def test_retention_unset_keeps_all(client, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    await _insert_quiz(session_factory, author.id, closes_days_ago=4000)
    ctx = {"session_factory": session_factory, "settings": Settings(_env_file=None)}
    assert await delete_retired_quizzes(ctx) == 0
    assert await _count(session_factory, Quiz) == 1


async def test_in_process_queue_retries() -> None:
    calls: list[int] = []

    async def flaky(ctx: dict[str, Any], *, value: int) -> None:
        calls.append(ctx["job_try"])
        if ctx["job_try"] < 3:
            raise Retry(defer=0.01)

    queue = InProcessJobQueue({"flaky": flaky}, {})
    await queue.enqueue(Job(name="flaky", kwargs={"value": 1}))
    await queue.drain(timeout=5)
    assert calls == [1, 2, 3]


async def test_in_process_queue_gives_up() -> None:
    calls: list[int] = []

    async def always_fails(ctx: dict[str, Any]) -> None:
        calls.append(ctx["job_try"])
        raise Retry(defer=0.001)

    queue = InProcessJobQueue({"always_fails": always_fails}, {})
    await queue.enqueue(Job(name="always_fails", kwargs={}))
    await queue.drain(timeout=5)
    assert calls == [1, 2, 3, 4, 5]
    await asyncio.sleep(0)
