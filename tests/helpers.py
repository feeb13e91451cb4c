"""Small builders that tests share: accounts made through the public API."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.users.models import Role, User

API = "/api/v1"
DEFAULT_PASSWORD = "correct horse battery"
CODE_PATTERN = re.compile(r"\b(\d{6})\b")


@dataclass
class Account:
    id: str
    email: str
    username: str
    password: str
    access_token: str
    refresh_token: str
    headers: dict[str, str] = field(default_factory=dict)


def email_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the email has no plain-text part"
    return part.get_content()


def extract_code(message: EmailMessage) -> str:
    match = CODE_PATTERN.search(email_text(message))
    assert match, "no 6-digit code in the email"
    return match.group(1)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def unique_username(prefix: str = "user") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signup(
    client: AsyncClient,
    *,
    email: str | None = None,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> tuple[str, str]:
    email = email or unique_email()
    username = username or unique_username()
    response = await client.post(
        f"{API}/auth/signup", json={"email": email, "username": username, "password": password}
    )
    assert response.status_code == 202, response.text
    return email, username


async def make_account(
    client: AsyncClient,
    mailbox: Any,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    *,
    role: str = "user",
    email: str | None = None,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
) -> Account:
    """Sign up through the API, verify with the emailed code, and return a logged-in account."""
    email, username = await signup(client, email=email, username=username, password=password)
    code = extract_code(await mailbox.wait_for(email))
    response = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    assert response.status_code == 200, response.text
    tokens = response.json()
    headers = bearer(tokens["access_token"])
    me = await client.get(f"{API}/users/me", headers=headers)
    assert me.status_code == 200, me.text
    user_id = me.json()["id"]
    if role != "user":
        assert session_factory is not None, "a role other than user needs session_factory"
        async with session_factory() as session:
            await session.execute(
                update(User).where(User.id == uuid.UUID(user_id)).values(role=Role(role))
            )
            await session.commit()
    return Account(
        id=user_id,
        email=email,
        username=username,
        password=password,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        headers=headers,
    )


async def clear_email_limit(app: Any, email: str) -> None:
    """Forget the one-email-a-minute limit of an address, so a test need not wait it out."""
    limiter = app.state.services.rate_limiter
    await limiter._redis.delete(f"{limiter._prefix}:ratelimit:code-email:{email}")
