"""Helpers that the `brain-battles` subcommands share: errors, exit codes, settings and database."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.core.config import Settings, get_settings
from brain_battles.core.database import create_engine, create_session_factory

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

# The brain_battles package, the parent of this cli package.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
# In a source checkout (and an editable install) the package sits in <root>/src/brain_battles.
SOURCE_ROOT = PACKAGE_DIR.parent.parent

T = TypeVar("T")


class CommandError(Exception):
    """A failure shown to the user as one line on stderr, without a traceback."""

    def __init__(self, message: str, *, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            variable = "_".join(str(part) for part in error["loc"]).upper()
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{variable}: {message}" if variable else message)
        raise CommandError(
            "invalid configuration: " + "; ".join(problems), exit_code=EXIT_USAGE
        ) from exc


def describe_database(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError as exc:
        raise CommandError(f"invalid DATABASE_URL: {exc}", exit_code=EXIT_USAGE) from exc


def summarize_error(exc: BaseException) -> str:
    # SQLAlchemy appends the SQL statement and a documentation link on later lines.
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def run_database_work(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run the coroutine and turn a database failure into a one-line CommandError."""
    try:
        return asyncio.run(coroutine)
    except (SQLAlchemyError, OSError) as exc:
        raise CommandError(
            f"database operation failed: {summarize_error(exc)}. Check DATABASE_URL, and run "
            "`brain-battles migrate` if the tables do not exist yet."
        ) from exc


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


def find_alembic_ini() -> Path:
    """Find alembic.ini in the source checkout the package runs from, else in the current folder."""
    candidates = [Path.cwd() / "alembic.ini"]
    if PACKAGE_DIR.parent.name == "src":
        candidates.insert(0, SOURCE_ROOT / "alembic.ini")
    for candidate in dict.fromkeys(candidates):
        if candidate.is_file():
            return candidate
    raise CommandError(
        f"alembic.ini not found in {Path.cwd()}. Run the command from the repository root, "
        "the folder that contains alembic.ini and alembic/ (/app in the container image)."
    )


def check_password(password: str) -> str:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise CommandError(
            f"invalid password: it has {len(password)} characters, and it must have "
            f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH}.",
            exit_code=EXIT_USAGE,
        )
    return password


def prompt_password() -> str:
    try:
        password = getpass.getpass(
            f"Password ({PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters): "
        )
        repeated = getpass.getpass("Repeat the password: ")
    except EOFError as exc:
        raise CommandError(
            "no password was entered. Pass --password or run the command in a terminal.",
            exit_code=EXIT_USAGE,
        ) from exc
    if password != repeated:
        raise CommandError(
            "the two passwords differ, so nothing was changed.", exit_code=EXIT_USAGE
        )

    return check_password(password)
