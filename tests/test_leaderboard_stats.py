"""Leaderboards, quiz statistics and the caller's own statistics, through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.attempts.models import Attempt
from tests.attempt_helpers import create_quiz, option_id, start_ok, take_quiz
from tests.helpers import API, Account, make_account

pytestmark = pytest.mark.usefixtures("client")

ALL_RIGHT = ["capital/0", "primes/0", "primes/1", "earth-round/true"]
BASE_TIME = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def new_account(client: AsyncClient, mailbox: Any, session_factory: Any) -> Any:
    async def _make(role: str = "user") -> Account:
        return await make_account(client, mailbox, session_factory, role=role)

    return _make


async def set_finish(
    session_factory: async_sessionmaker[AsyncSession],
    attempt_id: str,
    *,
    duration: float,
    finished_minute: int,
) -> None:
    """Fix an attempt's duration and finish time, which real runs leave to the clock."""
    async with session_factory() as session:
        await session.execute(
            update(Attempt)
            .where(Attempt.id == uuid.UUID(attempt_id))
            .values(
                duration_seconds=duration,
                finished_at=BASE_TIME + timedelta(minutes=finished_minute),
            )
        )
        await session.commit()


async def get_leaderboard(
    client: AsyncClient, account: Account, quiz_id: str, query: str = ""
) -> Any:
    return await client.get(f"{API}/quizzes/{quiz_id}/leaderboard{query}", headers=account.headers)


# Leaderboard


