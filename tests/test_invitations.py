import asyncio
import re
import uuid
from datetime import timedelta

from httpx import AsyncClient
from jose import jwt
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain_battles.core.config import Settings
from brain_battles.core.security import create_token
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.access import get_visible_quiz
from brain_battles.quizzes.errors import QuizNotFoundError
from brain_battles.quizzes.invitations import INVITATION_EMAILS_PER_HOUR, build_invitation_link
from brain_battles.quizzes.models import (
    Option,
    Question,
    QuestionKind,
    Quiz,
    QuizInvitation,
    QuizStatus,
    QuizTag,
    Visibility,
)
from brain_battles.users.models import User
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import API, Account, email_text, make_account, unique_email

TOKEN_IN_LINK = re.compile(r"/api/v1/invitations/([A-Za-z0-9_\-.]+)/accept")


async def _create_quiz(
    session_factory: async_sessionmaker[AsyncSession],
    author: Account,
    *,
    visibility: Visibility = Visibility.PRIVATE,
    status: QuizStatus = QuizStatus.PUBLISHED,
    closes_at=None,
) -> uuid.UUID:
    """Store a one-question quiz directly, so these tests do not depend on the quiz endpoints."""
    quiz = Quiz(
        id=uuid.uuid4(),
        author_id=uuid.UUID(author.id),
        title=f"Arithmetic {uuid.uuid4().hex[:6]}",
        description="Small sums.",
        visibility=visibility,
        status=status,
        closes_at=closes_at,
        published_at=utcnow() if status == QuizStatus.PUBLISHED else None,
    )
    quiz.tag_rows = [QuizTag(tag="math")]
    quiz.questions = [
        Question(
            text="What is 2 + 2?",
            kind=QuestionKind.SINGLE,
            points=1,
            explanation="Two pairs make four.",
            position=0,
            options=[
                Option(text="4", is_correct=True, position=0),
                Option(text="5", is_correct=False, position=1),
            ],
        )
    ]
    async with session_factory() as session:
        session.add(quiz)
        await session.commit()
    return quiz.id


async def _invite(client: AsyncClient, quiz_id: uuid.UUID, author: Account, *emails: str):
    return await client.post(
        f"{API}/quizzes/{quiz_id}/invitations",
        json={"emails": list(emails)},
        headers=author.headers,
    )


async def _token_from_mail(mailbox, address: str) -> str:
    match = TOKEN_IN_LINK.search(email_text(await mailbox.wait_for(address)))
    assert match, "no invitation link in the email"
    return match.group(1)


async def _accept(client: AsyncClient, token: str, account: Account):
    return await client.post(f"{API}/invitations/{token}/accept", headers=account.headers)


async def _can_see(
    session_factory: async_sessionmaker[AsyncSession], quiz_id: uuid.UUID, account: Account
) -> bool:
    async with session_factory() as session:
        user = await session.get(User, uuid.UUID(account.id))
        try:
            await get_visible_quiz(session, quiz_id, user)
        except QuizNotFoundError:
            return False
    return True


async def test_invite_accept_flow(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    stranger = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    assert not await _can_see(session_factory, quiz_id, invitee)

    response = await _invite(client, quiz_id, author, invitee.email)
    assert response.status_code == 202, response.text
    assert response.json()["emailed"] == 1
    assert response.json()["invitations"][0]["email"] == invitee.email
    assert response.json()["invitations"][0]["accepted"] is False

    message = await mailbox.wait_for(invitee.email)
    assert "invited" in message["Subject"]
    text = email_text(message)
    assert author.username in text
    assert "Arithmetic" in text
    token = TOKEN_IN_LINK.search(text).group(1)

    accepted = await _accept(client, token, invitee)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["id"] == str(quiz_id)
    assert body["visibility"] == "private"
    assert body["question_count"] == 1
    assert body["author"]["username"] == author.username
    assert [option["text"] for option in body["questions"][0]["options"]] == ["4", "5"]
    assert "is_correct" not in accepted.text
    assert "explanation" not in accepted.text

    assert await _can_see(session_factory, quiz_id, invitee)
    assert not await _can_see(session_factory, quiz_id, stranger)


async def test_accepted_quiz_visible_over_api(
    client: AsyncClient, mailbox, session_factory
) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    stranger = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)

    before = await client.get(f"{API}/quizzes/{quiz_id}", headers=invitee.headers)
    assert before.status_code == 404
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    assert (await _accept(client, token, invitee)).status_code == 200

    after = await client.get(f"{API}/quizzes/{quiz_id}", headers=invitee.headers)
    assert after.status_code == 200
    assert "is_correct" not in after.text
    listed = await client.get(f"{API}/quizzes", headers=invitee.headers)
    assert str(quiz_id) in [item["id"] for item in listed.json()["items"]]

    hidden = await client.get(f"{API}/quizzes/{quiz_id}", headers=stranger.headers)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "quiz_not_found"
    stranger_list = await client.get(f"{API}/quizzes", headers=stranger.headers)
    assert str(quiz_id) not in [item["id"] for item in stranger_list.json()["items"]]


