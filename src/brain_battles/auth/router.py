"""`/auth`: sign-up with an emailed code, login, token refresh and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from brain_battles.auth import service, sessions
from brain_battles.auth.dependencies import PrincipalDep
from brain_battles.auth.schemas import (
    Accepted,
    ForgotPasswordRequest,
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    ResendCodeRequest,
    ResetPasswordRequest,
    SignupRequest,
    TokenPair,
    VerifyEmailRequest,
)
from brain_battles.core.dependencies import RateLimiterDep, SessionDep, SettingsDep

router = APIRouter(prefix="/auth", tags=["auth"])

CODE_SENT = "If the address can receive one, an email with a code is on its way."

RATE_LIMITED = {429: {"description": "Too many requests; see `Retry-After`"}}
BAD_CODE = {400: {"description": "The code is wrong, expired or used (`invalid_code`)"}}
LOGIN_ERRORS = {
    401: {"description": "Wrong email or password (`invalid_credentials`)"},
    403: {"description": "`email_not_verified` or `account_disabled`"},
    **RATE_LIMITED,
}


@router.post(
    "/signup",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses={409: {"description": "Username taken (`username_taken`)"}, **RATE_LIMITED},
)
async def signup(
    body: SignupRequest, session: SessionDep, settings: SettingsDep, limiter: RateLimiterDep
) -> Accepted:
    """Create an unverified account and email it a 6-digit verification code."""
    await service.signup(session, settings, limiter, body)
    return Accepted(detail=CODE_SENT)


@router.post("/verify-email", response_model=TokenPair, responses={**BAD_CODE, **RATE_LIMITED})
async def verify_email(
    body: VerifyEmailRequest, session: SessionDep, settings: SettingsDep, limiter: RateLimiterDep
) -> TokenPair:
    """Verify the email address with its code and log the user in."""
    return await service.verify_email(session, settings, limiter, email=body.email, code=body.code)


@router.post(
    "/otp/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=RATE_LIMITED,
)
async def resend_code(
    body: ResendCodeRequest, session: SessionDep, settings: SettingsDep, limiter: RateLimiterDep
) -> Accepted:
    """Email a new code, voiding the previous one; at most one per minute per address."""
    await service.resend_code(session, settings, limiter, email=body.email, purpose=body.purpose)
    return Accepted(detail=CODE_SENT)


@router.post(
    "/login",
    response_model=TokenPair,
    responses=LOGIN_ERRORS,
)
async def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, limiter: RateLimiterDep
) -> TokenPair:
    """Log in with an email address (or username) and password."""
    return await service.login(session, settings, limiter, login=body.login, password=body.password)


@router.post(
    "/token",
    response_model=TokenPair,
    responses=LOGIN_ERRORS,
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> TokenPair:
    """Log in with the OAuth2 password form; `username` takes an email address or username."""
    return await service.login(
        session, settings, limiter, login=form.username, password=form.password
    )


@router.post(
    "/refresh",
    response_model=TokenPair,
    responses={401: {"description": "Invalid, expired or reused (`invalid_refresh_token`)"}},
)
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    return await sessions.rotate_refresh_token(session, settings, body.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def logout(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[LogoutRequest | None, Body()] = None,
) -> None:
    """End the current session: its access and refresh tokens stop working at once."""
    await sessions.revoke_session(session, principal.session_id, reason="logout")
    if body is not None and body.refresh_token:
        other = sessions.session_id_of_refresh_token(settings, body.refresh_token)
        if other is not None and other != principal.session_id:
            await sessions.revoke_session_of_user(
                session, other, user_id=principal.user.id, reason="logout"
            )


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def logout_all(principal: PrincipalDep, session: SessionDep) -> None:
    """End every session of the user."""
    await sessions.revoke_user_sessions(session, principal.user.id, reason="logout_all")


@router.post("/password/forgot", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
async def forgot_password(
    body: ForgotPasswordRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> Accepted:
    """Email a password reset code; the response is the same for unknown addresses."""
    await service.forgot_password(session, settings, limiter, email=body.email)
    return Accepted(detail=CODE_SENT)


@router.post(
    "/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**BAD_CODE, **RATE_LIMITED},
)
async def reset_password(
    body: ResetPasswordRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> None:
    """Set a new password with an emailed code; every session ends."""
    await service.reset_password(
        session,
        settings,
        limiter,
        email=body.email,
        code=body.code,
        new_password=body.new_password,
    )