async def test_leaderboard_orders_best_attempts(
    client: AsyncClient,
    new_account: Any,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    author, slow, fast, late = [await new_account() for _ in range(4)]
    quiz = await create_quiz(client, author)
    weak = await take_quiz(client, slow, quiz, ["capital/0"])
    strong = await take_quiz(client, slow, quiz, ALL_RIGHT)
    fast_result = await take_quiz(client, fast, quiz, ALL_RIGHT)
    late_result = await take_quiz(client, late, quiz, ALL_RIGHT)
    await set_finish(session_factory, weak["attempt_id"], duration=5, finished_minute=0)
    await set_finish(session_factory, strong["attempt_id"], duration=50, finished_minute=1)
    await set_finish(session_factory, fast_result["attempt_id"], duration=30, finished_minute=2)
    await set_finish(session_factory, late_result["attempt_id"], duration=30, finished_minute=3)
    await start_ok(client, author, quiz["id"])

    response = await get_leaderboard(client, author, quiz["id"])

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    entries = body["items"]
    assert [entry["user"]["username"] for entry in entries] == [
        fast.username,
        late.username,
        slow.username,
    ]
    assert [entry["rank"] for entry in entries] == [1, 2, 3]
    assert entries[2]["attempt_id"] == strong["attempt_id"]
    first = entries[0]
    assert first["user"]["id"] == fast.id
    assert first["score"] == 4
    assert first["max_score"] == 4
    assert first["percentage"] == 100.0
    assert first["duration_seconds"] == 30.0
    assert first["finished_at"] == "2030-06-01T12:02:00Z"


async def test_leaderboard_paginates(
    client: AsyncClient,
    new_account: Any,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    author = await new_account()
    quiz = await create_quiz(client, author)
    takers = [await new_account() for _ in range(3)]
    for minute, taker in enumerate(takers):
        result = await take_quiz(client, taker, quiz, ["capital/0"])
        await set_finish(session_factory, result["attempt_id"], duration=10, finished_minute=minute)

    response = await get_leaderboard(client, author, quiz["id"], "?limit=1&offset=1")

    body = response.json()
    assert body["total"] == 3
    assert body["limit"] == 1
    assert body["offset"] == 1
    assert [entry["rank"] for entry in body["items"]] == [2]
    assert body["items"][0]["user"]["id"] == takers[1].id


async def test_leaderboard_ties_share_rank(
    client: AsyncClient,
    new_account: Any,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    author, first, second = [await new_account() for _ in range(3)]
    quiz = await create_quiz(client, author)
    for taker in (first, second):
        result = await take_quiz(client, taker, quiz, ["capital/0"])
        await set_finish(session_factory, result["attempt_id"], duration=10, finished_minute=0)

    response = await get_leaderboard(client, author, quiz["id"])

    assert [entry["rank"] for entry in response.json()["items"]] == [1, 1]


async def test_leaderboard_empty(client: AsyncClient, new_account: Any) -> None:
    author = await new_account()
    quiz = await create_quiz(client, author)

    response = await get_leaderboard(client, author, quiz["id"])

    assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}


async def test_leaderboard_private_quiz_hidden(client: AsyncClient, new_account: Any) -> None:
    author, stranger = await new_account(), await new_account()
    private = await create_quiz(client, author, visibility="private")

    response = await get_leaderboard(client, stranger, private["id"])

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_leaderboard_draft_hidden(client: AsyncClient, new_account: Any) -> None:
    author, stranger = await new_account(), await new_account()
    draft = await create_quiz(client, author, publish=False)

    response = await get_leaderboard(client, stranger, draft["id"])

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


# Quiz statistics


@pytest.fixture
async def taken_quiz(client: AsyncClient, new_account: Any) -> dict[str, Any]:
    """A quiz (pass mark 50) with finished attempts at 100, 0, 25 and 50 percent."""
    author = await new_account()
    quiz = await create_quiz(client, author, pass_percentage=50)
    first, second, third, fourth = [await new_account() for _ in range(4)]
    await take_quiz(client, first, quiz, ALL_RIGHT)
    await take_quiz(client, second, quiz, ["capital/1"])
    await take_quiz(client, third, quiz, ["capital/0"])
    await take_quiz(client, third, quiz, ["capital/0", "earth-round/true"])
    await start_ok(client, fourth, quiz["id"])
    return {"quiz": quiz, "author": author, "taker": first}


async def test_stats_summary(client: AsyncClient, taken_quiz: dict[str, Any]) -> None:
    quiz, author = taken_quiz["quiz"], taken_quiz["author"]

    response = await client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=author.headers)

    assert response.status_code == 200
    stats = response.json()
    assert stats["attempts"] == 4
    assert stats["in_progress"] == 1
    assert stats["participants"] == 3
    assert stats["mean"] == 43.75
    assert stats["median"] == 37.5
    assert stats["min"] == 0.0
    assert stats["max"] == 100.0
    assert stats["pass_rate"] == 0.5


async def test_stats_histogram(client: AsyncClient, taken_quiz: dict[str, Any]) -> None:
    quiz, author = taken_quiz["quiz"], taken_quiz["author"]

    stats = (await client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=author.headers)).json()

    histogram = stats["score_histogram"]
    assert [bucket["lower"] for bucket in histogram] == list(range(0, 100, 10))
    assert histogram[9]["upper"] == 100
    assert [bucket["count"] for bucket in histogram] == [1, 0, 1, 0, 0, 1, 0, 0, 0, 1]


async def test_stats_per_question(client: AsyncClient, taken_quiz: dict[str, Any]) -> None:
    quiz, author = taken_quiz["quiz"], taken_quiz["author"]

    stats = (await client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=author.headers)).json()

    questions = {question["text"]: question for question in stats["questions"]}
    capital = questions["capital"]
    assert capital["answered"] == 4
    assert capital["correct"] == 3
    assert capital["correct_rate"] == 0.75
    picks = {option["option_id"]: option["picked"] for option in capital["options"]}
    assert picks[option_id(quiz, "capital/0")] == 3
    assert picks[option_id(quiz, "capital/1")] == 1
    assert picks[option_id(quiz, "capital/2")] == 0
    assert questions["primes"]["correct_rate"] == 0.25
    assert questions["earth-round"]["answered"] == 2
    assert questions["earth-round"]["correct_rate"] == 0.5


async def test_stats_taker_forbidden(client: AsyncClient, taken_quiz: dict[str, Any]) -> None:
    quiz, taker = taken_quiz["quiz"], taken_quiz["taker"]

    response = await client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=taker.headers)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("role", ["moderator", "admin"])
