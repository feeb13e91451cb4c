"""Service configuration, read from the environment and from `.env`."""

from __future__ import annotations

from email.utils import parseaddr
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me-in-production"
MIN_PRODUCTION_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    database_url: str = "sqlite+aiosqlite:///./brain_battles.db"
    redis_url: str | None = None

    mail_backend: Literal["console", "smtp"] = "console"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    mail_from: str = "Brain Battles <no-reply@brain-battles.local>"

    public_base_url: str = "http://127.0.0.1:8000"
    frontend_base_url: str | None = None
    cors_origins: str = ""

    access_token_ttl_seconds: int = Field(default=1800, ge=60)
    refresh_token_ttl_seconds: int = Field(default=604800, ge=60)
    otp_ttl_seconds: int = Field(default=600, ge=60)
    quiz_retention_days: int | None = Field(default=None, ge=1)

    # Not part of the public contract: they let a test run share a Redis server with others.
    job_queue_name: str = "arq:queue"
    redis_key_prefix: str = "brain-battles"
    log_level: str = "INFO"

    @field_validator("redis_url", "frontend_base_url", mode="before")
    @classmethod
    def _empty_as_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("quiz_retention_days", mode="before")
    @classmethod
    def _empty_retention_as_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("secret_key", mode="before")
    @classmethod
    def _empty_secret_as_default(cls, value: object) -> object:
        # `SECRET_KEY=` in a copied .env means "not set", not "sign tokens with no key".
        return DEVELOPMENT_SECRET_KEY if value in ("", None) else value

    @model_validator(mode="after")
    def _check_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at PostgreSQL, not SQLite")
        if not self.redis_url:
            problems.append("REDIS_URL must be set")
        if self.mail_backend == "console":
            problems.append("MAIL_BACKEND must be smtp")
        if (
            self.secret_key == DEVELOPMENT_SECRET_KEY
            or len(self.secret_key) < MIN_PRODUCTION_SECRET_LENGTH
        ):
            problems.append(
                f"SECRET_KEY must be a random value of at least "
                f"{MIN_PRODUCTION_SECRET_LENGTH} characters"
            )
        if problems:
            raise ValueError("invalid production configuration: " + "; ".join(problems))
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def mail_sender(self) -> tuple[str, str]:
        """The sender as (display name, address), parsed from `MAIL_FROM`."""
        name, address = parseaddr(self.mail_from)
        return name, address or self.mail_from

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
