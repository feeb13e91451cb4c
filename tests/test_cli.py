"""The `brain-battles` command, run as a subprocess against a temporary SQLite file."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from brain_battles import cli
from brain_battles.demo.seed import DEMO_AUTHOR_EMAIL, load_demo_catalog
from brain_battles.quizzes.models import QuestionKind

ADMIN_PASSWORD = "correct horse battery"

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def run_command(database_file: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m brain_battles.cli` with only a SQLite DATABASE_URL configured."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "ENVIRONMENT", "SECRET_KEY", "MAIL_BACKEND"}
    }
    environment["DATABASE_URL"] = f"sqlite+aiosqlite:///{database_file}"
    # The database's folder as working directory keeps a developer's .env out of the run.
    return subprocess.run(
        [sys.executable, "-m", "brain_battles.cli", *arguments],
        cwd=database_file.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def run_cli(database_file: Path) -> RunCli:
    return functools.partial(run_command, database_file)


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database file migrated once, for tests to copy instead of migrating again."""
    template = tmp_path_factory.mktemp("migrated") / "template.db"
    result = run_command(template, "migrate")
    assert result.returncode == 0, result.stderr
    return template


@pytest.fixture
def migrated(migrated_template: Path, database_file: Path) -> None:
    shutil.copyfile(migrated_template, database_file)


def query(database_file: Path, sql: str, *parameters: object) -> list[tuple]:
    with sqlite3.connect(database_file) as connection:
        return connection.execute(sql, parameters).fetchall()


def table_counts(database_file: Path) -> dict[str, int]:
    tables = ["users", "quizzes", "quiz_tags", "questions", "options"]
    return {table: query(database_file, f"SELECT count(*) FROM {table}")[0][0] for table in tables}


def test_migrate_creates_schema(run_cli: RunCli, database_file: Path) -> None:
    first = run_cli("migrate")
    second = run_cli("migrate")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    tables = {row[0] for row in query(database_file, "SELECT name FROM sqlite_master")}
    assert {"users", "quizzes", "questions", "options", "alembic_version"} <= tables
    assert "(head)" in second.stdout


@pytest.mark.usefixtures("migrated")
def test_create_admin_creates_verified_admin(run_cli: RunCli, database_file: Path) -> None:
    result = run_cli(
        "create-admin",
        "--email",
        "Root@Example.com",
        "--username",
        "root",
        "--password",
        ADMIN_PASSWORD,
    )

    assert result.returncode == 0, result.stderr
    assert "Created admin root" in result.stdout
    rows = query(
        database_file, "SELECT email, username, role, email_verified, is_active FROM users"
    )
    assert rows == [("root@example.com", "root", "admin", 1, 1)]


@pytest.mark.usefixtures("migrated")
def test_create_admin_promotes_existing_email(run_cli: RunCli, database_file: Path) -> None:
    seeded = run_cli("seed-demo", "--password", "demo password")
    assert seeded.returncode == 0, seeded.stderr
    hash_before = query(database_file, "SELECT password_hash FROM users")[0][0]

    result = run_cli(
        "create-admin",
        "--email",
        DEMO_AUTHOR_EMAIL.upper(),
        "--username",
        "someone_else",
        "--password",
        ADMIN_PASSWORD,
    )

    assert result.returncode == 0, result.stderr
    assert "from user to admin" in result.stdout
    assert "keeps its username 'quizmaster'" in result.stdout
    rows = query(database_file, "SELECT username, role, email_verified, password_hash FROM users")
    assert rows == [("quizmaster", "admin", 1, hash_before)]


@pytest.mark.usefixtures("migrated")
def test_create_admin_rejects_taken_username(run_cli: RunCli, database_file: Path) -> None:
    first = run_cli(
        "create-admin",
        "--email",
        "one@example.com",
        "--username",
        "Chief",
        "--password",
        ADMIN_PASSWORD,
    )
    assert first.returncode == 0, first.stderr

    second = run_cli(
        "create-admin",
        "--email",
        "two@example.com",
        "--username",
        "chief",
        "--password",
        ADMIN_PASSWORD,
    )

    assert second.returncode == 1
    assert "username 'chief' is already taken" in second.stderr
    assert query(database_file, "SELECT count(*) FROM users") == [(1,)]


