"""Request and response bodies for sign-up, login and sessions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from brain_battles.users.schemas import EmailAddress, Password, StrictModel, Username

OtpCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6-digit emailed code.")]
OtpPurpose = Literal["verify_email", "reset_password"]


class SignupRequest(StrictModel):
    email: EmailAddress
    username: Username
    password: Password


class VerifyEmailRequest(StrictModel):
    email: EmailAddress
    code: OtpCode


class ResendCodeRequest(StrictModel):
    email: EmailAddress
    purpose: OtpPurpose


class LoginRequest(StrictModel):
    email: Annotated[
        str | None, Field(max_length=320, description="Email address or username.")
    ] = None
    username: Annotated[str | None, Field(max_length=320, description="Same as `email`.")] = None
    password: Annotated[str, Field(min_length=1, max_length=128)]

    @model_validator(mode="after")
    def _require_login(self) -> LoginRequest:
        if not (self.email or self.username):
            raise ValueError("give `email` (an email address or a username)")
        return self

    @property
    def login(self) -> str:
        return self.email or self.username or ""


class RefreshRequest(StrictModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class LogoutRequest(StrictModel):
    refresh_token: Annotated[str | None, Field(max_length=4096)] = None


class ForgotPasswordRequest(StrictModel):
    email: EmailAddress


class ResetPasswordRequest(StrictModel):
    email: EmailAddress
    code: OtpCode
    new_password: Password


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Access token lifetime in seconds.")


class Accepted(BaseModel):
    detail: str


__all__ = ["Username"]
