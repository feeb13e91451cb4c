"""Quiz CRUD, visibility, listing and publishing through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.attempts.models import Attempt
from brain_battles.quizzes.models import Quiz, QuizInvitation
from tests.helpers import API, Account, make_account


def question_body(
    text: str = "Which number is even?",
    *,
    kind: str = "single",
    correct: tuple[int, ...] = (0,),
    option_count: int = 2,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "text": text,
        "kind": kind,
        "options": [
            {"text": f"option {index}", "is_correct": index in correct}
            for index in range(option_count)
        ],
        **extra,
    }


def quiz_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Numbers",
        "description": "Small questions about numbers.",
        "questions": [question_body(explanation="Two is even.", points=2), question_body("Odd?")],
    }
    body.update(overrides)
    return body


async def create_quiz(client: AsyncClient, account: Account, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        f"{API}/quizzes", json=quiz_body(**overrides), headers=account.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def publish(client: AsyncClient, account: Account, quiz_id: str) -> dict[str, Any]:
    response = await client.post(f"{API}/quizzes/{quiz_id}/publish", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def published_quiz(client: AsyncClient, account: Account, **overrides: Any) -> dict[str, Any]:
    quiz = await create_quiz(client, account, **overrides)
    return await publish(client, account, quiz["id"])


async def accept_invitation(
    session_factory: async_sessionmaker[AsyncSession], quiz_id: str, account: Account
) -> None:
    """Store an accepted invitation directly, because the invitation endpoints are tested apart."""
    now = datetime.now(UTC)
    async with session_factory() as session:
        session.add(
            QuizInvitation(
                quiz_id=uuid.UUID(quiz_id),
                email=account.email,
                expires_at=now + timedelta(days=1),
                accepted_by_id=uuid.UUID(account.id),
                accepted_at=now,
            )
        )
        await session.commit()


@pytest.fixture
async def author(client: AsyncClient, mailbox: Any) -> Account:
    return await make_account(client, mailbox)


@pytest.fixture
async def stranger(client: AsyncClient, mailbox: Any) -> Account:
    return await make_account(client, mailbox)


@pytest.fixture
async def moderator(client: AsyncClient, mailbox: Any, session_factory: Any) -> Account:
    return await make_account(client, mailbox, session_factory, role="moderator")


@pytest.fixture
async def admin(client: AsyncClient, mailbox: Any, session_factory: Any) -> Account:
    return await make_account(client, mailbox, session_factory, role="admin")


# --- create ---------------------------------------------------------------------------------


async def test_create_returns_full_quiz(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, tags=["Python", " python ", "SQL"])

    assert uuid.UUID(quiz["id"])
    assert quiz["status"] == "draft"
    assert quiz["author"] == {"id": author.id, "username": author.username}
    assert quiz["question_count"] == 2
    assert quiz["tags"] == ["python", "sql"]
    assert quiz["visibility"] == "public"
    assert quiz["feedback"] == "on_submit"
    assert quiz["time_limit_seconds"] is None
    assert quiz["created_at"].endswith("Z")
    assert quiz["updated_at"].endswith("Z")
    first, second = quiz["questions"]
    assert [first["position"], second["position"]] == [0, 1]
    assert first["points"] == 2
    assert second["points"] == 1
    assert first["explanation"] == "Two is even."
    assert second["explanation"] is None
    assert [option["position"] for option in first["options"]] == [0, 1]
    assert [option["is_correct"] for option in first["options"]] == [True, False]
    assert all(uuid.UUID(option["id"]) for option in first["options"])


async def test_create_draft_may_be_incomplete(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[question_body(option_count=0)])

    assert quiz["question_count"] == 1
    assert quiz["questions"][0]["options"] == []


async def test_create_without_questions(client: AsyncClient, author: Account) -> None:
    response = await client.post(
        f"{API}/quizzes", json={"title": "Empty for now"}, headers=author.headers
    )

    assert response.status_code == 201
    assert response.json()["questions"] == []
    assert response.json()["question_count"] == 0


async def test_create_offset_timestamp_stored_as_utc(
    client: AsyncClient, author: Account, session_factory: Any
) -> None:
    quiz = await create_quiz(
        client,
        author,
        opens_at="2030-01-01T12:00:00+02:00",
        closes_at="2030-01-02T00:30:00-05:30",
    )

    assert quiz["opens_at"] == "2030-01-01T10:00:00Z"
    assert quiz["closes_at"] == "2030-01-02T06:00:00Z"
    async with session_factory() as session:
        stored = await session.scalar(select(Quiz).where(Quiz.id == uuid.UUID(quiz["id"])))
    assert stored.opens_at == datetime(2030, 1, 1, 10, tzinfo=UTC)


async def test_create_naive_timestamp_rejected(client: AsyncClient, author: Account) -> None:
    response = await client.post(
        f"{API}/quizzes",
        json=quiz_body(opens_at="2030-01-01T12:00:00"),
        headers=author.headers,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["loc"] == ["body", "opens_at"]


INVALID_CREATE_BODIES = {
    "empty title": {"title": ""},
    "blank title": {"title": "   "},
    "long title": {"title": "t" * 201},
    "title with line break": {"title": "two\nlines"},
    "long description": {"description": "d" * 5001},
    "description with nul": {"description": "a\x00b"},
    "short time limit": {"time_limit_seconds": 9},
    "long time limit": {"time_limit_seconds": 86401},
    "zero max attempts": {"max_attempts": 0},
    "huge max attempts": {"max_attempts": 2**40},
    "negative pass percentage": {"pass_percentage": -1},
    "pass percentage over 100": {"pass_percentage": 100.5},
    "too many tags": {"tags": [f"tag{index}" for index in range(21)]},
    "long tag": {"tags": ["t" * 33]},
    "empty tag": {"tags": [" "]},
    "unknown visibility": {"visibility": "secret"},
    "unknown feedback": {"feedback": "sometimes"},
    "status field": {"status": "published"},
    "unknown field": {"colour": "red"},
    "timestamp out of range": {"closes_at": "9999-12-31T23:00:00-05:00"},
    "closes before opens": {
        "opens_at": "2030-01-02T00:00:00Z",
        "closes_at": "2030-01-01T00:00:00Z",
    },
    "closes at opens": {"opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"},
    "empty question text": {"questions": [question_body("")]},
    "long question text": {"questions": [question_body("q" * 2001)]},
    "unknown question kind": {"questions": [question_body(kind="essay")]},
    "negative points": {"questions": [question_body(points=-1)]},
    "huge points": {"questions": [question_body(points=1001)]},
    "eleven options": {"questions": [question_body(option_count=11)]},
    "long option text": {
        "questions": [{"text": "q", "kind": "single", "options": [{"text": "o" * 501}]}]
    },
    "option position inline": {
        "questions": [{"text": "q", "kind": "single", "options": [{"text": "o", "position": 1}]}]
    },
    "question id inline": {"questions": [question_body(id=str(uuid.uuid4()))]},
}


@pytest.mark.parametrize("overrides", INVALID_CREATE_BODIES.values(), ids=INVALID_CREATE_BODIES)
async def test_create_invalid_body(
    client: AsyncClient, author: Account, overrides: dict[str, Any]
) -> None:
    response = await client.post(
        f"{API}/quizzes", json=quiz_body(**overrides), headers=author.headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_create_requires_login(client: AsyncClient) -> None:
    response = await client.post(f"{API}/quizzes", json=quiz_body())

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# --- read -----------------------------------------------------------------------------------


def assert_no_answer_key(quiz: dict[str, Any]) -> None:
    assert "is_correct" not in quiz
    assert "explanation" not in quiz
    for question in quiz["questions"]:
        assert "is_correct" not in question
        assert "explanation" not in question
        for option in question["options"]:
            assert "is_correct" not in option
            assert "explanation" not in option


async def test_get_author_sees_answer_key(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=author.headers)

    assert response.status_code == 200
    question = response.json()["questions"][0]
    assert question["explanation"] == "Two is even."
    assert question["options"][0]["is_correct"] is True


async def test_get_taker_view_hides_answer_key(
    client: AsyncClient, author: Account, stranger: Account
) -> None:
    quiz = await published_quiz(client, author)

    response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=stranger.headers)

    assert response.status_code == 200
    body = response.json()
    assert_no_answer_key(body)
    assert body["question_count"] == 2
    assert [option["text"] for option in body["questions"][0]["options"]] == [
        "option 0",
        "option 1",
    ]


async def test_get_staff_see_answer_key(
    client: AsyncClient, author: Account, moderator: Account, admin: Account
) -> None:
    quiz = await create_quiz(client, author)

    for staff in (moderator, admin):
        response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=staff.headers)
        assert response.status_code == 200
        assert response.json()["questions"][0]["options"][0]["is_correct"] is True


async def test_get_draft_hidden_from_stranger(
    client: AsyncClient, author: Account, stranger: Account
) -> None:
    quiz = await create_quiz(client, author)

    response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_get_private_hidden_from_stranger(
    client: AsyncClient, author: Account, stranger: Account
) -> None:
    quiz = await published_quiz(client, author, visibility="private")

    response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_get_private_for_invitee(
    client: AsyncClient, author: Account, stranger: Account, session_factory: Any
) -> None:
    quiz = await published_quiz(client, author, visibility="private")
    await accept_invitation(session_factory, quiz["id"], stranger)

    response = await client.get(f"{API}/quizzes/{quiz['id']}", headers=stranger.headers)

    assert response.status_code == 200
    assert_no_answer_key(response.json())


async def test_get_unknown_quiz(client: AsyncClient, author: Account) -> None:
    response = await client.get(f"{API}/quizzes/{uuid.uuid4()}", headers=author.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_get_malformed_id(client: AsyncClient, author: Account) -> None:
    response = await client.get(f"{API}/quizzes/not-a-uuid", headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


# --- update ---------------------------------------------------------------------------------


async def test_patch_changes_only_given_fields(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, tags=["old"], time_limit_seconds=60)

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}",
        json={"title": "Renamed", "tags": ["New", "new", "other"], "time_limit_seconds": None},
        headers=author.headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Renamed"
    assert body["tags"] == ["new", "other"]
    assert body["time_limit_seconds"] is None
    assert body["description"] == quiz["description"]
    assert body["question_count"] == 2
    assert body["updated_at"] > quiz["updated_at"]


async def test_patch_published_settings(client: AsyncClient, author: Account) -> None:
    quiz = await published_quiz(client, author)

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}",
        json={"visibility": "private", "feedback": "immediate", "pass_percentage": 50},
        headers=author.headers,
    )

    assert response.status_code == 200
    assert response.json()["visibility"] == "private"
    assert response.json()["status"] == "published"
    assert response.json()["pass_percentage"] == 50


INVALID_PATCH_BODIES = {
    "status": {"status": "draft"},
    "null title": {"title": None},
    "null tags": {"tags": None},
    "null feedback": {"feedback": None},
    "empty title": {"title": ""},
    "naive timestamp": {"closes_at": "2030-01-01T00:00:00"},
    "timestamp out of range": {"editable_until": "0001-01-01T00:00:00+01:00"},
    "closes before opens": {
        "opens_at": "2030-01-02T00:00:00Z",
        "closes_at": "2030-01-01T00:00:00Z",
    },
    "unknown field": {"author_id": str(uuid.uuid4())},
    "questions": {"questions": []},
}


@pytest.mark.parametrize("body", INVALID_PATCH_BODIES.values(), ids=INVALID_PATCH_BODIES)
async def test_patch_invalid_body(
    client: AsyncClient, author: Account, body: dict[str, Any]
) -> None:
    quiz = await create_quiz(client, author)

    response = await client.patch(f"{API}/quizzes/{quiz['id']}", json=body, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_patch_closes_before_stored_opens(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, opens_at="2030-01-02T00:00:00Z")

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}",
        json={"closes_at": "2030-01-01T00:00:00Z"},
        headers=author.headers,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["loc"] == ["body", "closes_at"]


async def test_patch_clear_opens_allows_any_close(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, opens_at="2030-01-02T00:00:00Z")

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}",
        json={"opens_at": None, "closes_at": "2030-01-01T00:00:00+01:00"},
        headers=author.headers,
    )

    assert response.status_code == 200
    assert response.json()["opens_at"] is None
    assert response.json()["closes_at"] == "2029-12-31T23:00:00Z"


async def test_patch_after_editable_until(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    lock = await client.patch(
        f"{API}/quizzes/{quiz['id']}", json={"editable_until": past}, headers=author.headers
    )
    assert lock.status_code == 200

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}", json={"title": "Too late"}, headers=author.headers
    )

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_locked"


async def test_patch_by_visible_non_author(
    client: AsyncClient, author: Account, stranger: Account, moderator: Account
) -> None:
    quiz = await published_quiz(client, author)

    for account in (stranger, moderator):
        response = await client.patch(
            f"{API}/quizzes/{quiz['id']}", json={"title": "Mine now"}, headers=account.headers
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


async def test_patch_hidden_quiz(client: AsyncClient, author: Account, stranger: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}", json={"title": "Mine now"}, headers=stranger.headers
    )

    assert response.status_code == 404
    assert response.json()["code"] == "quiz_not_found"


async def test_patch_by_admin(client: AsyncClient, author: Account, admin: Account) -> None:
    quiz = await create_quiz(client, author)

    response = await client.patch(
        f"{API}/quizzes/{quiz['id']}", json={"title": "Fixed by admin"}, headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json()["author"]["id"] == author.id


# --- delete ---------------------------------------------------------------------------------


async def test_delete_by_author(client: AsyncClient, author: Account, session_factory: Any) -> None:
    quiz = await create_quiz(client, author, tags=["gone"])

    response = await client.delete(f"{API}/quizzes/{quiz['id']}", headers=author.headers)

    assert response.status_code == 204
    assert response.content == b""
    again = await client.get(f"{API}/quizzes/{quiz['id']}", headers=author.headers)
    assert again.status_code == 404
    async with session_factory() as session:
        assert await session.get(Quiz, uuid.UUID(quiz["id"])) is None


async def test_delete_with_attempts(
    client: AsyncClient, author: Account, stranger: Account, session_factory: Any
) -> None:
    quiz = await published_quiz(client, author)
    async with session_factory() as session:
        session.add(Attempt(quiz_id=uuid.UUID(quiz["id"]), user_id=uuid.UUID(stranger.id)))
        await session.commit()

    response = await client.delete(f"{API}/quizzes/{quiz['id']}", headers=author.headers)

    assert response.status_code == 204
    async with session_factory() as session:
        remaining = await session.scalar(
            select(Attempt.id).where(Attempt.quiz_id == uuid.UUID(quiz["id"]))
        )
    assert remaining is None


async def test_delete_by_staff(
    client: AsyncClient, author: Account, moderator: Account, admin: Account
) -> None:
    for staff in (moderator, admin):
        quiz = await create_quiz(client, author)
        response = await client.delete(f"{API}/quizzes/{quiz['id']}", headers=staff.headers)
        assert response.status_code == 204


async def test_delete_by_stranger(client: AsyncClient, author: Account, stranger: Account) -> None:
    public = await published_quiz(client, author)
    draft = await create_quiz(client, author)

    forbidden = await client.delete(f"{API}/quizzes/{public['id']}", headers=stranger.headers)
    hidden = await client.delete(f"{API}/quizzes/{draft['id']}", headers=stranger.headers)

    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "quiz_not_found"


# --- publish --------------------------------------------------------------------------------


async def test_publish_sets_status(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)

    published = await publish(client, author, quiz["id"])

    assert published["status"] == "published"
    assert published["published_at"].endswith("Z")
    assert published["questions"][0]["options"][0]["is_correct"] is True


async def test_publish_twice_is_idempotent(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author)
    first = await publish(client, author, quiz["id"])

    second = await publish(client, author, quiz["id"])

    assert second["status"] == "published"
    assert second["published_at"] == first["published_at"]
    assert second["updated_at"] == first["updated_at"]


async def test_publish_without_questions(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(client, author, questions=[])

    response = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "quiz_incomplete"
    assert response.json()["problems"] == [
        {"position": None, "question_id": None, "message": "the quiz has no questions"}
    ]


async def test_publish_lists_every_broken_question(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(
        client,
        author,
        questions=[
            question_body("fine"),
            question_body("two correct", correct=(0, 1)),
            question_body("none correct", kind="multiple", correct=(), option_count=3),
            question_body("one option", option_count=1),
            question_body("three-way true_false", kind="true_false", option_count=3),
        ],
    )

    response = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author.headers)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "quiz_incomplete"
    positions = [problem["position"] for problem in body["problems"]]
    assert positions == [1, 2, 3, 4]
    ids = {question["position"]: question["id"] for question in quiz["questions"]}
    assert all(problem["question_id"] == ids[problem["position"]] for problem in body["problems"])
    assert "exactly one correct option" in body["problems"][0]["message"]
    assert "at least one correct option" in body["problems"][1]["message"]
    assert "2 to 10 options" in body["problems"][2]["message"]
    assert "exactly 2 options" in body["problems"][3]["message"]
    still_draft = await client.get(f"{API}/quizzes/{quiz['id']}", headers=author.headers)
    assert still_draft.json()["status"] == "draft"


async def test_publish_true_false(client: AsyncClient, author: Account) -> None:
    quiz = await create_quiz(
        client, author, questions=[question_body(kind="true_false", correct=(1,))]
    )

    published = await publish(client, author, quiz["id"])

    assert published["status"] == "published"


async def test_publish_permissions(
    client: AsyncClient,
    author: Account,
    stranger: Account,
    moderator: Account,
    admin: Account,
) -> None:
    quiz = await create_quiz(client, author)

    hidden = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=stranger.headers)
    forbidden = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=moderator.headers)
    allowed = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=admin.headers)

    assert hidden.status_code == 404
    assert hidden.json()["code"] == "quiz_not_found"
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    assert allowed.status_code == 200


# --- list -----------------------------------------------------------------------------------


async def list_quizzes(client: AsyncClient, account: Account, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{API}/quizzes", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def titles(page: dict[str, Any]) -> list[str]:
    return [item["title"] for item in page["items"]]


async def test_list_visibility(
    client: AsyncClient, author: Account, stranger: Account, session_factory: Any
) -> None:
    await published_quiz(client, author, title="public")
    await create_quiz(client, author, title="draft")
    await published_quiz(client, author, title="private", visibility="private")
    invited = await published_quiz(client, author, title="invited", visibility="private")
    await accept_invitation(session_factory, invited["id"], stranger)
    await create_quiz(client, stranger, title="own draft")

    author_page = await list_quizzes(client, author)
    stranger_page = await list_quizzes(client, stranger)

    assert titles(author_page) == ["invited", "private", "draft", "public"]
    assert titles(stranger_page) == ["own draft", "invited", "public"]
    assert stranger_page["total"] == 3


async def test_list_items_are_summaries(client: AsyncClient, author: Account) -> None:
    await create_quiz(client, author, tags=["Maths"])

    item = (await list_quizzes(client, author))["items"][0]

    assert "questions" not in item
    assert item["question_count"] == 2
    assert item["tags"] == ["maths"]
    assert item["author"] == {"id": author.id, "username": author.username}


async def test_list_mine(client: AsyncClient, author: Account, stranger: Account) -> None:
    await published_quiz(client, stranger, title="someone else's")
    await create_quiz(client, author, title="my draft")
    await published_quiz(client, author, title="my published")

    page = await list_quizzes(client, author, mine="true")

    assert titles(page) == ["my published", "my draft"]
    assert page["total"] == 2


async def test_list_staff_scope(
    client: AsyncClient, author: Account, stranger: Account, moderator: Account
) -> None:
    await create_quiz(client, author, title="draft")
    await published_quiz(client, author, title="private", visibility="private")
    await published_quiz(client, author, title="public")

    default = await list_quizzes(client, moderator)
    everything = await list_quizzes(client, moderator, mine="false")
    user_everything = await list_quizzes(client, stranger, mine="false")

    assert titles(default) == ["public"]
    assert titles(everything) == ["public", "private", "draft"]
    assert titles(user_everything) == ["public"]


async def test_list_query_filter(client: AsyncClient, author: Account) -> None:
    await create_quiz(client, author, title="100% Sure", description="")
    await create_quiz(client, author, title="1000 answers", description="")
    await create_quiz(client, author, title="Capitals", description="Which CITY is it?")
    await create_quiz(client, author, title="snake_case", description="")
    await create_quiz(client, author, title="snakeXcase", description="")

    percent = await list_quizzes(client, author, q="0%")
    description = await list_quizzes(client, author, q="city")
    underscore = await list_quizzes(client, author, q="e_c")

    assert titles(percent) == ["100% Sure"]
    assert titles(description) == ["Capitals"]
    assert titles(underscore) == ["snake_case"]


async def test_list_tag_filter(client: AsyncClient, author: Account) -> None:
    await create_quiz(client, author, title="tagged", tags=["History"])
    await create_quiz(client, author, title="other", tags=["science"])

    page = await list_quizzes(client, author, tag="HISTORY")

    assert titles(page) == ["tagged"]


async def test_list_author_filter(client: AsyncClient, author: Account, stranger: Account) -> None:
    await published_quiz(client, author, title="by author")
    await published_quiz(client, stranger, title="by stranger")

    by_name = await list_quizzes(client, stranger, author=author.username.upper())
    by_id = await list_quizzes(client, stranger, author=author.id)
    nobody = await list_quizzes(client, stranger, author="no_such_user")

    assert titles(by_name) == ["by author"]
    assert titles(by_id) == ["by author"]
    assert nobody["items"] == []
    assert nobody["total"] == 0


async def test_list_paging(client: AsyncClient, author: Account) -> None:
    for index in range(5):
        await create_quiz(client, author, title=f"quiz {index}", questions=[])

    first = await list_quizzes(client, author, limit=2)
    third = await list_quizzes(client, author, limit=2, offset=4)
    beyond = await list_quizzes(client, author, limit=2, offset=10)

    assert titles(first) == ["quiz 4", "quiz 3"]
    assert first["total"] == 5
    assert first["limit"] == 2
    assert first["offset"] == 0
    assert titles(third) == ["quiz 0"]
    assert third["offset"] == 4
    assert beyond["items"] == []
    assert beyond["total"] == 5


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"offset": -1},
        {"limit": "many"},
        {"mine": "perhaps"},
        {"q": "x" * 201},
        {"q": "a\x00b"},
    ],
    ids=["limit 101", "limit 0", "negative offset", "text limit", "bad mine", "long q", "nul q"],
)
async def test_list_invalid_params(
    client: AsyncClient, author: Account, params: dict[str, Any]
) -> None:
    response = await client.get(f"{API}/quizzes", params=params, headers=author.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_list_requires_login(client: AsyncClient) -> None:
    response = await client.get(f"{API}/quizzes")

    assert response.status_code == 401
