import asyncio

import pytest
from arq import Retry

from brain_battles.core.config import Settings
from brain_battles.mail.jobs import send_email
from brain_battles.mail.service import SUBJECTS, Mailer, render_email
from tests.helpers import API, email_text, extract_code, make_account, unique_email, unique_username
from tests.smtp_capture import free_port

CONTEXTS = {
    "verify_email": {"username": "ada", "code": "123456", "ttl_minutes": 10},
    "reset_password": {"username": "ada", "code": "654321", "ttl_minutes": 10},
    "signup_attempt": {"username": "ada"},
    "password_changed": {"username": "ada"},
    "quiz_invitation": {
        "inviter": "grace",
        "quiz_title": "<script>alert(1)</script>",
        "link": "http://127.0.0.1:8000/api/v1/invitations/abc/accept",
        "expires_at": "2026-12-31T00:00:00Z",
    },
}


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_every_template_renders(template: str) -> None:
    email = render_email(template, "ada@example.com", CONTEXTS[template])
    assert email.subject == SUBJECTS[template]
    assert email.html.startswith("<!doctype html>")
    assert email.text.strip()


def test_html_escapes_values() -> None:
    email = render_email("quiz_invitation", "ada@example.com", CONTEXTS["quiz_invitation"])
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "<script>" in email.text


def test_unknown_template_rejected() -> None:
    with pytest.raises(ValueError, match="unknown email template"):
        render_email("nope", "ada@example.com", {})


async def test_unreachable_smtp_retries() -> None:
    settings = Settings(
        _env_file=None, mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=free_port()
    )
    ctx = {"mailer": Mailer(settings), "job_try": 2, "job_id": "test"}
    with pytest.raises(Retry) as raised:
        await send_email(
            ctx, to="ada@example.com", template="password_changed", context={"username": "ada"}
        )
    # The second try waits 5 s x 2 x 2 before the third.
    assert raised.value.defer_score == 20_000


async def test_worker_retries_failed_delivery(client, mailbox, app) -> None:
    account = await make_account(client, mailbox)
    mailbox.fail_next = 1
    response = await client.post(
        f"{API}/users/me/password",
        json={"current_password": account.password, "new_password": "another secret"},
        headers=account.headers,
    )
    assert response.status_code == 204
    # The first delivery gets 451; arq runs the job again after the 5 s back-off.
    notice = await mailbox.wait_for(account.email, timeout=30)
    assert "password was changed" in notice["Subject"]
    assert mailbox.fail_next == 0
    assert len(mailbox.to(account.email)) == 2  # the verification code, then this notice
    assert "changed" in email_text(notice)


async def test_logs_never_contain_code(client, mailbox, caplog) -> None:
    caplog.set_level("DEBUG")
    account_email = unique_email()
    await client.post(
        f"{API}/auth/signup",
        json={"email": account_email, "username": unique_username(), "password": "long enough"},
    )
    code = extract_code(await mailbox.wait_for(account_email))
    await asyncio.sleep(0.2)  # let the worker write its "job finished" line
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "send_email" in logged
    assert code not in logged
