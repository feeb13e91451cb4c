"""Account creation, look-up and changes; callers own the transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.core.security import hash_password
from brain_battles.core.timeutils import utcnow
from brain_battles.users.errors import EmailTakenError, UsernameTakenError, UserNotFoundError
from brain_battles.users.models import Role, User
from brain_battles.users.normalize import normalize_email, username_key


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so a search for `50%` or `a_b` matches those characters."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFoundError()
    return user


def _unstorable(text: str) -> bool:
    # No stored email or username contains NUL, and PostgreSQL rejects it in a query.
    return "\x00" in text


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    if _unstorable(email):
        return None
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def find_by_login(session: AsyncSession, login: str) -> User | None:
    """Find a user by email or, failing that, by username; both ignore case."""
    login = login.strip()
    if _unstorable(login):
        return None
    if "@" in login:
        return await find_by_email(session, login)
    return await session.scalar(select(User).where(User.username_key == username_key(login)))


async def find_by_username(session: AsyncSession, username: str) -> User | None:
    if _unstorable(username):
        return None
    return await session.scalar(select(User).where(User.username_key == username_key(username)))


async def ensure_username_free(
    session: AsyncSession, username: str, *, except_user_id: uuid.UUID | None = None
) -> None:
    owner = await find_by_username(session, username)
    if owner is not None and owner.id != except_user_id:
        raise UsernameTakenError()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    username: str,
    password: str,
    role: Role = Role.USER,
    verified: bool = False,
) -> User:
    """Create an account; raises on a taken email or username."""
    email = normalize_email(email)
    if await find_by_email(session, email) is not None:
        raise EmailTakenError()
    await ensure_username_free(session, username)
    user = User(
        email=email,
        username=username,
        username_key=username_key(username),
        password_hash=await hash_password(password),
        role=role,
        email_verified=verified,
        verified_at=utcnow() if verified else None,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    return user


async def rename_user(session: AsyncSession, user: User, username: str) -> None:
    await ensure_username_free(session, username, except_user_id=user.id)
    user.username = username
    user.username_key = username_key(username)


async def list_users(
    session: AsyncSession,
    *,
    query: str | None,
    role: Role | None,
    limit: int,
    offset: int,
) -> tuple[list[User], int]:
    statement = select(User)
    if query:
        pattern = f"%{escape_like(query.lower())}%"
        statement = statement.where(
            or_(
                User.email.like(pattern, escape="\\"),
                User.username_key.like(pattern, escape="\\"),
            )
        )
    if role is not None:
        statement = statement.where(User.role == role)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    users = (
        await session.scalars(
            statement.order_by(User.created_at, User.id).limit(limit).offset(offset)
        )
    ).all()
    return list(users), total or 0
