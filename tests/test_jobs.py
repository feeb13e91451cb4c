"""Jobs deferred during a request run only after its transaction commits."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from brain_battles.core.dependencies import get_session
from brain_battles.core.errors import ConflictError
from brain_battles.core.jobs import InProcessJobQueue, defer_job
from brain_battles.users.models import User


def _user() -> User:
    suffix = uuid.uuid4().hex[:10]
    return User(
        email=f"job-{suffix}@example.com",
        username=f"job_{suffix}",
        username_key=f"job_{suffix}",
        password_hash="not-a-hash",
    )


async def _request_with_job(
    session_factory: Any, queue: InProcessJobQueue, *, job_email: str | None = None
) -> tuple[Any, User]:
    """Open a request session as the API does, add a user and defer a job for it."""
    services = SimpleNamespace(session_factory=session_factory, job_queue=queue)
    dependency = get_session(services)
    session = await anext(dependency)
    user = _user()
    session.add(user)
    defer_job(session, "record", email=job_email or user.email)
    return dependency, user


@pytest.fixture
def recorder(session_factory: Any) -> tuple[InProcessJobQueue, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    async def record(ctx: dict[str, Any], *, email: str) -> None:
        # Look the row up in a separate session: it is visible only if the request committed.
        async with session_factory() as session:
            found = await session.scalar(select(User.id).where(User.email == email))
        seen.append({"email": email, "committed": found is not None})

    return InProcessJobQueue({"record": record}, {}), seen


async def test_job_runs_after_commit(client, session_factory, recorder) -> None:
    queue, seen = recorder
    dependency, user = await _request_with_job(session_factory, queue)
    with pytest.raises(StopAsyncIteration):
        await anext(dependency)
    await queue.drain()
    assert seen == [{"email": user.email, "committed": True}]


async def test_job_dropped_on_error(client, session_factory, recorder) -> None:
    queue, seen = recorder
    dependency, _ = await _request_with_job(session_factory, queue, job_email="never@example.com")
    with pytest.raises(RuntimeError):
        await dependency.athrow(RuntimeError("request failed"))
    await queue.drain()
    assert seen == []


async def test_app_error_rolls_back(client, session_factory, recorder) -> None:
    queue, seen = recorder
    dependency, user = await _request_with_job(session_factory, queue)
    with pytest.raises(ConflictError):
        await dependency.athrow(ConflictError("conflict"))
    await queue.drain()
    assert seen == []
    async with session_factory() as check:
        assert await check.scalar(select(User.id).where(User.email == user.email)) is None


async def test_keep_changes_error_commits(client, session_factory, recorder) -> None:
    queue, seen = recorder
    dependency, user = await _request_with_job(session_factory, queue)
    with pytest.raises(ConflictError):
        await dependency.athrow(ConflictError("counted", keep_changes=True))
    await queue.drain()
    assert seen == [{"email": user.email, "committed": True}]
