import uuid

from httpx import AsyncClient

from tests.helpers import API, bearer, make_account, unique_email, unique_username


async def test_patch_me_username(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    new_name = unique_username("renamed")
    response = await client.patch(
        f"{API}/users/me", json={"username": new_name}, headers=account.headers
    )
    assert response.status_code == 200
    assert response.json()["username"] == new_name


async def test_patch_me_forbidden_fields(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    for body in ({"role": "admin"}, {"email_verified": False}, {"is_active": False}, {"x": 1}):
        response = await client.patch(f"{API}/users/me", json=body, headers=account.headers)
        assert response.status_code == 422, body
    me = await client.get(f"{API}/users/me", headers=account.headers)
    assert me.json()["role"] == "user"


async def test_patch_me_taken_username(client: AsyncClient, mailbox) -> None:
    first = await make_account(client, mailbox)
    second = await make_account(client, mailbox)
    response = await client.patch(
        f"{API}/users/me", json={"username": first.username.upper()}, headers=second.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "username_taken"


async def test_change_password_ends_other_sessions(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    other = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    other_headers = bearer(other.json()["access_token"])

    wrong = await client.post(
        f"{API}/users/me/password",
        json={"current_password": "not my password", "new_password": "new password 1"},
        headers=account.headers,
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_password"

    response = await client.post(
        f"{API}/users/me/password",
        json={"current_password": account.password, "new_password": "new password 1"},
        headers=account.headers,
    )
    assert response.status_code == 204
    assert (await client.get(f"{API}/users/me", headers=account.headers)).status_code == 200
    assert (await client.get(f"{API}/users/me", headers=other_headers)).status_code == 401
    notice = await mailbox.wait_for(account.email)
    assert "password was changed" in notice["Subject"]


async def test_delete_me(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    wrong = await client.request(
        "DELETE", f"{API}/users/me", json={"password": "wrong one"}, headers=account.headers
    )
    assert wrong.status_code == 400
    response = await client.request(
        "DELETE", f"{API}/users/me", json={"password": account.password}, headers=account.headers
    )
    assert response.status_code == 204
    login = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert login.status_code == 401


async def test_user_cannot_list_users(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    response = await client.get(f"{API}/users", headers=account.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


async def test_moderator_lists_and_filters(client: AsyncClient, mailbox, session_factory) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    target = await make_account(client, mailbox, username=unique_username("findme"))
    response = await client.get(
        f"{API}/users", params={"q": "FINDME", "limit": 5}, headers=moderator.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["limit"] == 5
    assert body["offset"] == 0
    assert body["items"][0]["id"] == target.id

    by_role = await client.get(
        f"{API}/users", params={"role": "moderator"}, headers=moderator.headers
    )
    assert [item["id"] for item in by_role.json()["items"]] == [moderator.id]

    wildcard = await client.get(f"{API}/users", params={"q": "%"}, headers=moderator.headers)
    assert wildcard.json()["total"] == 0


async def test_list_paging_bounds(client: AsyncClient, mailbox, session_factory) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "ten"}):
        response = await client.get(f"{API}/users", params=params, headers=moderator.headers)
        assert response.status_code == 422, params


async def test_moderator_cannot_create_user(client: AsyncClient, mailbox, session_factory) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    response = await client.post(
        f"{API}/users",
        json={"email": unique_email(), "username": unique_username(), "password": "password1"},
        headers=moderator.headers,
    )
    assert response.status_code == 403


async def test_admin_manages_users(client: AsyncClient, mailbox, session_factory) -> None:
    admin = await make_account(client, mailbox, session_factory, role="admin")
    email = unique_email()
    created = await client.post(
        f"{API}/users",
        json={
            "email": email,
            "username": unique_username(),
            "password": "password1",
            "role": "moderator",
        },
        headers=admin.headers,
    )
    assert created.status_code == 201
    user = created.json()
    assert user["email_verified"] is True
    assert user["role"] == "moderator"

    duplicate = await client.post(
        f"{API}/users",
        json={"email": email.upper(), "username": unique_username(), "password": "password1"},
        headers=admin.headers,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "email_taken"

    login = await client.post(f"{API}/auth/login", json={"email": email, "password": "password1"})
    assert login.status_code == 200
    user_headers = bearer(login.json()["access_token"])

    fetched = await client.get(f"{API}/users/{user['id']}", headers=admin.headers)
    assert fetched.json()["email"] == email

    deactivated = await client.patch(
        f"{API}/users/{user['id']}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200
    assert deactivated.json()["is_active"] is False
    assert (await client.get(f"{API}/users/me", headers=user_headers)).status_code == 401

    deleted = await client.delete(f"{API}/users/{user['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    missing = await client.get(f"{API}/users/{user['id']}", headers=admin.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "user_not_found"


async def test_admin_cannot_demote_self(client: AsyncClient, mailbox, session_factory) -> None:
    admin = await make_account(client, mailbox, session_factory, role="admin")
    response = await client.patch(
        f"{API}/users/{admin.id}", json={"role": "user"}, headers=admin.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "self_modification"


async def test_unknown_user_and_bad_id(client: AsyncClient, mailbox, session_factory) -> None:
    admin = await make_account(client, mailbox, session_factory, role="admin")
    missing = await client.get(f"{API}/users/{uuid.uuid4()}", headers=admin.headers)
    assert missing.status_code == 404
    malformed = await client.get(f"{API}/users/not-a-uuid", headers=admin.headers)
    assert malformed.status_code == 422


async def test_huge_offset_422(client: AsyncClient, mailbox, session_factory) -> None:
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    paths = [f"{API}/users", f"{API}/quizzes", f"{API}/users/me/attempts"]
    for path in paths:
        for offset in (2**63, 10**30, 1_000_000_001):
            response = await client.get(path, params={"offset": offset}, headers=moderator.headers)
            assert response.status_code == 422, (path, offset)
            assert response.json()["code"] == "validation_error"
        largest = await client.get(
            path, params={"offset": 1_000_000_000}, headers=moderator.headers
        )
        assert largest.status_code == 200, path
        assert largest.json()["items"] == []


async def test_password_guesses_limited(client: AsyncClient, mailbox) -> None:
    account = await make_account(client, mailbox)
    for index in range(10):
        wrong = await client.post(
            f"{API}/users/me/password",
            json={"current_password": f"guess {index}", "new_password": "new password 1"},
            headers=account.headers,
        )
        assert wrong.status_code == 400
    blocked = await client.request(
        "DELETE", f"{API}/users/me", json={"password": account.password}, headers=account.headers
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    still_there = await client.get(f"{API}/users/me", headers=account.headers)
    assert still_there.status_code == 200