async def test_accept_again_same_user(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)

    first = await _accept(client, token, invitee)
    async with session_factory() as session:
        accepted_at = await session.scalar(
            select(QuizInvitation.accepted_at).where(QuizInvitation.quiz_id == quiz_id)
        )
    second = await _accept(client, token, invitee)

    assert first.status_code == 200
    assert second.status_code == 200
    assert second.json()["id"] == str(quiz_id)
    async with session_factory() as session:
        accepted_at_after = await session.scalar(
            select(QuizInvitation.accepted_at).where(QuizInvitation.quiz_id == quiz_id)
        )
    assert accepted_at_after == accepted_at


async def test_accept_by_other_user_409(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    other = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    assert (await _accept(client, token, invitee)).status_code == 200

    response = await _accept(client, token, other)

    assert response.status_code == 409
    assert response.json()["code"] == "invitation_already_accepted"
    assert not await _can_see(session_factory, quiz_id, other)


async def test_accept_with_other_address(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    holder = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    address = unique_email("no-account")
    await _invite(client, quiz_id, author, address)
    token = await _token_from_mail(mailbox, address)

    response = await _accept(client, token, holder)

    assert response.status_code == 200
    assert await _can_see(session_factory, quiz_id, holder)


async def test_accept_concurrently_one_wins(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    first = await make_account(client, mailbox)
    second = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, first.email)
    token = await _token_from_mail(mailbox, first.email)

    responses = await asyncio.gather(_accept(client, token, first), _accept(client, token, second))

    assert sorted(response.status_code for response in responses) == [200, 409]


async def test_accept_tampered_token(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    header, _, signature = token.split(".")
    claims = jwt.get_unverified_claims(token)
    forged_claims = jwt.encode({**claims, "sub": str(uuid.uuid4())}, "wrong-key").split(".")[1]

    for bad in (f"{header}.{forged_claims}.{signature}", token[:-4], "not-a-token", "a.b.c"):
        response = await _accept(client, bad, invitee)
        assert response.status_code == 404, bad
        assert response.json()["code"] == "invitation_not_found"
    assert not await _can_see(session_factory, quiz_id, invitee)


async def test_accept_token_other_key(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    async with session_factory() as session:
        invitation_id = await session.scalar(
            select(QuizInvitation.id).where(QuizInvitation.quiz_id == quiz_id)
        )
    token, _, _ = create_token(
        secret_key="another-secret-key-" + "y" * 32,
        token_type="invitation",
        subject=str(invitation_id),
        ttl=timedelta(days=1),
    )

    response = await _accept(client, token, invitee)

    assert response.status_code == 404
    assert response.json()["code"] == "invitation_not_found"


async def test_accept_expired_token(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    async with session_factory() as session:
        invitation_id = await session.scalar(
            select(QuizInvitation.id).where(QuizInvitation.quiz_id == quiz_id)
        )
    token, _, _ = create_token(
        secret_key=TEST_SECRET_KEY,
        token_type="invitation",
        subject=str(invitation_id),
        expires_at=utcnow() - timedelta(minutes=5),
    )

    response = await _accept(client, token, invitee)

    assert response.status_code == 410
    assert response.json()["code"] == "invitation_expired"
    assert not await _can_see(session_factory, quiz_id, invitee)


async def test_accept_expired_invitation_row(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    async with session_factory() as session:
        await session.execute(
            update(QuizInvitation)
            .where(QuizInvitation.quiz_id == quiz_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()

    response = await _accept(client, token, invitee)

    assert response.status_code == 410
    assert response.json()["code"] == "invitation_expired"


async def test_accept_wrong_token_type(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    expired_access, _, _ = create_token(
        secret_key=TEST_SECRET_KEY,
        token_type="access",
        subject=invitee.id,
        expires_at=utcnow() - timedelta(minutes=5),
    )

    for token in (invitee.access_token, invitee.refresh_token, expired_access):
        response = await _accept(client, token, invitee)
        assert response.status_code == 404
        assert response.json()["code"] == "invitation_not_found"


async def test_accept_unknown_invitation(client: AsyncClient, mailbox) -> None:
    invitee = await make_account(client, mailbox)
    token, _, _ = create_token(
        secret_key=TEST_SECRET_KEY,
        token_type="invitation",
        subject=str(uuid.uuid4()),
        ttl=timedelta(days=1),
    )
    not_a_uuid, _, _ = create_token(
        secret_key=TEST_SECRET_KEY,
        token_type="invitation",
        subject="quiz-42",
        ttl=timedelta(days=1),
    )

    for bad in (token, not_a_uuid):
        response = await _accept(client, bad, invitee)
        assert response.status_code == 404
        assert response.json()["code"] == "invitation_not_found"


async def test_accept_requires_login(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    address = unique_email("anonymous")
    await _invite(client, quiz_id, author, address)
    token = await _token_from_mail(mailbox, address)

    response = await client.post(f"{API}/invitations/{token}/accept")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_accept_draft_quiz_404(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author, status=QuizStatus.DRAFT)
    invited = await _invite(client, quiz_id, author, invitee.email)
    assert invited.status_code == 202
    token = await _token_from_mail(mailbox, invitee.email)

    draft = await _accept(client, token, invitee)
    assert draft.status_code == 404
    assert draft.json()["code"] == "quiz_not_found"
    assert not await _can_see(session_factory, quiz_id, invitee)

    async with session_factory() as session:
        await session.execute(
            update(Quiz).where(Quiz.id == quiz_id).values(status=QuizStatus.PUBLISHED)
        )
        await session.commit()
    published = await _accept(client, token, invitee)
    assert published.status_code == 200


async def test_accept_deleted_quiz_404(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    async with session_factory() as session:
        await session.execute(delete(Quiz).where(Quiz.id == quiz_id))
        await session.commit()

    response = await _accept(client, token, invitee)

    assert response.status_code == 404
    assert response.json()["code"] == "invitation_not_found"


async def test_invite_permissions(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    other = await make_account(client, mailbox)
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    admin = await make_account(client, mailbox, session_factory, role="admin")
    private_id = await _create_quiz(session_factory, author)
    public_id = await _create_quiz(session_factory, author, visibility=Visibility.PUBLIC)
    address = unique_email("target")

    hidden = await _invite(client, private_id, other, address)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "quiz_not_found"
    visible = await _invite(client, public_id, other, address)
    assert visible.status_code == 403
    assert visible.json()["code"] == "permission_denied"
    staff = await _invite(client, private_id, moderator, address)
    assert staff.status_code == 403
    assert staff.json()["code"] == "permission_denied"
    missing = await _invite(client, uuid.uuid4(), author, address)
    assert missing.status_code == 404
    assert missing.json()["code"] == "quiz_not_found"
    anonymous = await client.post(
        f"{API}/quizzes/{private_id}/invitations", json={"emails": [address]}
    )
    assert anonymous.status_code == 401

    by_admin = await _invite(client, private_id, admin, address)
    assert by_admin.status_code == 202
    message = await mailbox.wait_for(address)
    assert admin.username in email_text(message)


async def test_invitee_cannot_invite(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    await _accept(client, token, invitee)

    response = await _invite(client, quiz_id, invitee, unique_email("friend"))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


async def test_invite_public_quiz_allowed(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author, visibility=Visibility.PUBLIC)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    assert (await _accept(client, token, invitee)).status_code == 200

    async with session_factory() as session:
        await session.execute(
            update(Quiz).where(Quiz.id == quiz_id).values(visibility=Visibility.PRIVATE)
        )
        await session.commit()

    assert await _can_see(session_factory, quiz_id, invitee)


async def test_invite_validation_422(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    url = f"{API}/quizzes/{quiz_id}/invitations"
    too_many = [f"person{index}@example.com" for index in range(101)]
    bodies = {
        "101 addresses": {"emails": too_many},
        "invalid address": {"emails": ["not-an-email"]},
        "one invalid among valid": {"emails": [unique_email(), "a@b"]},
        "reserved domain": {"emails": ["someone@example.invalid"]},
        "empty list": {"emails": []},
        "missing emails": {},
        "not a list": {"emails": "someone@example.com"},
        "unknown field": {"emails": [unique_email()], "message": "hi"},
    }

    for case, body in bodies.items():
        response = await client.post(url, json=body, headers=author.headers)
        assert response.status_code == 422, case
        assert response.json()["code"] == "validation_error", case
    async with session_factory() as session:
        stored = await session.scalars(
            select(QuizInvitation).where(QuizInvitation.quiz_id == quiz_id)
        )
        assert stored.all() == []


async def test_invite_100_addresses(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    addresses = [unique_email(f"bulk{index}") for index in range(100)]

    response = await _invite(client, quiz_id, author, *addresses)

    assert response.status_code == 202
    assert response.json()["emailed"] == 100
    assert len(response.json()["invitations"]) == 100
    await mailbox.wait_for(addresses[-1], timeout=20.0)


async def test_invite_bad_quiz_id_422(client: AsyncClient, mailbox) -> None:
    author = await make_account(client, mailbox)

    response = await client.post(
        f"{API}/quizzes/not-a-uuid/invitations",
        json={"emails": [unique_email()]},
        headers=author.headers,
    )

    assert response.status_code == 422


async def test_invite_closed_quiz_409(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author, closes_at=utcnow() - timedelta(minutes=1))

    response = await _invite(client, quiz_id, author, unique_email())

    assert response.status_code == 409
    assert response.json()["code"] == "quiz_closed"


async def test_invite_normalises_and_dedupes(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    local = f"ally{uuid.uuid4().hex[:8]}"
    # Full-width letters become ASCII under NFKC; case is folded afterwards.
    fullwidth = "".join(chr(ord(char) + 0xFEE0) for char in "ALLY") + local[4:]
    spellings = [f"{fullwidth}@Example.COM", f"{local.upper()}@example.com", f"{local}@example.com"]

    response = await _invite(client, quiz_id, author, *spellings)

    assert response.status_code == 202
    assert [item["email"] for item in response.json()["invitations"]] == [f"{local}@example.com"]
    assert response.json()["emailed"] == 1
    await mailbox.wait_for(f"{local}@example.com")
    await asyncio.sleep(0.5)
    assert len(mailbox.to(f"{local}@example.com")) == 1


async def test_reinvite_refreshes_not_duplicates(
    client: AsyncClient, mailbox, session_factory
) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    address = unique_email("again")
    first = await _invite(client, quiz_id, author, address)
    first_token = await _token_from_mail(mailbox, address)

    second = await _invite(client, quiz_id, author, address.upper())
    second_token = await _token_from_mail(mailbox, address)

    assert second.status_code == 202
    first_entry = first.json()["invitations"][0]
    second_entry = second.json()["invitations"][0]
    assert second_entry["id"] == first_entry["id"]
    assert second_entry["invited_at"] == first_entry["invited_at"]
    assert second_entry["sent_at"] > first_entry["sent_at"]
    assert second_entry["expires_at"] > first_entry["expires_at"]
    assert second_token != first_token
    async with session_factory() as session:
        rows = (
            await session.scalars(select(QuizInvitation).where(QuizInvitation.quiz_id == quiz_id))
        ).all()
    assert len(rows) == 1


async def test_reinvite_accepted_not_resent(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email)
    token = await _token_from_mail(mailbox, invitee.email)
    await _accept(client, token, invitee)
    fresh = unique_email("fresh")

    response = await _invite(client, quiz_id, author, invitee.email, fresh)

    assert response.status_code == 202
    assert response.json()["emailed"] == 1
    entries = {item["email"]: item for item in response.json()["invitations"]}
    assert entries[invitee.email]["accepted"] is True
    assert entries[invitee.email]["accepted_by"]["id"] == invitee.id
    assert entries[fresh]["accepted"] is False
    await mailbox.wait_for(fresh)
    assert len(mailbox.to(invitee.email)) == 2  # the sign-up code and the first invitation


async def test_expiry_follows_closes_at(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    closes_at = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    closing_id = await _create_quiz(session_factory, author, closes_at=closes_at)
    open_id = await _create_quiz(session_factory, author)
    closing_address = unique_email("closing")
    open_address = unique_email("open")

    closing = await _invite(client, closing_id, author, closing_address)
    before = utcnow()
    unbounded = await _invite(client, open_id, author, open_address)

    closing_expiry = closing.json()["invitations"][0]["expires_at"]
    assert closing_expiry == closes_at.isoformat().replace("+00:00", "Z")
    closing_claims = jwt.get_unverified_claims(await _token_from_mail(mailbox, closing_address))
    assert closing_claims["exp"] == int(closes_at.timestamp())
    assert closing_claims["type"] == "invitation"
    open_claims = jwt.get_unverified_claims(await _token_from_mail(mailbox, open_address))
    thirty_days = (before + timedelta(days=30)).timestamp()
    assert thirty_days - 5 <= open_claims["exp"] <= thirty_days + 5
    assert unbounded.json()["invitations"][0]["expires_at"].endswith("Z")


async def test_list_invitations(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    invitee = await make_account(client, mailbox)
    pending = unique_email("pending")
    quiz_id = await _create_quiz(session_factory, author)
    await _invite(client, quiz_id, author, invitee.email, pending)
    token = await _token_from_mail(mailbox, invitee.email)
    await _accept(client, token, invitee)
    url = f"{API}/quizzes/{quiz_id}/invitations"

    response = await client.get(url, headers=author.headers)

    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 2
    assert page["limit"] == 20
    assert page["offset"] == 0
    entries = {item["email"]: item for item in page["items"]}
    accepted = entries[invitee.email]
    assert accepted["accepted"] is True
    assert accepted["accepted_at"].endswith("Z")
    assert accepted["accepted_by"] == {"id": invitee.id, "username": invitee.username}
    assert accepted["invited_at"].endswith("Z")
    assert accepted["expires_at"].endswith("Z")
    assert entries[pending]["accepted"] is False
    assert entries[pending]["accepted_at"] is None
    assert entries[pending]["accepted_by"] is None

    only_accepted = await client.get(url, params={"accepted": "true"}, headers=author.headers)
    assert [item["email"] for item in only_accepted.json()["items"]] == [invitee.email]
    only_pending = await client.get(url, params={"accepted": "false"}, headers=author.headers)
    assert [item["email"] for item in only_pending.json()["items"]] == [pending]
    second_page = await client.get(url, params={"limit": 1, "offset": 1}, headers=author.headers)
    assert second_page.json()["total"] == 2
    assert len(second_page.json()["items"]) == 1
    too_big = await client.get(url, params={"limit": 101}, headers=author.headers)
    assert too_big.status_code == 422


async def test_list_invitations_access(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    other = await make_account(client, mailbox)
    moderator = await make_account(client, mailbox, session_factory, role="moderator")
    admin = await make_account(client, mailbox, session_factory, role="admin")
    private_id = await _create_quiz(session_factory, author)
    public_id = await _create_quiz(session_factory, author, visibility=Visibility.PUBLIC)

    hidden = await client.get(f"{API}/quizzes/{private_id}/invitations", headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "quiz_not_found"
    visible = await client.get(f"{API}/quizzes/{public_id}/invitations", headers=other.headers)
    assert visible.status_code == 403
    assert visible.json()["code"] == "permission_denied"
    staff = await client.get(f"{API}/quizzes/{private_id}/invitations", headers=moderator.headers)
    assert staff.status_code == 403
    by_admin = await client.get(f"{API}/quizzes/{private_id}/invitations", headers=admin.headers)
    assert by_admin.status_code == 200


async def test_invite_rate_limited(client: AsyncClient, mailbox, session_factory) -> None:
    author = await make_account(client, mailbox)
    quiz_id = await _create_quiz(session_factory, author)
    batches = INVITATION_EMAILS_PER_HOUR // 100
    for batch in range(batches):
        addresses = [unique_email(f"limit{batch}-{index}") for index in range(100)]
        response = await _invite(client, quiz_id, author, *addresses)
        assert response.status_code == 202

    over = unique_email("over")
    response = await _invite(client, quiz_id, author, over)

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
    async with session_factory() as session:
        stored = await session.scalar(select(QuizInvitation).where(QuizInvitation.email == over))
    assert stored is None


def test_link_points_at_frontend() -> None:
    api_only = Settings(_env_file=None, public_base_url="https://quiz.example.org/")
    with_spa = Settings(
        _env_file=None,
        public_base_url="https://api.example.org",
        frontend_base_url="https://play.example.org/",
    )

    assert (
        build_invitation_link(api_only, "abc")
        == "https://quiz.example.org/api/v1/invitations/abc/accept"
    )
    assert build_invitation_link(with_spa, "abc") == "https://play.example.org/invitations/abc"
