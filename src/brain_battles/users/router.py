"""`/users`: the caller's own account, and account management for staff."""

from __future__ import annotations

import uuid
from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Response, status

from brain_battles.auth import sessions
from brain_battles.auth.dependencies import AdminUser, CurrentUser, PrincipalDep, StaffUser
from brain_battles.auth.service import check_current_password, set_password
from brain_battles.core.dependencies import RateLimiterDep, SessionDep
from brain_battles.core.errors import ConflictError
from brain_battles.core.pagination import Page, PageParamsDep
from brain_battles.users import service
from brain_battles.users.models import Role
from brain_battles.users.schemas import (
    AccountDeletion,
    PasswordChange,
    UserAdminUpdate,
    UserCreate,
    UserRead,
    UserSelfUpdate,
)

router = APIRouter(prefix="/users", tags=["users"])

FORBIDDEN = {403: {"description": "Your role does not allow this"}}
NOT_FOUND = {404: {"description": "No such user (`user_not_found`)"}}
WRONG_PASSWORD = {
    400: {"description": "The password is incorrect (`invalid_password`)"},
    429: {"description": "Too many wrong passwords; see `Retry-After`"},
}
logger = structlog.get_logger(__name__)


class SelfModificationError(ConflictError):
    code = "self_modification"
    title = "Cannot change own account this way"
    detail = (
        "Admins cannot change their own role or active state, or delete themselves here; "
        "ask another admin, or use DELETE /users/me."
    )


@router.get("/me", response_model=UserRead)
async def read_me(user: CurrentUser) -> UserRead:
    """Return the caller's account."""
    return UserRead.model_validate(user)


@router.patch(
    "/me",
    response_model=UserRead,
    responses={409: {"description": "Username taken (`username_taken`)"}},
)
async def update_me(body: UserSelfUpdate, user: CurrentUser, session: SessionDep) -> UserRead:
    """Change the caller's username; other fields are rejected."""
    if body.username is not None:
        await service.rename_user(session, user, body.username)
    await session.flush()
    await session.refresh(user)
    return UserRead.model_validate(user)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=WRONG_PASSWORD,
)
async def change_password(
    body: PasswordChange, principal: PrincipalDep, session: SessionDep, limiter: RateLimiterDep
) -> None:
    """Change the password; the caller's other sessions end."""
    user = principal.user
    await check_current_password(limiter, user, body.current_password)
    await set_password(
        session,
        user,
        body.new_password,
        reason="password_change",
        keep_session_id=principal.session_id,
    )


@router.delete(
    "/me", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=WRONG_PASSWORD
)
async def delete_me(
    body: AccountDeletion, user: CurrentUser, session: SessionDep, limiter: RateLimiterDep
) -> None:
    """Delete the caller's account and everything it owns, after checking the password."""
    await check_current_password(limiter, user, body.password)
    logger.info("users.deleted_self", user_id=str(user.id))
    await session.delete(user)


@router.get("", response_model=Page[UserRead], responses=FORBIDDEN)
async def list_users(
    _: StaffUser,
    session: SessionDep,
    page: PageParamsDep,
    q: Annotated[
        str | None,
        Query(max_length=320, pattern=r"^[^\x00]*$", description="Email or username part."),
    ] = None,
    role: Role | None = None,
) -> Page[UserRead]:
    """List accounts, filtered by an email or username substring and by role."""
    users, total = await service.list_users(
        session, query=q, role=role, limit=page.limit, offset=page.offset
    )
    return Page[UserRead](
        items=[UserRead.model_validate(user) for user in users],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses={
        **FORBIDDEN,
        409: {"description": "`email_taken` or `username_taken`"},
    },
)
async def create_user(body: UserCreate, admin: AdminUser, session: SessionDep) -> UserRead:
    """Create a verified account with the given role."""
    user = await service.create_user(
        session,
        email=body.email,
        username=body.username,
        password=body.password,
        role=body.role,
        verified=True,
    )
    logger.info("users.created_by_admin", user_id=str(user.id), admin_id=str(admin.id))
    return UserRead.model_validate(user)


@router.get("/{user_id}", response_model=UserRead, responses={**FORBIDDEN, **NOT_FOUND})
async def read_user(user_id: uuid.UUID, _: StaffUser, session: SessionDep) -> UserRead:
    """Return one account."""
    return UserRead.model_validate(await service.get_user(session, user_id))


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    responses={
        **FORBIDDEN,
        **NOT_FOUND,
        409: {"description": "`username_taken` or `self_modification`"},
    },
)
async def update_user(
    user_id: uuid.UUID, body: UserAdminUpdate, admin: AdminUser, session: SessionDep
) -> UserRead:
    """Change a username, role or active state; deactivating ends the user's sessions."""
    user = await service.get_user(session, user_id)
    changes = body.model_dump(exclude_unset=True)
    if user.id == admin.id and (
        ("role" in changes and changes["role"] != user.role)
        or ("is_active" in changes and changes["is_active"] is False)
    ):
        raise SelfModificationError()
    if changes.get("username") is not None:
        await service.rename_user(session, user, changes["username"])
    if changes.get("role") is not None:
        user.role = changes["role"]
    if changes.get("is_active") is not None:
        user.is_active = changes["is_active"]
        if not user.is_active:
            await sessions.revoke_user_sessions(session, user.id, reason="deactivated")
    logger.info(
        "users.updated_by_admin",
        user_id=str(user.id),
        admin_id=str(admin.id),
        fields=sorted(changes),
    )
    await session.flush()
    await session.refresh(user)
    return UserRead.model_validate(user)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**FORBIDDEN, **NOT_FOUND, 409: {"description": "`self_modification`"}},
)
async def delete_user(user_id: uuid.UUID, admin: AdminUser, session: SessionDep) -> None:
    """Delete an account and everything it owns."""
    user = await service.get_user(session, user_id)
    if user.id == admin.id:
        raise SelfModificationError()
    logger.info("users.deleted_by_admin", user_id=str(user.id), admin_id=str(admin.id))
    await session.delete(user)
