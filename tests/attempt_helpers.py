"""Builders for the attempt tests: quizzes made and taken through the public API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.attempts.models import Attempt
from brain_battles.quizzes.models import Quiz
from tests.helpers import API, Account


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def from_now(**delta: float) -> str:
    return iso(datetime.now(UTC) + timedelta(**delta))


def single(text: str, *, correct: int = 0, count: int = 3, **extra: Any) -> dict[str, Any]:
    """A `single` question whose options are named "<text>/<index>"."""
    return {
        "text": text,
        "kind": "single",
        "options": [
            {"text": f"{text}/{index}", "is_correct": index == correct} for index in range(count)
        ],
        **extra,
    }


def multiple(
    text: str, *, correct: tuple[int, ...] = (0, 1), count: int = 4, **extra: Any
) -> dict[str, Any]:
    return {
        "text": text,
        "kind": "multiple",
        "options": [
            {"text": f"{text}/{index}", "is_correct": index in correct} for index in range(count)
        ],
        **extra,
    }


def true_false(text: str, *, true_is_correct: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "text": text,
        "kind": "true_false",
        "options": [
            {"text": f"{text}/true", "is_correct": true_is_correct},
            {"text": f"{text}/false", "is_correct": not true_is_correct},
        ],
        **extra,
    }


def default_questions() -> list[dict[str, Any]]:
    """Three questions worth 1, 2 and 1 points (4 in all)."""
    return [
        single("capital", explanation="Paris is the capital."),
        multiple("primes", points=2, explanation="Two and three are prime."),
        true_false("earth-round"),
    ]


async def create_quiz(
    client: AsyncClient, author: Account, *, publish: bool = True, **settings: Any
) -> dict[str, Any]:
    """Create a quiz through the API, published unless `publish` is False, and return it."""
    body = {"title": "General knowledge", "questions": default_questions(), **settings}
    created = await client.post(f"{API}/quizzes", json=body, headers=author.headers)
    assert created.status_code == 201, created.text
    quiz = created.json()
    if not publish:
        return quiz
    published = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author.headers)
    assert published.status_code == 200, published.text
    return published.json()


def option_id(quiz_or_attempt: dict[str, Any], option_text: str) -> str:
    """Find an option by its text in a quiz or attempt body."""
    for question in quiz_or_attempt["questions"]:
        for option in question["options"]:
            if option["text"] == option_text:
                return option["id"]
    raise AssertionError(f"no option {option_text!r}")


def question_id(quiz_or_attempt: dict[str, Any], text: str) -> str:
    for question in quiz_or_attempt["questions"]:
        if question["text"] == text:
            return question["id"]
    raise AssertionError(f"no question {text!r}")


async def start(client: AsyncClient, account: Account, quiz_id: str) -> Response:
    return await client.post(f"{API}/quizzes/{quiz_id}/attempts", headers=account.headers)


async def start_ok(client: AsyncClient, account: Account, quiz_id: str) -> dict[str, Any]:
    response = await start(client, account, quiz_id)
    assert response.status_code == 201, response.text
    return response.json()


async def answer(
    client: AsyncClient, account: Account, attempt_id: str, question: str, option_ids: list[str]
) -> Response:
    return await client.put(
        f"{API}/attempts/{attempt_id}/answers/{question}",
        json={"option_ids": option_ids},
        headers=account.headers,
    )


async def submit(
    client: AsyncClient,
    account: Account,
    attempt_id: str,
    answers: list[dict[str, Any]] | None = None,
) -> Response:
    body = None if answers is None else {"answers": answers}
    return await client.post(
        f"{API}/attempts/{attempt_id}/submit", json=body, headers=account.headers
    )


async def take_quiz(
    client: AsyncClient, account: Account, quiz: dict[str, Any], option_texts: list[str]
) -> dict[str, Any]:
    """Start an attempt, submit the options with the given texts in one request, return it."""
    attempt = await start_ok(client, account, quiz["id"])
    chosen: dict[str, list[str]] = {}
    for text in option_texts:
        question_text = text.split("/")[0]
        chosen.setdefault(question_id(attempt, question_text), []).append(option_id(attempt, text))
    answers = [{"question_id": key, "option_ids": value} for key, value in chosen.items()]
    response = await submit(client, account, attempt["id"], answers)
    assert response.status_code == 200, response.text
    return response.json()


async def move_deadline_to_past(
    session_factory: async_sessionmaker[AsyncSession], attempt_id: str, *, seconds: float = 5
) -> None:
    async with session_factory() as session:
        await session.execute(
            update(Attempt)
            .where(Attempt.id == uuid.UUID(attempt_id))
            .values(deadline=datetime.now(UTC) - timedelta(seconds=seconds))
        )
        await session.commit()


async def update_quiz_row(
    session_factory: async_sessionmaker[AsyncSession], quiz_id: str, **values: Any
) -> None:
    async with session_factory() as session:
        await session.execute(update(Quiz).where(Quiz.id == uuid.UUID(quiz_id)).values(**values))
        await session.commit()


async def load_attempt(
    session_factory: async_sessionmaker[AsyncSession], attempt_id: str
) -> Attempt:
    async with session_factory() as session:
        attempt = await session.get(Attempt, uuid.UUID(attempt_id))
        assert attempt is not None
        return attempt
