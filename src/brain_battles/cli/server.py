"""The `serve`, `worker` and `migrate` subcommands: run the service and upgrade its schema."""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from brain_battles.cli.common import (
    EXIT_USAGE,
    PACKAGE_DIR,
    SOURCE_ROOT,
    CommandError,
    describe_database,
    find_alembic_ini,
    load_settings,
    summarize_error,
)

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
