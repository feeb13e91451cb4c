"""The `seed-demo` subcommand: create a demo author and its published quizzes."""

from __future__ import annotations

import argparse

from brain_battles.cli.common import (
    CommandError,
    check_password,
    load_settings,
    open_database,
    run_database_work,
)
from brain_battles.core.config import Settings
from brain_battles.core.database import session_scope
from brain_battles.demo.seed import (
    DEMO_AUTHOR_USERNAME,
    SeedResult,
    load_demo_catalog,
    seed_demo,
)
from brain_battles.users.errors import UsernameTakenError


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
