"""The argument parser of the `brain-battles` command and its subcommands."""

from __future__ import annotations

import argparse

from brain_battles.cli.accounts import command_create_admin
from brain_battles.cli.demo import command_seed_demo
from brain_battles.cli.server import command_migrate, command_serve, command_worker


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
