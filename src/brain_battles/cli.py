"""The `brain-battles` command: run the API or the worker, migrate, and manage accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib.util
import ipaddress
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.core.config import Settings, get_settings
from brain_battles.core.database import create_engine, create_session_factory, session_scope
from brain_battles.core.timeutils import utcnow
from brain_battles.demo.seed import (
    DEMO_AUTHOR_USERNAME,
    SeedResult,
    load_demo_catalog,
    seed_demo,
)
from brain_battles.users.errors import EmailTakenError, UsernameTakenError
from brain_battles.users.models import Role, User
from brain_battles.users.normalize import USERNAME_PATTERN
from brain_battles.users.service import create_user, find_by_email, find_by_username

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout (and an editable install) the package sits in <root>/src/brain_battles.
SOURCE_ROOT = PACKAGE_DIR.parent.parent

T = TypeVar("T")


class CommandError(Exception):
    """A failure shown to the user as one line on stderr, without a traceback."""

    def __init__(self, message: str, *, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# Shared helpers


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


# serve


def docs_url(host: str, port: int) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}/docs"
    # A wildcard address is where the server listens, not one a browser can open.
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    display_host = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{display_host}:{port}/docs"


def command_serve(args: argparse.Namespace) -> int:
    import uvicorn

    load_settings()
    print(f"Brain Battles API docs: {docs_url(args.host, args.port)}", flush=True)
    uvicorn.run(
        "brain_battles.main:app",
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=[str(PACKAGE_DIR)] if args.reload else None,
    )
    return 0


# worker


def ensure_worker_importable() -> None:
    """Make the top-level `worker` package importable, adding the source root if needed."""
    if importlib.util.find_spec("worker") is not None:
        return
    if (SOURCE_ROOT / "worker" / "main.py").is_file():
        sys.path.insert(0, str(SOURCE_ROOT))
        return
    if (Path.cwd() / "worker" / "main.py").is_file():
        sys.path.insert(0, str(Path.cwd()))
        return
    raise CommandError(
        "the `worker` package was not found. Install the project or run the command from "
        "the repository root."
    )


def command_worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.redis_url:
        raise CommandError(
            "REDIS_URL is not set, and the worker reads its jobs from Redis. Set REDIS_URL "
            "(for example redis://127.0.0.1:6379/0) and run the command again.",
            exit_code=EXIT_USAGE,
        )
    ensure_worker_importable()

    from arq.worker import run_worker

    from brain_battles.core.logging import configure_logging
    from worker.main import WorkerSettings

    configure_logging(settings.log_level)
    run_worker(WorkerSettings)
    return 0


# migrate


def command_migrate(args: argparse.Namespace) -> int:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError as AlembicCommandError

    settings = load_settings()
    config = Config(str(find_alembic_ini()))
    config.attributes["database_url"] = settings.database_url
    database = describe_database(settings.database_url)
    print(f"Migrating {database} to the latest revision...", flush=True)
    try:
        command.upgrade(config, "head")
    except AlembicCommandError as exc:
        raise CommandError(f"migration failed: {exc}") from exc
    except (SQLAlchemyError, OSError) as exc:
        raise CommandError(
            f"migration failed: {summarize_error(exc)}. Check DATABASE_URL."
        ) from exc

    head = ScriptDirectory.from_config(config).get_current_head()
    print(f"Database {database} is at revision {head} (head).")
    return 0


# create-admin


async def find_accounts(
    settings: Settings, *, email: str, username: str
) -> tuple[User | None, User | None]:
    """Return the accounts that have the email and the username, if any."""
    async with open_database(settings) as factory, factory() as session:
        return await find_by_email(session, email), await find_by_username(session, username)


async def insert_admin(settings: Settings, *, email: str, username: str, password: str) -> User:
    async with open_database(settings) as factory, session_scope(factory) as session:
        return await create_user(
            session,
            email=email,
            username=username,
            password=password,
            role=Role.ADMIN,
            verified=True,
        )


async def promote_to_admin(settings: Settings, *, email: str) -> tuple[User, list[str]]:
    """Make the account an active admin with a verified email, and list what changed."""
    async with open_database(settings) as factory, session_scope(factory) as session:
        user = await find_by_email(session, email)
        if user is None:
            raise CommandError(f"the account {email} was deleted while the command ran.")
        changes = []
        if user.role != Role.ADMIN:
            changes.append(f"changed the role from {user.role.value} to admin")
            user.role = Role.ADMIN
        if not user.email_verified:
            changes.append("marked the email verified")
            user.email_verified = True
            user.verified_at = utcnow()
        # A deactivated admin could not log in, which defeats the point of the command.
        if not user.is_active:
            changes.append("reactivated the account")
            user.is_active = True

        return user, changes


def parse_email(email: str) -> str:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise CommandError(f"invalid email {email!r}: {exc}", exit_code=EXIT_USAGE) from exc
    return email.strip()


def parse_username(username: str) -> str:
    if USERNAME_PATTERN.fullmatch(username) is None:
        raise CommandError(
            f"invalid username {username!r}: use 3 to 32 letters, digits, '_', '.' or '-'.",
            exit_code=EXIT_USAGE,
        )
    return username


def report_promotion(user: User, changes: list[str], args: argparse.Namespace) -> None:
    if changes:
        print(f"An account with email {user.email} already exists: {', '.join(changes)}.")
    else:
        print(f"{user.email} is already an active, verified admin; nothing changed.")
    print(f"Admin: {user.username} <{user.email}> (id {user.id}).")
    if args.username.lower() != user.username.lower():
        print(f"The account keeps its username {user.username!r}; --username was not applied.")
    if args.password is not None:
        print("The account keeps its password; --password was not applied.")


def command_create_admin(args: argparse.Namespace) -> int:
    settings = load_settings()
    email = parse_email(args.email)
    username = parse_username(args.username)
    if args.password is not None:
        check_password(args.password)

    email_owner, username_owner = run_database_work(
        find_accounts(settings, email=email, username=username)
    )
    if email_owner is not None:
        user, changes = run_database_work(promote_to_admin(settings, email=email))
        report_promotion(user, changes, args)
        return 0

    # Checked before the password prompt, so the user does not type it twice for nothing.
    if username_owner is not None:
        raise CommandError(f"the username {username!r} is already taken. Choose another.")
    password = args.password if args.password is not None else prompt_password()
    try:
        user = run_database_work(
            insert_admin(settings, email=email, username=username, password=password)
        )
    except (EmailTakenError, UsernameTakenError) as exc:
        raise CommandError(exc.detail) from exc

    print(f"Created admin {user.username} <{user.email}> (id {user.id}), email verified.")
    return 0


# seed-demo


async def run_seed(settings: Settings, *, password: str | None) -> SeedResult:
    catalog = load_demo_catalog()
    async with open_database(settings) as factory, session_scope(factory) as session:
        return await seed_demo(session, catalog=catalog, password=password)


def command_seed_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.password is not None:
        check_password(args.password)
    try:
        result = run_database_work(run_seed(settings, password=args.password))
    except UsernameTakenError as exc:
        raise CommandError(
            f"the demo username {DEMO_AUTHOR_USERNAME!r} is already taken by another account, "
            "so the demo author cannot be created."
        ) from exc

    author = result.author
    if result.new_author_password is not None:
        print(f"Created demo author {author.username} <{author.email}> (id {author.id}).")
        if args.password is None:
            print(f"Password: {result.new_author_password}")
            print("The password is shown only now; store it to log in as the author.")
        else:
            print("Password: the value given with --password.")
    else:
        print(f"Demo author {author.username} <{author.email}> exists; password unchanged.")
    for quiz in result.created_quizzes:
        print(f"Created quiz {quiz.title!r}: {len(quiz.questions)} questions (id {quiz.id}).")
    for title, quiz_id in result.existing_quizzes.items():
        print(f"Quiz {title!r} exists already (id {quiz_id}); left unchanged.")
    print(
        f"{len(result.created_quizzes)} quizzes created, "
        f"{len(result.existing_quizzes)} already present."
    )
    return 0


# Argument parsing


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: not a number") from exc
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: must be 1 to 65535")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brain-battles",
        description="Run and administer the Brain Battles quiz service. Settings come from "
        "environment variables and from .env in the current directory.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_parser = commands.add_parser("serve", help="run the API with uvicorn")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_parser.add_argument(
        "--port", type=port_number, default=8000, help="TCP port to listen on"
    )
    serve_parser.add_argument("--reload", action="store_true", help="restart when the code changes")
    serve_parser.set_defaults(handler=command_serve)

    worker_parser = commands.add_parser(
        "worker", help="run the arq background worker (needs REDIS_URL)"
    )
    worker_parser.set_defaults(handler=command_worker)

    migrate_parser = commands.add_parser(
        "migrate", help="upgrade the database schema to the latest"
    )
    migrate_parser.set_defaults(handler=command_migrate)

    create_admin_parser = commands.add_parser(
        "create-admin",
        help="create a verified admin, or promote the account that has the email",
        description="Create a verified admin account. If an account with the email exists, "
        "it is made a verified, active admin instead and keeps its username and password.",
    )
    create_admin_parser.add_argument("--email", required=True, help="email address of the admin")
    create_admin_parser.add_argument("--username", required=True, help="username of a new account")
    create_admin_parser.add_argument(
        "--password",
        help="password of a new account, 8 to 128 characters. Prompted for when omitted. "
        "A value given here may stay in the shell history.",
    )
    create_admin_parser.set_defaults(handler=command_create_admin)

    seed_demo_parser = commands.add_parser(
        "seed-demo",
        help="create a demo author and published quizzes (a second run adds only what is missing)",
    )
    seed_demo_parser.add_argument(
        "--password",
        help="password for the demo author when it is created (default: a random one, "
        "printed once)",
    )
    seed_demo_parser.set_defaults(handler=command_seed_demo)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CommandError as exc:
        print(f"brain-battles {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"brain-battles {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
