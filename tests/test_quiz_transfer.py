"""Export of a quiz as a versioned document and import of such a document as a new draft."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from httpx import AsyncClient

from tests.helpers import API, Account, make_account
from tests.test_quizzes import create_quiz, published_quiz, question_body

IMPORT_URL = f"{API}/quizzes/import"


@pytest.fixture
async def author(client: AsyncClient, mailbox: Any) -> Account:
    return await make_account(client, mailbox)


@pytest.fixture
async def stranger(client: AsyncClient, mailbox: Any) -> Account:
    return await make_account(client, mailbox)


async def export(client: AsyncClient, account: Account, quiz_id: str) -> dict[str, Any]:
    response = await client.get(f"{API}/quizzes/{quiz_id}/export", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def keys_anywhere(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_anywhere(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_anywhere(item)}
    return set()


def document(**quiz_overrides: Any) -> dict[str, Any]:
    quiz: dict[str, Any] = {
        "title": "Imported",
        "questions": [question_body("first"), question_body("second")],
    }
    quiz.update(quiz_overrides)
    return {"format": "brain-battles.quiz", "version": 1, "quiz": quiz}


async def test_export_document(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(
        client,
        author,
        tags=["Maths"],
        opens_at="2030-01-01T12:00:00+01:00",
        time_limit_seconds=300,
        feedback="immediate",
        pass_percentage=60,
    )

    exported = await export(client, author, quiz["id"])

    assert exported["format"] == "brain-battles.quiz"
    assert exported["version"] == 1
    assert exported["exported_at"].endswith("Z")
    body = exported["quiz"]
    assert body["title"] == quiz["title"]
    assert body["tags"] == ["maths"]
    assert body["opens_at"] == "2030-01-01T11:00:00Z"
    assert body["time_limit_seconds"] == 300
    assert body["feedback"] == "immediate"
    assert body["pass_percentage"] == 60
    assert body["questions"][0]["explanation"] == "Two is even."
    assert body["questions"][0]["points"] == 2
    assert body["questions"][0]["options"] == [
        {"text": "option 0", "is_correct": True},
        {"text": "option 1", "is_correct": False},
    ]


async def test_export_has_no_database_ids(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    exported = await export(client, author, quiz["id"])

    keys = keys_anywhere(exported)
    for key in ("id", "author", "author_id", "question_id", "position", "status", "created_at"):
        assert key not in keys, key


async def test_export_by_moderator(
    client: AsyncClient, author: Account, mailbox: Any, session_factory: Any
) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    quiz = await create_quiz(client, author)

    exported = await export(client, moderator, quiz["id"])

    assert exported["quiz"]["title"] == quiz["title"]


async def test_export_by_stranger(client: AsyncClient, author: Account, stranger: Account) -> None:
    public = await published_quiz(client, author)
    draft = await create_quiz(client, author)

    forbidden = await client.get(f"{API}/quizzes/{public['id']}/export", headers=stranger.headers)
    hidden = await client.get(f"{API}/quizzes/{draft['id']}/export", headers=stranger.headers)

    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "quiz_not_found"


def without_ids(quiz: dict[str, Any]) -> dict[str, Any]:
    """Keep what an import must reproduce: settings and content, not identity or history."""
    content = copy.deepcopy(quiz)
    for key in ("id", "author", "status", "published_at", "created_at", "updated_at"):
        content.pop(key)
    for question in content["questions"]:
        question.pop("id")
        for option in question["options"]:
            option.pop("id")
    return content


async def test_export_import_round_trip(
    client: AsyncClient, author: Account, stranger: Account
) -> None:
    original = await published_quiz(
        client,
        author,
        visibility="private",
        tags=["b", "a"],
        closes_at="2031-05-01T00:00:00Z",
        max_attempts=3,
        shuffle_questions=True,
        questions=[
            question_body("single", explanation="Just one."),
            question_body("multiple", kind="multiple", correct=(0, 2), option_count=4, points=4),
            question_body("tf", kind="true_false", correct=(1,), points=0),
        ],
    )
    exported = await export(client, author, original["id"])

    response = await client.post(IMPORT_URL, json=exported, headers=stranger.headers)

    assert response.status_code == 201
    imported = response.json()
    assert imported["id"] != original["id"]
    assert imported["status"] == "draft"
    assert imported["published_at"] is None
    assert imported["author"] == {"id": stranger.id, "username": stranger.username}
    assert without_ids(imported) == without_ids(original)
    original_ids = {question["id"] for question in original["questions"]}
    assert original_ids.isdisjoint(question["id"] for question in imported["questions"])
    again = await export(client, stranger, imported["id"])
    assert again["quiz"] == exported["quiz"]


async def test_import_minimal_document(client: AsyncClient, author: Account) -> None:
    response = await client.post(IMPORT_URL, json=document(questions=[]), headers=author.headers)

    assert response.status_code == 201
    assert response.json()["title"] == "Imported"
    assert response.json()["question_count"] == 0


async def test_import_lists_every_bad_question(client: AsyncClient, author: Account) -> None:
    body = document(
        questions=[
            question_body("fine"),
            question_body(""),
            question_body("fine too", kind="multiple"),
            question_body("two answers", correct=(0, 1)),
            question_body("three-way", kind="true_false", option_count=3),
            {"text": "no kind", "options": []},
            "not a question",
        ]
    )

    response = await client.post(IMPORT_URL, json=body, headers=author.headers)

    assert response.status_code == 422
    problems = response.json()["problems"]
    assert response.json()["code"] == "invalid_import"
    assert sorted({problem["position"] for problem in problems}) == [1, 3, 4, 5, 6]
    by_position = {problem["position"]: problem for problem in problems}
    assert by_position[1]["loc"] == ["quiz", "questions", 1, "text"]
    assert "exactly one correct option" in by_position[3]["message"]
    assert by_position[3]["loc"] == ["quiz", "questions", 3, "options"]
    assert "exactly 2 options" in by_position[4]["message"]
    assert by_position[5]["loc"] == ["quiz", "questions", 5, "kind"]
    mine = await client.get(f"{API}/quizzes", params={"mine": "true"}, headers=author.headers)
    assert mine.json()["total"] == 0


async def test_import_settings_and_questions(client: AsyncClient, author: Account) -> None:
    body = document(title="", max_attempts=0, questions=[question_body(option_count=1)])

    response = await client.post(IMPORT_URL, json=body, headers=author.headers)

    assert response.status_code == 422
    problems = response.json()["problems"]
    locs = [problem["loc"] for problem in problems]
    assert ["quiz", "title"] in locs
    assert ["quiz", "max_attempts"] in locs
    assert [problem["position"] for problem in problems] == [None, None, 0]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"format": "other.quiz"}, ["format"]),
        ({"version": 2}, ["version"]),
        ({"version": "1"}, ["version"]),
        ({"version": True}, ["version"]),
        ({"quiz": None}, ["quiz"]),
        ({"quiz": ["not", "an", "object"]}, ["quiz"]),
        ({"comment": "hello"}, ["comment"]),
    ],
    ids=[
        "unknown format",
        "unknown version",
        "version as text",
        "version as boolean",
        "null quiz",
        "quiz as list",
        "unknown envelope field",
    ],
)
async def test_import_bad_envelope(
    client: AsyncClient, author: Account, changes: dict[str, Any], loc: list[str]
) -> None:
    body = {**document(), **changes}

    response = await client.post(IMPORT_URL, json=body, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_import"
    assert response.json()["problems"][0]["loc"] == loc


async def test_import_missing_format(client: AsyncClient, author: Account) -> None:
    body = document()
    del body["format"]
    del body["version"]

    response = await client.post(IMPORT_URL, json=body, headers=author.headers)

    assert response.status_code == 422
    locs = [problem["loc"] for problem in response.json()["problems"]]
    assert locs == [["format"], ["version"]]


@pytest.mark.parametrize(
    "quiz_changes",
    [
        {"opens_at": "2030-01-01T00:00:00"},
        {"status": "published"},
        {"questions": {"text": "not a list"}},
        {"questions": [question_body() for _ in range(201)]},
        {"tags": "one-tag"},
    ],
    ids=["naive timestamp", "status", "questions not a list", "too many questions", "tags text"],
)
async def test_import_bad_quiz_fields(
    client: AsyncClient, author: Account, quiz_changes: dict[str, Any]
) -> None:
    response = await client.post(IMPORT_URL, json=document(**quiz_changes), headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_import"
    assert response.json()["problems"][0]["position"] is None


async def test_import_body_not_object(client: AsyncClient, author: Account) -> None:
    response = await client.post(IMPORT_URL, json=[document()], headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_import_requires_login(client: AsyncClient) -> None:
    response = await client.post(IMPORT_URL, json=document())

    assert response.status_code == 401