@pytest.mark.usefixtures("migrated")
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--email", "a@example.com", "--username", "abc", "--password", "short"], "8 to 128"),
        (["--email", "a@example.com", "--username", "abc", "--password", "x" * 129], "8 to 128"),
        (["--email", "not-an-email", "--username", "abc", "--password", ADMIN_PASSWORD], "email"),
        (
            ["--email", "a@example.com", "--username", "a b", "--password", ADMIN_PASSWORD],
            "username",
        ),
    ],
)
def test_create_admin_rejects_invalid_input(
    run_cli: RunCli, database_file: Path, arguments: list[str], message: str
) -> None:
    result = run_cli("create-admin", *arguments)

    assert result.returncode == 2
    assert message in result.stderr
    assert query(database_file, "SELECT count(*) FROM users") == [(0,)]


@pytest.mark.usefixtures("migrated")
def test_seed_demo_twice_adds_nothing(run_cli: RunCli, database_file: Path) -> None:
    catalog = load_demo_catalog()

    first = run_cli("seed-demo")
    counts_after_first = table_counts(database_file)
    second = run_cli("seed-demo")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Password: " in first.stdout
    assert "Password: " not in second.stdout
    assert f"{len(catalog.quizzes)} quizzes created" in first.stdout
    assert f"0 quizzes created, {len(catalog.quizzes)} already present" in second.stdout
    assert table_counts(database_file) == counts_after_first
    assert counts_after_first["users"] == 1
    assert counts_after_first["quizzes"] == len(catalog.quizzes)


@pytest.mark.usefixtures("migrated")
def test_seed_demo_publishes_public_quizzes(run_cli: RunCli, database_file: Path) -> None:
    result = run_cli("seed-demo")
    assert result.returncode == 0, result.stderr

    quizzes = query(
        database_file, "SELECT id, status, visibility, published_at IS NOT NULL FROM quizzes"
    )
    assert len(quizzes) >= 3
    for quiz_id, status, visibility, has_published_at in quizzes:
        assert (status, visibility, has_published_at) == ("published", "public", 1)
        positions = query(
            database_file,
            "SELECT position FROM questions WHERE quiz_id = ? ORDER BY position",
            quiz_id,
        )
        assert [row[0] for row in positions] == list(range(len(positions)))
        assert 5 <= len(positions) <= 8
        tags = query(database_file, "SELECT tag FROM quiz_tags WHERE quiz_id = ?", quiz_id)
        assert tags


@pytest.mark.usefixtures("migrated")
def test_seed_demo_options_follow_rules(run_cli: RunCli, database_file: Path) -> None:
    result = run_cli("seed-demo")
    assert result.returncode == 0, result.stderr

    questions = query(database_file, "SELECT id, kind, text FROM questions")
    kinds = {kind for _, kind, _ in questions}
    assert kinds == {"single", "multiple", "true_false"}
    for question_id, kind, text in questions:
        options = query(
            database_file,
            "SELECT text, is_correct, position FROM options WHERE question_id = ? "
            "ORDER BY position",
            question_id,
        )
        correct_count = sum(is_correct for _, is_correct, _ in options)
        assert [position for _, _, position in options] == list(range(len(options))), text
        assert 2 <= len(options) <= 10, text
        if kind == "multiple":
            assert correct_count >= 1, text
        else:
            assert correct_count == 1, text
        if kind == "true_false":
            assert [option_text for option_text, _, _ in options] == ["True", "False"], text


def test_demo_catalog_mixes_question_kinds() -> None:
    catalog = load_demo_catalog()

    assert len(catalog.quizzes) >= 3
    for quiz in catalog.quizzes:
        kinds = {question.kind for question in quiz.questions}
        assert kinds == set(QuestionKind), quiz.title
        assert quiz.tags, quiz.title
        assert all(question.explanation for question in quiz.questions), quiz.title


def test_seed_demo_needs_migrated_database(run_cli: RunCli) -> None:
    result = run_cli("seed-demo")

    assert result.returncode == 1
    assert "brain-battles migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_without_redis_url_exits(run_cli: RunCli) -> None:
    result = run_cli("worker")

    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr


def test_prompt_password_asks_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([ADMIN_PASSWORD, ADMIN_PASSWORD])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))

    assert cli.prompt_password() == ADMIN_PASSWORD


def test_prompt_password_rejects_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([ADMIN_PASSWORD, ADMIN_PASSWORD + "!"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))

    with pytest.raises(cli.CommandError, match="differ"):
        cli.prompt_password()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/docs"),
        ("0.0.0.0", "http://127.0.0.1:8000/docs"),
        ("::", "http://[::1]:8000/docs"),
        ("localhost", "http://localhost:8000/docs"),
    ],
)
def test_docs_url_uses_browsable_host(host: str, url: str) -> None:
    assert cli.docs_url(host, 8000) == url