async def test_stats_staff_allowed(
    client: AsyncClient, new_account: Any, taken_quiz: dict[str, Any], role: str
) -> None:
    staff = await new_account(role)

    response = await client.get(
        f"{API}/quizzes/{taken_quiz['quiz']['id']}/stats", headers=staff.headers
    )

    assert response.status_code == 200
    assert response.json()["attempts"] == 4


async def test_stats_private_quiz_hidden(client: AsyncClient, new_account: Any) -> None:
    author, stranger = await new_account(), await new_account()
    private = await create_quiz(client, author, visibility="private")

    response = await client.get(f"{API}/quizzes/{private['id']}/stats", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_stats_without_attempts(client: AsyncClient, new_account: Any) -> None:
    author = await new_account()
    quiz = await create_quiz(client, author, pass_percentage=50)

    stats = (await client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=author.headers)).json()

    assert stats["attempts"] == 0
    assert stats["participants"] == 0
    assert stats["mean"] is None
    assert stats["median"] is None
    assert stats["pass_rate"] is None
    assert all(bucket["count"] == 0 for bucket in stats["score_histogram"])
    assert all(question["correct_rate"] is None for question in stats["questions"])


async def test_stats_pass_rate_null_without_mark(client: AsyncClient, new_account: Any) -> None:
    author, taker = await new_account(), await new_account()
    quiz = await create_quiz(client, author)
    await take_quiz(client, taker, quiz, ALL_RIGHT)

    stats = (await client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=author.headers)).json()

    assert stats["attempts"] == 1
    assert stats["pass_rate"] is None


# The caller's statistics


async def test_my_stats_summary(client: AsyncClient, new_account: Any) -> None:
    author, taker = await new_account(), await new_account()
    tagged = await create_quiz(client, author, title="Tagged", tags=["Math", "easy"])
    math_only = await create_quiz(client, author, title="Math only", tags=["math"])
    await take_quiz(client, taker, tagged, ["capital/0"])
    await take_quiz(client, taker, tagged, ["capital/0", "primes/0", "primes/1"])
    newest = await take_quiz(client, taker, math_only, ALL_RIGHT)
    await start_ok(client, taker, tagged["id"])

    response = await client.get(f"{API}/users/me/stats", headers=taker.headers)

    assert response.status_code == 200
    stats = response.json()
    assert stats["quizzes_taken"] == 2
    assert stats["attempts"] == 3
    assert stats["average_percentage"] == 66.67
    assert stats["best_percentage"] == 100.0
    assert stats["per_tag"] == [
        {"tag": "easy", "attempts": 2, "average_percentage": 50.0},
        {"tag": "math", "attempts": 3, "average_percentage": 66.67},
    ]
    recent = stats["last_results"]
    assert len(recent) == 3
    assert recent[0]["attempt_id"] == newest["attempt_id"]
    assert recent[0]["quiz_title"] == "Math only"
    assert recent[0]["percentage"] == 100.0
    assert [result["percentage"] for result in recent[1:]] == [75.0, 25.0]


async def test_my_stats_last_ten(client: AsyncClient, new_account: Any) -> None:
    author, taker = await new_account(), await new_account()
    quiz = await create_quiz(client, author)
    results = [await take_quiz(client, taker, quiz, ["capital/0"]) for _ in range(11)]

    stats = (await client.get(f"{API}/users/me/stats", headers=taker.headers)).json()

    assert stats["attempts"] == 11
    ids = [result["attempt_id"] for result in stats["last_results"]]
    assert ids == [result["attempt_id"] for result in reversed(results[1:])]


async def test_my_stats_empty(client: AsyncClient, new_account: Any) -> None:
    account = await new_account()

    response = await client.get(f"{API}/users/me/stats", headers=account.headers)

    assert response.json() == {
        "quizzes_taken": 0,
        "attempts": 0,
        "average_percentage": None,
        "best_percentage": None,
        "per_tag": [],
        "last_results": [],
    }


async def test_my_stats_unauthenticated(client: AsyncClient) -> None:
    response = await client.get(f"{API}/users/me/stats")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
