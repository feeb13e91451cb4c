"""The `create-admin` subcommand: create a verified admin, or promote an existing account."""

from __future__ import annotations

import argparse

from email_validator import EmailNotValidError, validate_email

from brain_battles.cli.common import (
    EXIT_USAGE,
    CommandError,
    check_password,
    load_settings,
    open_database,
    prompt_password,
    run_database_work,
)
from brain_battles.core.config import Settings
from brain_battles.core.database import session_scope
from brain_battles.core.timeutils import utcnow
from brain_battles.users.errors import EmailTakenError, UsernameTakenError
from brain_battles.users.models import Role, User
from brain_battles.users.normalize import USERNAME_PATTERN
from brain_battles.users.service import create_user, find_by_email, find_by_username


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
