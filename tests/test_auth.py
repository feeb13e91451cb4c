import asyncio
import base64
import json
import uuid

from httpx import AsyncClient
from sqlalchemy import select, update

from brain_battles.auth.models import OneTimeCode
from brain_battles.users.models import User
from tests.helpers import (
    API,
    DEFAULT_PASSWORD,
    bearer,
    clear_email_limit,
    email_text,
    extract_code,
    make_account,
    signup,
    unique_email,
    unique_username,
)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_signup_verify_login(client: AsyncClient, mailbox) -> None:
    email, username = await signup(client)
    message = await mailbox.wait_for(email)
    assert "verification code" in message["Subject"]
    assert message.get_body(preferencelist=("html",)) is not None
    code = extract_code(message)

    login_before = await client.post(
        f"{API}/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert login_before.status_code == 403
    assert login_before.json()["code"] == "email_not_verified"

    verified = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    assert verified.status_code == 200
    pair = verified.json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 1800

    me = await client.get(f"{API}/users/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json()["email_verified"] is True
    assert me.json()["username"] == username
    assert me.json()["created_at"].endswith("Z")

    by_username = await client.post(
        f"{API}/auth/login", json={"email": username.upper(), "password": DEFAULT_PASSWORD}
    )
    assert by_username.status_code == 200


async def test_code_is_single_use(client: AsyncClient, mailbox) -> None:
    email, _ = await signup(client)
    code = extract_code(await mailbox.wait_for(email))
    first = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    assert first.status_code == 200
    second = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    assert second.status_code == 400
    assert second.json()["code"] == "invalid_code"


async def test_code_stored_hashed(client: AsyncClient, mailbox, session_factory) -> None:
    email, _ = await signup(client)
    code = extract_code(await mailbox.wait_for(email))
    async with session_factory() as session:
        stored = (await session.scalars(select(OneTimeCode.code_hash))).all()
    assert stored
    assert all(code not in value for value in stored)


async def test_code_void_after_five_wrong(client: AsyncClient, mailbox) -> None:
    email, _ = await signup(client)
    code = extract_code(await mailbox.wait_for(email))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = await client.post(
            f"{API}/auth/verify-email", json={"email": email, "code": wrong}
        )
        assert response.status_code == 400
    right = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    assert right.status_code == 400
    assert right.json()["code"] == "invalid_code"


async def test_resend_rate_limited(client: AsyncClient, mailbox) -> None:
    email, _ = await signup(client)
    await mailbox.wait_for(email)
    limited = await client.post(
        f"{API}/auth/otp/resend", json={"email": email, "purpose": "verify_email"}
    )
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["code"] == "rate_limited"


async def test_resend_new_code_works(client: AsyncClient, mailbox, app) -> None:
    email = unique_email()
    await signup(client, email=email)
    first = extract_code(await mailbox.wait_for(email))
    await clear_email_limit(app, email)
    resent = await client.post(
        f"{API}/auth/otp/resend", json={"email": email, "purpose": "verify_email"}
    )
    assert resent.status_code == 202
    second = extract_code(await mailbox.wait_for(email))
    if first != second:
        old = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": first})
        assert old.status_code == 400
    new = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": second})
    assert new.status_code == 200


async def test_signup_taken_username(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    response = await client.post(
        f"{API}/auth/signup",
        json={
            "email": unique_email(),
            "username": account.username.upper(),
            "password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "username_taken"


async def test_signup_verified_email_notice(client: AsyncClient, mailbox, app) -> None:
    account = await make_account(client, mailbox)
    await clear_email_limit(app, account.email)
    response = await client.post(
        f"{API}/auth/signup",
        json={
            "email": account.email.upper(),
            "username": unique_username(),
            "password": "another password",
        },
    )
    assert response.status_code == 202
    notice = await mailbox.wait_for(account.email)
    assert "tried to sign up" in notice["Subject"]
    assert extract_code_absent(notice)
    still = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert still.status_code == 200


def extract_code_absent(message) -> bool:
    import re

    return re.search(r"\b\d{6}\b", email_text(message)) is None


async def test_signup_email_normalised(client: AsyncClient, mailbox) -> None:
    local = f"Mixed.{uuid.uuid4().hex[:8]}"
    # U+FF21 FULLWIDTH LATIN CAPITAL LETTER A becomes "a" under NFKC plus lower-casing.
    email, _ = await signup(client, email=f"\uff21{local}@Example.COM")
    expected = f"a{local.lower()}@example.com"
    assert email != expected
    message = await mailbox.wait_for(expected)
    assert extract_code(message)


async def test_signup_validation(client: AsyncClient) -> None:
    cases = [
        {"email": "not-an-email", "username": "valid_name", "password": DEFAULT_PASSWORD},
        {"email": unique_email(), "username": "ab", "password": DEFAULT_PASSWORD},
        {"email": unique_email(), "username": "bad name!", "password": DEFAULT_PASSWORD},
        {"email": unique_email(), "username": "valid_name", "password": "short"},
        {"email": unique_email(), "username": "valid_name", "password": "x" * 129},
        {"email": unique_email(), "username": "valid_name"},
    ]
    for body in cases:
        response = await client.post(f"{API}/auth/signup", json=body)
        assert response.status_code == 422, body
        assert response.json()["errors"], body
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_password_counts_characters(client: AsyncClient, mailbox) -> None:
    # Eight characters that are 24 bytes in UTF-8: accepted, because limits count characters.
    email, _ = await signup(client, password="€€€€€€€€")
    assert extract_code(await mailbox.wait_for(email))


async def test_login_wrong_password_same_message(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    wrong = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": "wrong password"}
    )
    unknown = await client.post(
        f"{API}/auth/login", json={"email": unique_email(), "password": "wrong password"}
    )
    assert wrong.status_code == 401
    assert unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.json()["code"] == unknown.json()["code"]
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


async def test_login_disabled_account(client: AsyncClient, mailbox, session_factory) -> None:
    account = await make_account(client, mailbox)
    async with session_factory() as session:
        await session.execute(
            update(User).where(User.id == uuid.UUID(account.id)).values(is_active=False)
        )
        await session.commit()
    response = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "account_disabled"


async def test_token_form_login(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    response = await client.post(
        f"{API}/auth/token", data={"username": account.email, "password": account.password}
    )
    assert response.status_code == 200
    assert response.json()["access_token"]


async def test_refresh_rotation_and_reuse(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    rotated = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != account.refresh_token

    reused = await client.post(f"{API}/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reused.status_code == 401
    assert reused.json()["code"] == "invalid_refresh_token"

    # Reuse revoked the whole session: the new pair is dead too.
    after = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": new_pair["refresh_token"]}
    )
    assert after.status_code == 401
    me = await client.get(f"{API}/users/me", headers=bearer(new_pair["access_token"]))
    assert me.status_code == 401


async def test_token_types_not_interchangeable(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    as_access = await client.get(f"{API}/users/me", headers=bearer(account.refresh_token))
    assert as_access.status_code == 401
    as_refresh = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": account.access_token}
    )
    assert as_refresh.status_code == 401


async def test_forged_tokens_rejected(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    header, payload, signature = account.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    tampered = f"{header}.{_b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}"
    for token in (unsigned, tampered, "not-a-jwt", ""):
        response = await client.get(f"{API}/users/me", headers=bearer(token))
        assert response.status_code == 401, token
        assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_missing_token_401(client: AsyncClient) -> None:
    response = await client.get(f"{API}/users/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_logout_kills_both_tokens(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    response = await client.post(
        f"{API}/auth/logout",
        json={"refresh_token": account.refresh_token},
        headers=account.headers,
    )
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert me.status_code == 401
    refreshed = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    assert refreshed.status_code == 401


async def test_logout_without_body(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    response = await client.post(f"{API}/auth/logout", headers=account.headers)
    assert response.status_code == 204
    refreshed = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    assert refreshed.status_code == 401


async def test_logout_all_sessions(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    second = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    other_headers = bearer(second.json()["access_token"])
    response = await client.post(f"{API}/auth/logout-all", headers=account.headers)
    assert response.status_code == 204
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 401
    assert (await client.get(f"{API}/users/me", headers=other_headers)).status_code == 401


async def test_password_reset_flow(client: AsyncClient, mailbox, app) -> None:
    account = await make_account(client, mailbox)
    await clear_email_limit(app, account.email)
    forgot = await client.post(f"{API}/auth/password/forgot", json={"email": account.email})
    unknown = await client.post(f"{API}/auth/password/forgot", json={"email": unique_email()})
    assert forgot.status_code == 202
    assert unknown.status_code == 202
    assert forgot.json() == unknown.json()

    code = extract_code(await mailbox.wait_for(account.email))
    reset = await client.post(
        f"{API}/auth/password/reset",
        json={"email": account.email, "code": code, "new_password": "a brand new secret"},
    )
    assert reset.status_code == 204
    notice = await mailbox.wait_for(account.email)
    assert "password was changed" in notice["Subject"]

    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 401
    old = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert old.status_code == 401
    new = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": "a brand new secret"}
    )
    assert new.status_code == 200


async def test_password_reset_wrong_code(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    response = await client.post(
        f"{API}/auth/password/reset",
        json={"email": account.email, "code": "000000", "new_password": "whatever123"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"


async def test_verify_code_format_422(client: AsyncClient) -> None:
    # Full-width and Arabic-Indic digits are Unicode digits but not ASCII ones.
    for code in (
        "12345",
        "1234567",
        "abcdef",
        123456,
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "\u0661\u0662\u0663\u0664\u0665\u0666",
    ):
        response = await client.post(
            f"{API}/auth/verify-email", json={"email": unique_email(), "code": code}
        )
        assert response.status_code == 422, code


async def test_parallel_signups_same_email(client: AsyncClient, mailbox) -> None:
    email = unique_email()
    bodies = [
        {"email": email, "username": unique_username(), "password": DEFAULT_PASSWORD}
        for _ in range(3)
    ]
    responses = await asyncio.gather(
        *(client.post(f"{API}/auth/signup", json=body) for body in bodies)
    )
    statuses = sorted(response.status_code for response in responses)
    # One passes the per-address limit; the others get 429, and none fails.
    assert statuses == [202, 429, 429]


async def test_taken_username_retry_at_once(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    email = unique_email()
    taken = await client.post(
        f"{API}/auth/signup",
        json={"email": email, "username": account.username, "password": DEFAULT_PASSWORD},
    )
    assert taken.status_code == 409
    retry = await client.post(
        f"{API}/auth/signup",
        json={"email": email, "username": unique_username(), "password": DEFAULT_PASSWORD},
    )
    assert retry.status_code == 202


async def test_login_failures_limited_per_name(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    # Successful logins do not count.
    for _ in range(12):
        ok = await client.post(
            f"{API}/auth/login", json={"email": account.email, "password": account.password}
        )
        assert ok.status_code == 200
    # Failures count per normalised name: these spellings are one email address.
    local, domain = account.email.split("@")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in local)
    for index in range(10):
        login = account.email.upper() if index % 2 else f"{fullwidth}@{domain}"
        failed = await client.post(
            f"{API}/auth/login", json={"email": login, "password": "wrong password"}
        )
        assert failed.status_code == 401
    blocked = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # The username is another name with a budget of its own, so the two are not linked.
    by_username = await client.post(
        f"{API}/auth/login", json={"email": account.username, "password": account.password}
    )
    assert by_username.status_code == 200


async def test_login_counter_hides_existence(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    unknown = unique_email()
    results = {}
    for email in (account.email, unknown):
        local, domain = email.split("@")
        fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in local)
        for index in range(10):
            login = email if index % 2 else f"{fullwidth}@{domain}"
            await client.post(f"{API}/auth/login", json={"email": login, "password": "wrong pw"})
        final = await client.post(f"{API}/auth/login", json={"email": email, "password": "x"})
        results[email] = final.status_code
    assert results[account.email] == 429
    assert results[unknown] == 429


async def test_signup_does_not_pair_username_email(client: AsyncClient, mailbox, app) -> None:
    account = await make_account(client, mailbox)
    await clear_email_limit(app, account.email)
    own = await client.post(
        f"{API}/auth/signup",
        json={"email": account.email, "username": account.username, "password": "whatever123"},
    )
    other = await client.post(
        f"{API}/auth/signup",
        json={"email": unique_email(), "username": account.username, "password": "whatever123"},
    )
    assert own.status_code == 409
    assert other.status_code == 409
    assert own.json() == {**other.json(), "instance": own.json()["instance"]}


async def test_token_without_expiry_rejected(client: AsyncClient, mailbox) -> None:
    from jose import jwt

    from tests.conftest import TEST_SECRET_KEY

    account = await make_account(client, mailbox)
    claims = jwt.get_unverified_claims(account.access_token)
    claims.pop("exp")
    forged = jwt.encode(claims, TEST_SECRET_KEY, algorithm="HS256")
    response = await client.get(f"{API}/users/me", headers=bearer(forged))
    assert response.status_code == 401


async def test_unknown_login_limited_alike(client: AsyncClient) -> None:
    email = unique_email()
    statuses = []
    for _ in range(11):
        response = await client.post(
            f"{API}/auth/login", json={"email": email, "password": "wrong password"}
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429]


async def test_forgot_unknown_sends_nothing(client: AsyncClient, mailbox, session_factory) -> None:
    email = unique_email()
    response = await client.post(f"{API}/auth/password/forgot", json={"email": email})
    assert response.status_code == 202
    await asyncio.sleep(0.5)  # give the worker time to run the job
    assert mailbox.to(email) == []
    async with session_factory() as session:
        codes = (await session.scalars(select(OneTimeCode).where(OneTimeCode.email == email))).all()
    assert codes == []


async def test_reset_code_not_for_unverified(client: AsyncClient, mailbox, app) -> None:
    email, _ = await signup(client)
    await mailbox.wait_for(email)
    await clear_email_limit(app, email)
    response = await client.post(f"{API}/auth/password/forgot", json={"email": email})
    assert response.status_code == 202
    await asyncio.sleep(0.5)
    assert len(mailbox.to(email)) == 1  # only the verification code from sign-up
