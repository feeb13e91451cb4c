"""Attempts through the API: starting, answering, submitting, reading, deleting, expiring."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.attempts.jobs import finish_expired_attempts
from brain_battles.attempts.models import Attempt, AttemptAnswer
from tests.attempt_helpers import (
    answer,
    create_quiz,
    from_now,
    load_attempt,
    move_deadline_to_past,
    option_id,
    parse_time,
    question_id,
    single,
    start,
    start_ok,
    submit,
    take_quiz,
    update_quiz_row,
)
from tests.helpers import API, Account, make_account

pytestmark = pytest.mark.usefixtures("client")


@pytest.fixture
async def author(client: AsyncClient, mailbox: Any, session_factory: Any) -> Account:
    return await make_account(client, mailbox, session_factory)


@pytest.fixture
async def taker(client: AsyncClient, mailbox: Any, session_factory: Any) -> Account:
    return await make_account(client, mailbox, session_factory)


@pytest.fixture
async def quiz(client: AsyncClient, author: Account) -> dict[str, Any]:
    return await create_quiz(client, author, time_limit_seconds=600, pass_percentage=50)


def body_has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(body_has_key(item, key) for item in value.values())
    if isinstance(value, list):
        return any(body_has_key(item, key) for item in value)
    return False


# Starting


async def test_start_returns_taker_view(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    response = await start(client, taker, quiz["id"])

    assert response.status_code == 201
    body = response.json()
    assert body["quiz_id"] == quiz["id"]
    assert body["status"] == "in_progress"
    assert body["started_at"].endswith("Z")
    assert body["result"] is None
    assert body["answers"] == []
    assert len(body["questions"]) == 3
    assert not body_has_key(body, "is_correct")
    assert not body_has_key(body, "explanation")


async def test_start_deadline_from_time_limit(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    body = await start_ok(client, taker, quiz["id"])

    started_at = parse_time(body["started_at"])
    assert parse_time(body["deadline"]) == started_at + timedelta(seconds=600)


async def test_start_deadline_capped_by_closes_at(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    closes_at = from_now(seconds=120)
    closing = await create_quiz(client, author, time_limit_seconds=3600, closes_at=closes_at)

    body = await start_ok(client, taker, closing["id"])

    assert parse_time(body["deadline"]) == parse_time(closes_at)


async def test_start_untimed_deadline_null(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    untimed = await create_quiz(client, author)

    body = await start_ok(client, taker, untimed["id"])

    assert body["deadline"] is None


async def test_start_resumes_in_progress(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    first = await start_ok(client, taker, quiz["id"])
    capital = question_id(first, "capital")
    saved = await answer(client, taker, first["id"], capital, [option_id(first, "capital/0")])
    assert saved.status_code == 200

    again = await start(client, taker, quiz["id"])

    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first["id"]
    assert body["questions"] == first["questions"]
    assert body["answers"][0]["question_id"] == capital
    assert body["answers"][0]["option_ids"] == [option_id(first, "capital/0")]


async def test_start_draft_by_author_not_open(client: AsyncClient, author: Account) -> None:
    draft = await create_quiz(client, author, publish=False)

    response = await start(client, author, draft["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_not_open"


async def test_start_draft_by_other_not_found(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    draft = await create_quiz(client, author, publish=False)

    response = await start(client, taker, draft["id"])

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_start_private_uninvited_not_found(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    private = await create_quiz(client, author, visibility="private")

    response = await start(client, taker, private["id"])

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_start_unknown_quiz_not_found(client: AsyncClient, taker: Account) -> None:
    response = await start(client, taker, str(uuid.uuid4()))

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_start_without_token_unauthorized(client: AsyncClient, quiz: dict[str, Any]) -> None:
    response = await client.post(f"{API}/quizzes/{quiz['id']}/attempts")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_start_before_opens_at(client: AsyncClient, author: Account, taker: Account) -> None:
    later = await create_quiz(client, author, opens_at=from_now(hours=1))

    response = await start(client, taker, later["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_not_open"


async def test_start_after_closes_at(client: AsyncClient, author: Account, taker: Account) -> None:
    closed = await create_quiz(client, author, closes_at=from_now(seconds=-5))

    response = await start(client, taker, closed["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_closed"


async def test_start_max_attempts_reached(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    limited = await create_quiz(client, author, max_attempts=2)
    for _ in range(2):
        attempt = await start_ok(client, taker, limited["id"])
        assert (await submit(client, taker, attempt["id"])).status_code == 200

    response = await start(client, taker, limited["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "max_attempts_reached"


async def test_start_expires_overdue_attempt(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    old = await start_ok(client, taker, quiz["id"])
    capital = question_id(old, "capital")
    await answer(client, taker, old["id"], capital, [option_id(old, "capital/0")])
    await move_deadline_to_past(session_factory, old["id"])

    response = await start(client, taker, quiz["id"])

    assert response.status_code == 201
    assert response.json()["id"] != old["id"]
    stored = await load_attempt(session_factory, old["id"])
    assert stored.status == "expired"
    assert stored.score == 1


async def test_start_overdue_kept_when_refused(
    client: AsyncClient,
    author: Account,
    taker: Account,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    limited = await create_quiz(client, author, max_attempts=1, time_limit_seconds=60)
    old = await start_ok(client, taker, limited["id"])
    await move_deadline_to_past(session_factory, old["id"])

    response = await start(client, taker, limited["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "max_attempts_reached"
    stored = await load_attempt(session_factory, old["id"])
    assert stored.status == "expired"


async def test_start_concurrent_creates_one(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    # NOTE: the race window is a few milliseconds, so this test passes most runs even without
    # the user row lock. It catches a double start only when the requests interleave.
    responses = await asyncio.gather(*(start(client, taker, quiz["id"]) for _ in range(4)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 200, 200, 201]
    assert len({response.json()["id"] for response in responses}) == 1


async def test_start_shuffles_per_attempt(
    client: AsyncClient,
    author: Account,
    mailbox: Any,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    questions = [single(f"q{index}", count=10) for index in range(8)]
    shuffled = await create_quiz(
        client, author, questions=questions, shuffle_questions=True, shuffle_options=True
    )
    authored_order = [question["id"] for question in shuffled["questions"]]
    orders = []
    for _ in range(3):
        account = await make_account(client, mailbox, session_factory)
        attempt = await start_ok(client, account, shuffled["id"])
        order = [question["id"] for question in attempt["questions"]]
        assert sorted(order) == sorted(authored_order)
        assert [question["position"] for question in attempt["questions"]] == list(range(8))
        stored = await load_attempt(session_factory, attempt["id"])
        assert stored.question_order == order
        first = attempt["questions"][0]
        assert stored.option_order[first["id"]] == [option["id"] for option in first["options"]]
        orders.append(tuple(order))

    # Three orders of 8 questions all matching the authored one: odds about 1 in 1.6e9.
    assert any(order != tuple(authored_order) for order in orders)


async def test_start_keeps_authored_order(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    questions = [single(f"q{index}", count=5) for index in range(6)]
    ordered = await create_quiz(client, author, questions=questions)

    attempt = await start_ok(client, taker, ordered["id"])

    assert [question["text"] for question in attempt["questions"]] == [
        f"q{index}" for index in range(6)
    ]
    assert [option["text"] for option in attempt["questions"][0]["options"]] == [
        f"q0/{index}" for index in range(5)
    ]


# Answering


async def test_answer_saves_and_replaces(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")

    first = await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/1")])
    second = await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])

    assert first.status_code == 200
    assert second.status_code == 200
    body = second.json()
    assert body["option_ids"] == [option_id(attempt, "capital/0")]
    assert body["locked"] is False
    assert "correct" not in body
    assert "correct_option_ids" not in body
    assert "explanation" not in body


async def test_answer_empty_clears(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])

    cleared = await answer(client, taker, attempt["id"], capital, [])
    result = await submit(client, taker, attempt["id"])

    assert cleared.status_code == 200
    assert cleared.json()["option_ids"] == []
    assert result.json()["score"] == 0


async def test_answer_by_other_user_not_found(
    client: AsyncClient,
    author: Account,
    taker: Account,
    quiz: dict[str, Any],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")

    response = await answer(client, author, attempt["id"], capital, [])

    assert response.status_code == 404
    assert response.json()["code"] == "attempt_not_found"


async def test_answer_unknown_attempt_not_found(client: AsyncClient, taker: Account) -> None:
    response = await answer(client, taker, str(uuid.uuid4()), str(uuid.uuid4()), [])

    assert response.status_code == 404
    assert response.json()["code"] == "attempt_not_found"


async def test_answer_question_of_other_quiz(
    client: AsyncClient, author: Account, taker: Account, quiz: dict[str, Any]
) -> None:
    other = await create_quiz(client, author)
    attempt = await start_ok(client, taker, quiz["id"])

    response = await answer(client, taker, attempt["id"], other["questions"][0]["id"], [])

    assert response.status_code == 404
    assert response.json()["code"] == "question_not_found"


async def test_answer_option_of_other_question(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")

    response = await answer(client, taker, attempt["id"], capital, [option_id(attempt, "primes/0")])

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_option"


async def test_answer_unknown_option(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")

    response = await answer(client, taker, attempt["id"], capital, [str(uuid.uuid4())])

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_option"


async def test_answer_duplicate_options(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    primes = question_id(attempt, "primes")
    chosen = option_id(attempt, "primes/0")

    response = await answer(client, taker, attempt["id"], primes, [chosen, chosen])

    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_option"


@pytest.mark.parametrize("question", ["capital", "earth-round"])
async def test_answer_single_kind_two_options(
    client: AsyncClient, taker: Account, quiz: dict[str, Any], question: str
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    target = next(item for item in attempt["questions"] if item["text"] == question)
    both = [option["id"] for option in target["options"][:2]]

    response = await answer(client, taker, attempt["id"], target["id"], both)

    assert response.status_code == 422
    assert response.json()["code"] == "too_many_options"


@pytest.mark.parametrize(
    "payload",
    [
        {"option_ids": ["not-a-uuid"]},
        {"option_ids": "abc"},
        {},
        {"option_ids": [], "extra": 1},
        {"option_ids": [str(uuid.uuid4()) for _ in range(11)]},
    ],
    ids=["bad uuid", "not a list", "missing", "unknown field", "too long"],
)
async def test_answer_malformed_body(
    client: AsyncClient, taker: Account, quiz: dict[str, Any], payload: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")

    response = await client.put(
        f"{API}/attempts/{attempt['id']}/answers/{capital}", json=payload, headers=taker.headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_answer_malformed_attempt_id(client: AsyncClient, taker: Account) -> None:
    response = await client.put(
        f"{API}/attempts/nope/answers/{uuid.uuid4()}",
        json={"option_ids": []},
        headers=taker.headers,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_answer_after_deadline_expired(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])
    await move_deadline_to_past(session_factory, attempt["id"])

    response = await answer(
        client, taker, attempt["id"], capital, [option_id(attempt, "capital/1")]
    )

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_expired"
    stored = await load_attempt(session_factory, attempt["id"])
    assert stored.status == "expired"
    assert stored.score == 1


async def test_answer_after_closes_at_moved_earlier(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    await update_quiz_row(session_factory, quiz["id"], closes_at=parse_time(from_now(seconds=-1)))

    response = await answer(client, taker, attempt["id"], capital, [])

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_expired"


async def test_answer_after_submit_finished(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    assert (await submit(client, taker, attempt["id"])).status_code == 200

    response = await answer(client, taker, attempt["id"], capital, [])

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_finished"


async def test_answer_immediate_feedback_locks(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    immediate = await create_quiz(client, author, feedback="immediate")
    attempt = await start_ok(client, taker, immediate["id"])
    capital = question_id(attempt, "capital")

    first = await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/1")])
    again = await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])

    assert first.status_code == 200
    body = first.json()
    assert body["correct"] is False
    assert body["correct_option_ids"] == [option_id(attempt, "capital/0")]
    assert body["explanation"] == "Paris is the capital."
    assert body["locked"] is True
    assert again.status_code == 409
    assert again.json()["code"] == "answer_locked"


async def test_answer_immediate_feedback_on_resume(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    immediate = await create_quiz(client, author, feedback="immediate")
    attempt = await start_ok(client, taker, immediate["id"])
    capital = question_id(attempt, "capital")
    await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])

    resumed = (await start(client, taker, immediate["id"])).json()

    saved = resumed["answers"][0]
    assert saved["correct"] is True
    assert saved["locked"] is True
    assert saved["explanation"] == "Paris is the capital."


async def test_answer_immediate_empty_stays_open(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    immediate = await create_quiz(client, author, feedback="immediate")
    attempt = await start_ok(client, taker, immediate["id"])
    capital = question_id(attempt, "capital")

    empty = await answer(client, taker, attempt["id"], capital, [])
    real = await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])

    assert empty.status_code == 200
    assert empty.json()["locked"] is False
    assert "correct_option_ids" not in empty.json()
    assert real.status_code == 200
    assert real.json()["correct"] is True


# Submitting


async def test_submit_grades_saved_answers(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    saved = [("capital", ["capital/0"]), ("primes", ["primes/0", "primes/1"])]
    for question, texts in saved:
        chosen = [option_id(attempt, text) for text in texts]
        await answer(client, taker, attempt["id"], question_id(attempt, question), chosen)

    response = await submit(client, taker, attempt["id"])

    assert response.status_code == 200
    result = response.json()
    assert result["attempt_id"] == attempt["id"]
    assert result["status"] == "submitted"
    assert result["score"] == 3
    assert result["max_score"] == 4
    assert result["percentage"] == 75.0
    assert result["passed"] is True
    assert result["correct_count"] == 2
    assert result["question_count"] == 3
    assert result["duration_seconds"] >= 0
    assert result["finished_at"].endswith("Z")


async def test_submit_answers_in_body(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    result = await take_quiz(client, taker, quiz, ["capital/0", "earth-round/false"])

    assert result["score"] == 1
    assert result["correct_count"] == 1
    assert result["passed"] is False


async def test_submit_every_option_of_multiple(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    every = [f"primes/{index}" for index in range(4)]

    result = await take_quiz(client, taker, quiz, every)

    assert result["score"] == 0


async def test_submit_empty_scores_zero(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    result = (await submit(client, taker, attempt["id"])).json()

    assert result["score"] == 0
    assert result["percentage"] == 0.0
    assert result["correct_count"] == 0
    assert all(item["chosen_option_ids"] == [] for item in result["review"])


async def test_submit_passed_null_without_pass_mark(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    no_mark = await create_quiz(client, author)

    result = await take_quiz(client, taker, no_mark, ["capital/0"])

    assert result["passed"] is None


async def test_submit_again_same_result(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    first = await take_quiz(client, taker, quiz, ["capital/0"])
    attempt_id = first["attempt_id"]
    capital = question_id(quiz, "capital")
    late = [{"question_id": capital, "option_ids": [option_id(quiz, "capital/1")]}]

    again = await submit(client, taker, attempt_id)
    with_answers = await submit(client, taker, attempt_id, late)

    assert again.status_code == 200
    assert again.json() == first
    assert with_answers.status_code == 200
    assert with_answers.json() == first


async def test_submit_review_on_submit(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    result = await take_quiz(client, taker, quiz, ["capital/1"])

    review = {item["text"]: item for item in result["review"]}
    assert list(review) == ["capital", "primes", "earth-round"]
    capital = review["capital"]
    assert capital["chosen_option_ids"] == [option_id(quiz, "capital/1")]
    assert capital["correct_option_ids"] == [option_id(quiz, "capital/0")]
    assert capital["correct"] is False
    assert capital["points"] == 1
    assert capital["points_awarded"] == 0
    assert capital["explanation"] == "Paris is the capital."


async def test_submit_review_never(client: AsyncClient, author: Account, taker: Account) -> None:
    hidden = await create_quiz(client, author, feedback="never")

    result = await take_quiz(client, taker, hidden, ["capital/0"])

    assert result["score"] == 1
    assert result["review"] is None
    assert result["review_available_at"] is None


async def test_submit_review_after_close(
    client: AsyncClient,
    author: Account,
    taker: Account,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    closes_at = from_now(hours=1)
    later = await create_quiz(client, author, feedback="after_close", closes_at=closes_at)
    result = await take_quiz(client, taker, later, ["capital/0"])
    await update_quiz_row(session_factory, later["id"], closes_at=parse_time(from_now(seconds=-1)))

    after = await client.get(f"{API}/attempts/{result['attempt_id']}", headers=taker.headers)

    assert result["review"] is None
    assert parse_time(result["review_available_at"]) == parse_time(closes_at)
    assert after.json()["result"]["review"][0]["correct"] is True


async def test_submit_after_deadline_without_answers(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    await answer(client, taker, attempt["id"], capital, [option_id(attempt, "capital/0")])
    now = datetime.now(UTC)
    async with session_factory() as session:
        await session.execute(
            update(Attempt)
            .where(Attempt.id == uuid.UUID(attempt["id"]))
            .values(started_at=now - timedelta(seconds=100), deadline=now - timedelta(seconds=40))
        )
        await session.commit()

    response = await submit(client, taker, attempt["id"])

    assert response.status_code == 200
    result = response.json()
    assert result["status"] == "expired"
    assert result["score"] == 1
    # An expired attempt ends at its deadline, not when the late submit arrived.
    assert result["duration_seconds"] == 60.0


async def test_submit_after_deadline_rejects_answers(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    await move_deadline_to_past(session_factory, attempt["id"])
    late = [{"question_id": capital, "option_ids": [option_id(attempt, "capital/0")]}]

    response = await submit(client, taker, attempt["id"], late)
    without = await submit(client, taker, attempt["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "attempt_expired"
    stored = await load_attempt(session_factory, attempt["id"])
    assert stored.status == "expired"
    assert without.status_code == 200
    assert without.json()["score"] == 0


async def test_submit_duplicate_question(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    capital = question_id(attempt, "capital")
    twice = [{"question_id": capital, "option_ids": []}] * 2

    response = await submit(client, taker, attempt["id"], twice)

    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_question"


async def test_submit_invalid_answer_saves_nothing(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    answers = [
        {
            "question_id": question_id(attempt, "capital"),
            "option_ids": [option_id(attempt, "capital/0")],
        },
        {
            "question_id": question_id(attempt, "earth-round"),
            "option_ids": [option_id(attempt, "capital/1")],
        },
    ]

    response = await submit(client, taker, attempt["id"], answers)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_option"
    stored = await load_attempt(session_factory, attempt["id"])
    assert stored.status == "in_progress"
    async with session_factory() as session:
        saved = await session.scalar(
            select(func.count()).where(AttemptAnswer.attempt_id == uuid.UUID(attempt["id"]))
        )
    assert saved == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"answers": "all"},
        {"answers": [{"option_ids": []}]},
        {"answers": [{"question_id": "nope", "option_ids": []}]},
        {"answers": [], "finish": True},
        [],
    ],
    ids=["answers not a list", "no question id", "bad question id", "unknown field", "list"],
)
async def test_submit_malformed_body(
    client: AsyncClient, taker: Account, quiz: dict[str, Any], payload: Any
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await client.post(
        f"{API}/attempts/{attempt['id']}/submit", json=payload, headers=taker.headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_submit_not_json(client: AsyncClient, taker: Account, quiz: dict[str, Any]) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await client.post(
        f"{API}/attempts/{attempt['id']}/submit",
        content=b"{not json",
        headers={**taker.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_submit_empty_object_body(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await client.post(
        f"{API}/attempts/{attempt['id']}/submit", json={}, headers=taker.headers
    )

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


async def test_submit_unknown_question(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await submit(
        client, taker, attempt["id"], [{"question_id": str(uuid.uuid4()), "option_ids": []}]
    )

    assert response.status_code == 404
    assert response.json()["code"] == "question_not_found"


async def test_submit_locked_answer(client: AsyncClient, author: Account, taker: Account) -> None:
    immediate = await create_quiz(client, author, feedback="immediate")
    attempt = await start_ok(client, taker, immediate["id"])
    capital = question_id(attempt, "capital")
    chosen = [option_id(attempt, "capital/0")]
    await answer(client, taker, attempt["id"], capital, chosen)

    response = await submit(
        client, taker, attempt["id"], [{"question_id": capital, "option_ids": chosen}]
    )

    assert response.status_code == 409
    assert response.json()["code"] == "answer_locked"


async def test_submit_by_other_user_not_found(
    client: AsyncClient, author: Account, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await submit(client, author, attempt["id"])

    assert response.status_code == 404
    assert response.json()["code"] == "attempt_not_found"


async def test_submit_five_concurrent_one_result(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    answers = [
        {
            "question_id": question_id(attempt, "capital"),
            "option_ids": [option_id(attempt, "capital/0")],
        },
        {
            "question_id": question_id(attempt, "primes"),
            "option_ids": [option_id(attempt, "primes/0"), option_id(attempt, "primes/1")],
        },
    ]

    responses = await asyncio.gather(
        *(submit(client, taker, attempt["id"], answers) for _ in range(5))
    )

    assert [response.status_code for response in responses] == [200] * 5
    bodies = [response.json() for response in responses]
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["score"] == 3
    async with session_factory() as session:
        stored = (
            await session.scalars(select(Attempt).where(Attempt.quiz_id == uuid.UUID(quiz["id"])))
        ).all()
        saved_answers = await session.scalar(
            select(func.count()).where(AttemptAnswer.attempt_id == uuid.UUID(attempt["id"]))
        )
    assert len(stored) == 1
    assert stored[0].status == "submitted"
    assert parse_time(bodies[0]["finished_at"]) == stored[0].finished_at
    assert saved_answers == 2


# Reading


async def test_read_in_progress_by_taker(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await client.get(f"{API}/attempts/{attempt['id']}", headers=taker.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["deadline"] == attempt["deadline"]
    assert body["user"]["username"] == taker.username
    assert body["result"] is None
    assert not body_has_key(body, "is_correct")


async def test_read_finished_by_taker(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    result = await take_quiz(client, taker, quiz, ["capital/0"])

    response = await client.get(f"{API}/attempts/{result['attempt_id']}", headers=taker.headers)

    body = response.json()
    assert body["status"] == "submitted"
    assert body["result"]["score"] == 1
    assert body["result"]["review"] == result["review"]
    assert body["answers"][0]["option_ids"] == [option_id(quiz, "capital/0")]


async def test_read_never_feedback_full_for_author(
    client: AsyncClient, author: Account, taker: Account
) -> None:
    hidden = await create_quiz(client, author, feedback="never")
    result = await take_quiz(client, taker, hidden, ["capital/0"])
    path = f"{API}/attempts/{result['attempt_id']}"

    by_taker = await client.get(path, headers=taker.headers)
    by_author = await client.get(path, headers=author.headers)

    assert by_taker.json()["result"]["review"] is None
    assert by_author.status_code == 200
    assert by_author.json()["result"]["review"][0]["explanation"] == "Paris is the capital."


@pytest.mark.parametrize("role", ["moderator", "admin"])
async def test_read_by_staff(
    client: AsyncClient,
    mailbox: Any,
    session_factory: Any,
    author: Account,
    taker: Account,
    role: str,
) -> None:
    hidden = await create_quiz(client, author, feedback="never")
    result = await take_quiz(client, taker, hidden, ["capital/0"])
    staff = await make_account(client, mailbox, session_factory, role=role)

    response = await client.get(f"{API}/attempts/{result['attempt_id']}", headers=staff.headers)

    assert response.status_code == 200
    assert response.json()["result"]["review"][0]["correct"] is True


async def test_read_by_other_user_not_found(
    client: AsyncClient, mailbox: Any, session_factory: Any, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    stranger = await make_account(client, mailbox, session_factory)

    response = await client.get(f"{API}/attempts/{attempt['id']}", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "attempt_not_found"


async def test_read_overdue_shows_expired(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    await move_deadline_to_past(session_factory, attempt["id"])

    response = await client.get(f"{API}/attempts/{attempt['id']}", headers=taker.headers)

    body = response.json()
    assert body["status"] == "expired"
    assert body["result"]["score"] == 0


# History and deletion


async def test_history_newest_first_paginated(
    client: AsyncClient, author: Account, taker: Account, quiz: dict[str, Any]
) -> None:
    other = await create_quiz(client, author, title="Second quiz")
    first = await take_quiz(client, taker, quiz, ["capital/0"])
    second = await start_ok(client, taker, other["id"])

    page = await client.get(f"{API}/users/me/attempts?limit=1", headers=taker.headers)
    rest = await client.get(f"{API}/users/me/attempts?limit=1&offset=1", headers=taker.headers)

    assert page.status_code == 200
    assert page.json()["total"] == 2
    newest = page.json()["items"][0]
    assert newest["id"] == second["id"]
    assert newest["quiz_title"] == "Second quiz"
    assert newest["status"] == "in_progress"
    assert newest["score"] is None
    older = rest.json()["items"][0]
    assert older["id"] == first["attempt_id"]
    assert older["quiz_id"] == quiz["id"]
    assert older["score"] == 1
    assert older["percentage"] == 25.0
    assert older["finished_at"].endswith("Z")


async def test_history_only_own(client: AsyncClient, author: Account, quiz: dict[str, Any]) -> None:
    response = await client.get(f"{API}/users/me/attempts", headers=author.headers)

    assert response.json()["total"] == 0


async def test_history_limit_out_of_range(client: AsyncClient, taker: Account) -> None:
    response = await client.get(f"{API}/users/me/attempts?limit=101", headers=taker.headers)

    assert response.status_code == 422


async def test_delete_by_user_forbidden(
    client: AsyncClient, taker: Account, quiz: dict[str, Any]
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])

    response = await client.delete(f"{API}/attempts/{attempt['id']}", headers=taker.headers)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("role", ["moderator", "admin"])
async def test_delete_by_staff(
    client: AsyncClient,
    mailbox: Any,
    session_factory: Any,
    taker: Account,
    quiz: dict[str, Any],
    role: str,
) -> None:
    result = await take_quiz(client, taker, quiz, ["capital/0"])
    staff = await make_account(client, mailbox, session_factory, role=role)
    path = f"{API}/attempts/{result['attempt_id']}"

    deleted = await client.delete(path, headers=staff.headers)
    after = await client.get(path, headers=taker.headers)

    assert deleted.status_code == 204
    assert after.status_code == 404


async def test_delete_unknown_not_found(
    client: AsyncClient, mailbox: Any, session_factory: Any
) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")

    response = await client.delete(f"{API}/attempts/{uuid.uuid4()}", headers=moderator.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "attempt_not_found"


# The periodic job


async def test_job_finishes_overdue_attempts(
    client: AsyncClient,
    author: Account,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    overdue = await start_ok(client, taker, quiz["id"])
    capital = question_id(overdue, "capital")
    await answer(client, taker, overdue["id"], capital, [option_id(overdue, "capital/0")])
    running = await start_ok(client, author, quiz["id"])
    await move_deadline_to_past(session_factory, overdue["id"])
    ctx = {"session_factory": session_factory, "job_id": "test-run"}

    first_run = await finish_expired_attempts(ctx)
    second_run = await finish_expired_attempts(ctx)

    assert first_run == 1
    assert second_run == 0
    stored = await load_attempt(session_factory, overdue["id"])
    assert stored.status == "expired"
    assert stored.score == 1
    assert stored.finished_at == stored.deadline
    untouched = await load_attempt(session_factory, running["id"])
    assert untouched.status == "in_progress"


async def test_job_finishes_after_closes_at(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    await update_quiz_row(session_factory, quiz["id"], closes_at=parse_time(from_now(seconds=-1)))

    finished = await finish_expired_attempts({"session_factory": session_factory})

    assert finished == 1
    stored = await load_attempt(session_factory, attempt["id"])
    assert stored.status == "expired"


async def test_job_ignores_untimed_attempts(
    client: AsyncClient,
    author: Account,
    taker: Account,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    untimed = await create_quiz(client, author)
    attempt = await start_ok(client, taker, untimed["id"])

    finished = await finish_expired_attempts({"session_factory": session_factory})

    assert finished == 0
    stored = await load_attempt(session_factory, attempt["id"])
    assert stored.status == "in_progress"


async def test_history_shows_overdue_expired(
    client: AsyncClient,
    taker: Account,
    quiz: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    attempt = await start_ok(client, taker, quiz["id"])
    await move_deadline_to_past(session_factory, attempt["id"])

    response = await client.get(f"{API}/users/me/attempts", headers=taker.headers)

    item = response.json()["items"][0]
    assert item["id"] == attempt["id"]
    assert item["status"] == "expired"
    assert item["score"] == 0
