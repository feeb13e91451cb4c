"""The main journey of the product, walked through HTTP exactly as a client would."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.helpers import API, DEFAULT_PASSWORD, bearer, extract_code, unique_email, unique_username

QUIZ = {
    "title": "Capitals of Europe",
    "description": "Five quick questions.",
    "visibility": "public",
    "tags": ["Geography", "europe"],
    "time_limit_seconds": 300,
    "feedback": "on_submit",
    "pass_percentage": 60,
    "questions": [
        {
            "text": "What is the capital of France?",
            "kind": "single",
            "explanation": "Paris has been the capital since 987.",
            "options": [
                {"text": "Lyon", "is_correct": False},
                {"text": "Paris", "is_correct": True},
                {"text": "Marseille", "is_correct": False},
            ],
        },
        {
            "text": "Which of these cities are capitals?",
            "kind": "multiple",
            "points": 2,
            "options": [
                {"text": "Madrid", "is_correct": True},
                {"text": "Milan", "is_correct": False},
                {"text": "Vienna", "is_correct": True},
            ],
        },
        {
            "text": "Bern is the capital of Switzerland.",
            "kind": "true_false",
            "options": [
                {"text": "True", "is_correct": True},
                {"text": "False", "is_correct": False},
            ],
        },
    ],
}


async def sign_up_and_verify(client: AsyncClient, mailbox: Any) -> dict[str, str]:
    email, username = unique_email(), unique_username()
    signup = await client.post(
        f"{API}/auth/signup",
        json={"email": email, "username": username, "password": DEFAULT_PASSWORD},
    )
    assert signup.status_code == 202, signup.text
    code = extract_code(await mailbox.wait_for(email, timeout=20))
    verified = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    assert verified.status_code == 200, verified.text
    login = await client.post(
        f"{API}/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, login.text
    return bearer(login.json()["access_token"])


async def walk_journey(client: AsyncClient, mailbox: Any) -> dict[str, Any]:
    """Author writes and publishes a quiz; a taker takes it; returns the graded result."""
    author = await sign_up_and_verify(client, mailbox)
    created = await client.post(f"{API}/quizzes", json=QUIZ, headers=author)
    assert created.status_code == 201, created.text
    quiz = created.json()
    assert all(question["id"] for question in quiz["questions"])
    published = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"

    taker = await sign_up_and_verify(client, mailbox)
    taker_view = await client.get(f"{API}/quizzes/{quiz['id']}", headers=taker)
    assert taker_view.status_code == 200, taker_view.text
    assert "is_correct" not in taker_view.text
    assert "explanation" not in taker_view.text

    started = await client.post(f"{API}/quizzes/{quiz['id']}/attempts", headers=taker)
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert attempt["deadline"].endswith("Z")
    assert "is_correct" not in started.text

    # Right on question 1, half-right (so wrong) on question 2, right on question 3.
    by_text = {question["text"]: question for question in attempt["questions"]}
    q1 = by_text["What is the capital of France?"]
    q2 = by_text["Which of these cities are capitals?"]
    q3 = by_text["Bern is the capital of Switzerland."]

    def option_id(question: dict[str, Any], text: str) -> str:
        return next(option["id"] for option in question["options"] if option["text"] == text)

    answered = await client.put(
        f"{API}/attempts/{attempt['id']}/answers/{q1['id']}",
        json={"option_ids": [option_id(q1, "Paris")]},
        headers=taker,
    )
    assert answered.status_code == 200, answered.text
    submitted = await client.post(
        f"{API}/attempts/{attempt['id']}/submit",
        json={
            "answers": [
                {"question_id": q2["id"], "option_ids": [option_id(q2, "Madrid")]},
                {"question_id": q3["id"], "option_ids": [option_id(q3, "True")]},
            ]
        },
        headers=taker,
    )
    assert submitted.status_code == 200, submitted.text
    result = submitted.json()
    assert result["score"] == 2
    assert result["max_score"] == 4
    assert result["percentage"] == 50
    assert result["passed"] is False
    assert result["correct_count"] == 2
    assert result["question_count"] == 3

    history = await client.get(f"{API}/users/me/attempts", headers=taker)
    assert history.status_code == 200, history.text
    assert history.json()["total"] == 1
    assert history.json()["items"][0]["id"] == attempt["id"]

    leaderboard = await client.get(f"{API}/quizzes/{quiz['id']}/leaderboard", headers=author)
    assert leaderboard.status_code == 200, leaderboard.text
    entries = leaderboard.json()["items"]
    assert len(entries) == 1
    assert entries[0]["score"] == 2
    return result
