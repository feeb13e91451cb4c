"""Question and option sub-resources: positions, guards and the rules of published quizzes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from brain_battles.attempts.models import Attempt
from tests.helpers import API, Account, make_account
from tests.test_quizzes import create_quiz, published_quiz, question_body


@pytest.fixture
async def author(client: AsyncClient, mailbox: Any) -> Account:
    return await make_account(client, mailbox)


@pytest.fixture
async def stranger(client: AsyncClient, mailbox: Any) -> Account:
    return await make_account(client, mailbox)


def questions_url(quiz: dict[str, Any]) -> str:
    return f"{API}/quizzes/{quiz['id']}/questions"


def question_url(quiz: dict[str, Any], position: int) -> str:
    return f"{questions_url(quiz)}/{quiz['questions'][position]['id']}"


def options_url(quiz: dict[str, Any], position: int) -> str:
    return f"{question_url(quiz, position)}/options"


def option_url(quiz: dict[str, Any], position: int, option_position: int) -> str:
    option = quiz["questions"][position]["options"][option_position]
    return f"{options_url(quiz, position)}/{option['id']}"


async def fetch(client: AsyncClient, account: Account, quiz: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def texts(items: list[dict[str, Any]]) -> list[str]:
    return [item["text"] for item in items]


def positions(items: list[dict[str, Any]]) -> list[int]:
    return [item["position"] for item in items]


async def three_question_quiz(client: AsyncClient, author: Account) -> dict[str, Any]:
    return await create_quiz(
        client, author, questions=[question_body("a"), question_body("b"), question_body("c")]
    )


async def add_attempt(session_factory: Any, quiz: dict[str, Any], account: Account) -> None:
    """Store an attempt directly, because the attempts API is tested apart."""
    async with session_factory() as session:
        session.add(Attempt(quiz_id=uuid.UUID(quiz["id"]), user_id=uuid.UUID(account.id)))
        await session.commit()


# --- questions ------------------------------------------------------------------------------


async def test_add_question_appends(client: AsyncClient, author: Account) -> None:
    quiz = await three_question_quiz(client, author)

    response = await client.post(
        questions_url(quiz),
        json=question_body("d", explanation="Because.", points=3),
        headers=author.headers,
    )

    assert response.status_code == 201
    question = response.json()
    assert uuid.UUID(question["id"])
    assert question["position"] == 3
    assert question["points"] == 3
    assert question["explanation"] == "Because."
    assert positions(question["options"]) == [0, 1]
    assert all(uuid.UUID(option["id"]) for option in question["options"])
    stored = await fetch(client, author, quiz)
    assert texts(stored["questions"]) == ["a", "b", "c", "d"]
    assert stored["question_count"] == 4


async def test_add_question_at_position(client: AsyncClient, author: Account) -> None:
    quiz = await three_question_quiz(client, author)

    first = await client.post(
        questions_url(quiz), json=question_body("first", position=0), headers=author.headers
    )
    past_end = await client.post(
        questions_url(quiz), json=question_body("last", position=99), headers=author.headers
    )

    assert first.json()["position"] == 0
    assert past_end.json()["position"] == 4
    stored = await fetch(client, author, quiz)
    assert texts(stored["questions"]) == ["first", "a", "b", "c", "last"]
    assert positions(stored["questions"]) == [0, 1, 2, 3, 4]


async def test_add_question_without_options(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[])

    response = await client.post(
        questions_url(quiz), json={"text": "Later", "kind": "multiple"}, headers=author.headers
    )

    assert response.status_code == 201
    assert response.json()["options"] == []
    assert response.json()["points"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"text": "", "kind": "single"},
        {"text": "q" * 2001, "kind": "single"},
        {"kind": "single"},
        {"text": "q", "kind": "open"},
        {"text": "q", "kind": "single", "points": -1},
        {"text": "q", "kind": "single", "position": -1},
        {"text": "q", "kind": "single", "quiz_id": str(uuid.uuid4())},
        question_body(option_count=11),
    ],
    ids=[
        "empty text",
        "long text",
        "no text",
        "unknown kind",
        "negative points",
        "negative position",
        "unknown field",
        "eleven options",
    ],
)
async def test_add_question_invalid(
    client: AsyncClient, author: Account, body: dict[str, Any]
) -> None:
    quiz = await create_quiz(client, author)

    response = await client.post(questions_url(quiz), json=body, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_add_question_cap(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(
        client, author, questions=[question_body(f"q{index}") for index in range(200)]
    )

    response = await client.post(questions_url(quiz), json=question_body(), headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["type"] == "too_many_questions"


async def test_patch_question_fields(client: AsyncClient, author: Account) -> None:
    quiz = await three_question_quiz(client, author)

    response = await client.patch(
        question_url(quiz, 1),
        json={"text": "b, reworded", "kind": "multiple", "points": 5, "explanation": "Why."},
        headers=author.headers,
    )

    assert response.status_code == 200
    question = response.json()
    assert question["text"] == "b, reworded"
    assert question["kind"] == "multiple"
    assert question["points"] == 5
    assert question["explanation"] == "Why."
    assert question["position"] == 1
    assert len(question["options"]) == 2


async def test_patch_question_clears_explanation(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.patch(
        question_url(quiz, 0), json={"explanation": None}, headers=author.headers
    )

    assert response.status_code == 200
    assert response.json()["explanation"] is None


async def test_patch_question_moves(client: AsyncClient, author: Account) -> None:
    quiz = await three_question_quiz(client, author)

    to_front = await client.patch(
        question_url(quiz, 2), json={"position": 0}, headers=author.headers
    )
    stored = await fetch(client, author, quiz)
    to_end = await client.patch(
        question_url(stored, 0), json={"position": 50}, headers=author.headers
    )

    assert to_front.json()["position"] == 0
    assert texts(stored["questions"]) == ["c", "a", "b"]
    assert to_end.json()["position"] == 2
    final = await fetch(client, author, quiz)
    assert texts(final["questions"]) == ["a", "b", "c"]
    assert positions(final["questions"]) == [0, 1, 2]


@pytest.mark.parametrize(
    "body",
    [{"text": None}, {"kind": None}, {"points": None}, {"position": None}, {"options": []}],
    ids=["null text", "null kind", "null points", "null position", "options"],
)
async def test_patch_question_invalid(
    client: AsyncClient, author: Account, body: dict[str, Any]
) -> None:
    quiz = await create_quiz(client, author)

    response = await client.patch(question_url(quiz, 0), json=body, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_delete_question_keeps_positions(client: AsyncClient, author: Account) -> None:
    quiz = await three_question_quiz(client, author)

    response = await client.delete(question_url(quiz, 1), headers=author.headers)

    assert response.status_code == 204
    stored = await fetch(client, author, quiz)
    assert texts(stored["questions"]) == ["a", "c"]
    assert positions(stored["questions"]) == [0, 1]
    assert stored["question_count"] == 2


async def test_question_of_other_quiz(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)
    other = await create_quiz(client, author)
    foreign_id = other["questions"][0]["id"]
    url = f"{questions_url(quiz)}/{foreign_id}"

    responses = [
        await client.patch(url, json={"text": "x"}, headers=author.headers),
        await client.delete(url, headers=author.headers),
        await client.post(f"{url}/options", json={"text": "x"}, headers=author.headers),
        await client.patch(
            f"{questions_url(quiz)}/{uuid.uuid4()}", json={}, headers=author.headers
        ),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json()["code"] == "question_not_found"
    untouched = await fetch(client, author, other)
    assert untouched["question_count"] == 2


# --- options --------------------------------------------------------------------------------


async def test_add_option_appends(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.post(
        options_url(quiz, 0), json={"text": "option 2"}, headers=author.headers
    )

    assert response.status_code == 201
    option = response.json()
    assert uuid.UUID(option["id"])
    assert option == {"id": option["id"], "text": "option 2", "is_correct": False, "position": 2}


async def test_add_option_at_position(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.post(
        options_url(quiz, 0), json={"text": "new first", "position": 0}, headers=author.headers
    )

    assert response.json()["position"] == 0
    options = (await fetch(client, author, quiz))["questions"][0]["options"]
    assert texts(options) == ["new first", "option 0", "option 1"]
    assert positions(options) == [0, 1, 2]


async def test_add_correct_option_to_single(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.post(
        options_url(quiz, 0), json={"text": "right", "is_correct": True}, headers=author.headers
    )

    assert response.json()["is_correct"] is True
    options = (await fetch(client, author, quiz))["questions"][0]["options"]
    assert [option["is_correct"] for option in options] == [False, False, True]


async def test_add_correct_option_to_multiple(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[question_body(kind="multiple")])

    await client.post(
        options_url(quiz, 0), json={"text": "also", "is_correct": True}, headers=author.headers
    )

    options = (await fetch(client, author, quiz))["questions"][0]["options"]
    assert [option["is_correct"] for option in options] == [True, False, True]


async def test_add_option_cap(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[question_body(option_count=10)])

    response = await client.post(options_url(quiz, 0), json={"text": "11"}, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["type"] == "too_many_options"


@pytest.mark.parametrize(
    "body",
    [{"text": ""}, {"text": "o" * 501}, {}, {"text": "o", "explanation": "no"}],
    ids=["empty text", "long text", "no text", "unknown field"],
)
async def test_add_option_invalid(
    client: AsyncClient, author: Account, body: dict[str, Any]
) -> None:
    quiz = await create_quiz(client, author)

    response = await client.post(options_url(quiz, 0), json=body, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_patch_option_moves_answer(client: AsyncClient, author: Account) -> None:
    quiz = await published_quiz(client, author)

    response = await client.patch(
        option_url(quiz, 0, 1),
        json={"is_correct": True, "text": "now right"},
        headers=author.headers,
    )

    assert response.status_code == 200
    assert response.json()["is_correct"] is True
    assert response.json()["text"] == "now right"
    options = (await fetch(client, author, quiz))["questions"][0]["options"]
    assert [option["is_correct"] for option in options] == [False, True]


async def test_patch_option_moves_position(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[question_body(option_count=4)])

    response = await client.patch(
        option_url(quiz, 0, 3), json={"position": 1}, headers=author.headers
    )

    assert response.json()["position"] == 1
    options = (await fetch(client, author, quiz))["questions"][0]["options"]
    assert texts(options) == ["option 0", "option 3", "option 1", "option 2"]
    assert positions(options) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "body",
    [{"text": None}, {"is_correct": None}, {"position": None}, {"text": ""}, {"id": "x"}],
    ids=["null text", "null is_correct", "null position", "empty text", "unknown field"],
)
async def test_patch_option_invalid(
    client: AsyncClient, author: Account, body: dict[str, Any]
) -> None:
    quiz = await create_quiz(client, author)

    response = await client.patch(option_url(quiz, 0, 0), json=body, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_delete_option_keeps_positions(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[question_body(option_count=3)])

    response = await client.delete(option_url(quiz, 0, 0), headers=author.headers)

    assert response.status_code == 204
    options = (await fetch(client, author, quiz))["questions"][0]["options"]
    assert texts(options) == ["option 1", "option 2"]
    assert positions(options) == [0, 1]


async def test_option_of_other_question(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)
    foreign_id = quiz["questions"][1]["options"][0]["id"]
    url = f"{options_url(quiz, 0)}/{foreign_id}"

    responses = [
        await client.patch(url, json={"text": "x"}, headers=author.headers),
        await client.delete(url, headers=author.headers),
        await client.delete(f"{options_url(quiz, 0)}/{uuid.uuid4()}", headers=author.headers),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json()["code"] == "option_not_found"


# --- published quizzes stay publishable -----------------------------------------------------


async def test_published_rejects_breaking_changes(client: AsyncClient, author: Account) -> None:
    quiz = await published_quiz(
        client,
        author,
        questions=[
            question_body("single"),
            question_body("multiple", kind="multiple", correct=(0, 1), option_count=3),
            question_body("true or false", kind="true_false"),
        ],
    )

    attempts = {
        "delete an option": await client.delete(option_url(quiz, 0, 1), headers=author.headers),
        "unmark the answer": await client.patch(
            option_url(quiz, 0, 0), json={"is_correct": False}, headers=author.headers
        ),
        "third true_false option": await client.post(
            options_url(quiz, 2), json={"text": "maybe"}, headers=author.headers
        ),
        "add an incomplete question": await client.post(
            questions_url(quiz), json=question_body(option_count=1), headers=author.headers
        ),
        "two answers for single": await client.patch(
            question_url(quiz, 1), json={"kind": "single"}, headers=author.headers
        ),
    }

    for name, response in attempts.items():
        assert response.status_code == 422, name
        assert response.json()["code"] == "quiz_incomplete", name
        assert response.json()["problems"], name
    assert await fetch(client, author, quiz) == quiz


async def test_published_problem_names_question(client: AsyncClient, author: Account) -> None:
    quiz = await published_quiz(client, author)

    response = await client.delete(option_url(quiz, 1, 0), headers=author.headers)

    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["position"] == 1
    assert problem["question_id"] == quiz["questions"][1]["id"]


async def test_published_last_question_stays(client: AsyncClient, author: Account) -> None:
    quiz = await published_quiz(client, author, questions=[question_body()])

    response = await client.delete(question_url(quiz, 0), headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "quiz_incomplete"
    assert (await fetch(client, author, quiz))["question_count"] == 1


async def test_published_accepts_valid_changes(client: AsyncClient, author: Account) -> None:
    quiz = await published_quiz(client, author)

    added = await client.post(
        questions_url(quiz), json=question_body("new", position=0), headers=author.headers
    )
    renamed = await client.patch(
        question_url(quiz, 0), json={"text": "renamed"}, headers=author.headers
    )
    deleted = await client.delete(question_url(quiz, 1), headers=author.headers)

    assert added.status_code == 201
    assert renamed.status_code == 200
    assert deleted.status_code == 204
    stored = await fetch(client, author, quiz)
    assert texts(stored["questions"]) == ["new", "renamed"]
    assert stored["status"] == "published"


async def test_draft_accepts_incomplete_changes(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    removed = await client.delete(option_url(quiz, 0, 0), headers=author.headers)
    unmarked = await client.patch(
        option_url(quiz, 1, 0), json={"is_correct": False}, headers=author.headers
    )

    assert removed.status_code == 204
    assert unmarked.status_code == 200


# --- guards ---------------------------------------------------------------------------------


async def test_changes_after_attempt(
    client: AsyncClient, author: Account, stranger: Account, session_factory: Any
) -> None:
    quiz = await published_quiz(client, author)
    await add_attempt(session_factory, quiz, stranger)

    responses = {
        "add question": await client.post(
            questions_url(quiz), json=question_body(), headers=author.headers
        ),
        "patch question": await client.patch(
            question_url(quiz, 0), json={"text": "x"}, headers=author.headers
        ),
        "delete question": await client.delete(question_url(quiz, 0), headers=author.headers),
        "add option": await client.post(
            options_url(quiz, 0), json={"text": "x"}, headers=author.headers
        ),
        "patch option": await client.patch(
            option_url(quiz, 0, 0), json={"text": "x"}, headers=author.headers
        ),
        "delete option": await client.delete(option_url(quiz, 0, 0), headers=author.headers),
    }
    settings = await client.patch(
        f"{API}/quizzes/{quiz['id']}", json={"title": "Still fine"}, headers=author.headers
    )

    for name, response in responses.items():
        assert response.status_code == 409, name
        assert response.json()["code"] == "quiz_has_attempts", name
    assert settings.status_code == 200


async def test_changes_after_editable_until(client: AsyncClient, author: Account) -> None:
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    quiz = await create_quiz(client, author, editable_until=past)

    responses = {
        "add question": await client.post(
            questions_url(quiz), json=question_body(), headers=author.headers
        ),
        "patch question": await client.patch(
            question_url(quiz, 0), json={"text": "x"}, headers=author.headers
        ),
        "delete question": await client.delete(question_url(quiz, 0), headers=author.headers),
        "add option": await client.post(
            options_url(quiz, 0), json={"text": "x"}, headers=author.headers
        ),
        "patch option": await client.patch(
            option_url(quiz, 0, 0), json={"text": "x"}, headers=author.headers
        ),
        "delete option": await client.delete(option_url(quiz, 0, 0), headers=author.headers),
    }

    for name, response in responses.items():
        assert response.status_code == 409, name
        assert response.json()["code"] == "quiz_locked", name


async def test_publish_after_editable_until(client: AsyncClient, author: Account) -> None:
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    quiz = await create_quiz(client, author, editable_until=past)

    response = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author.headers)

    assert response.status_code == 200
    assert response.json()["status"] == "published"


async def test_changes_by_non_editors(
    client: AsyncClient, author: Account, stranger: Account, mailbox: Any, session_factory: Any
) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    public = await published_quiz(client, author)
    draft = await create_quiz(client, author)

    forbidden = [
        await client.post(questions_url(public), json=question_body(), headers=account.headers)
        for account in (stranger, moderator)
    ]
    forbidden.append(
        await client.patch(option_url(public, 0, 0), json={"text": "x"}, headers=stranger.headers)
    )
    hidden = [
        await client.post(questions_url(draft), json=question_body(), headers=stranger.headers),
        await client.delete(question_url(draft, 0), headers=stranger.headers),
        await client.delete(option_url(draft, 0, 0), headers=stranger.headers),
    ]

    for response in forbidden:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    for response in hidden:
        assert response.status_code == 404
        assert response.json()["code"] == "quiz_not_found"


async def test_changes_by_admin(
    client: AsyncClient, author: Account, mailbox: Any, session_factory: Any
) -> None:
    admin = await make_account(client, mailbox, session_factory, role="admin")
    quiz = await create_quiz(client, author)

    response = await client.post(questions_url(quiz), json=question_body(), headers=admin.headers)

    assert response.status_code == 201


async def test_unknown_quiz(client: AsyncClient, author: Account) -> None:
    response = await client.post(
        f"{API}/quizzes/{uuid.uuid4()}/questions", json=question_body(), headers=author.headers
    )

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_publish_rejects_duplicate_options(client: AsyncClient, mailbox) -> None:
    author = await make_account(client, mailbox)
    body = {
        "title": "Twins",
        "questions": [
            {
                "text": "Pick one",
                "kind": "single",
                "options": [
                    {"text": "Same", "is_correct": True},
                    {"text": "  same ", "is_correct": False},
                ],
            }
        ],
    }
    quiz = (await client.post(f"{API}/quizzes", json=body, headers=author.headers)).json()
    response = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "quiz_incomplete"
    messages = [problem["message"] for problem in response.json()["problems"]]
    assert any("same text" in message for message in messages)


async def test_publish_rejects_zero_points(client: AsyncClient, mailbox) -> None:
    author = await make_account(client, mailbox)
    body = {
        "title": "Worthless",
        "questions": [
            {
                "text": "Free question",
                "kind": "true_false",
                "points": 0,
                "options": [
                    {"text": "True", "is_correct": True},
                    {"text": "False", "is_correct": False},
                ],
            }
        ],
    }
    quiz = (await client.post(f"{API}/quizzes", json=body, headers=author.headers)).json()
    response = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author.headers)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems[0]["position"] is None
    assert "0 points" in problems[0]["message"]
