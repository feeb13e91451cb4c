"""Inputs PostgreSQL cannot store or compare must be a 4xx, never a 500."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.helpers import API, make_account, unique_email

NUL_BODIES = [
    ("/auth/login", {"email": "pg\u0000@example.com", "password": "x"}),
    ("/auth/login", {"username": "pg\u0000user", "password": "x"}),
    ("/auth/signup", {"email": unique_email(), "username": "a\u0000b", "password": "long enough"}),
    (
        "/auth/signup",
        {"email": unique_email(), "username": "valid_name", "password": "pass\u0000word"},
    ),
    ("/auth/password/forgot", {"email": "a\u0000@example.com"}),
    ("/auth/refresh", {"refresh_token": "abc\u0000"}),
]


@pytest.mark.parametrize(("path", "body"), NUL_BODIES)
async def test_nul_in_body_422(client: AsyncClient, path: str, body: dict) -> None:
    response = await client.post(f"{API}{path}", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "NUL" in response.text


async def test_nul_in_token_form_401(client: AsyncClient) -> None:
    response = await client.post(
        f"{API}/auth/token", data={"username": "a\u0000b", "password": "x"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_nul_in_nested_body_422(client: AsyncClient, mailbox) -> None:
    author = await make_account(client, mailbox)
    body = {
        "title": "Fine",
        "questions": [
            {
                "text": "Which?",
                "kind": "single",
                "options": [
                    {"text": "ok", "is_correct": True},
                    {"text": "bad\u0000", "is_correct": False},
                ],
            }
        ],
    }
    response = await client.post(f"{API}/quizzes", json=body, headers=author.headers)
    assert response.status_code == 422


async def test_nul_in_user_search_422(client: AsyncClient, mailbox, session_factory) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    response = await client.get(f"{API}/users", params={"q": "\u0000"}, headers=moderator.headers)
    assert response.status_code == 422
