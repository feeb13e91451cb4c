"""Quiz endpoints: quizzes, their questions and options, publishing, export and import."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status

from brain_battles.auth.dependencies import CurrentUser
from brain_battles.core.dependencies import SessionDep
from brain_battles.core.pagination import Page, PageParamsDep
from brain_battles.quizzes import content, service
from brain_battles.quizzes.schemas import (
    OptionAuthorView,
    OptionCreate,
    OptionUpdate,
    QuestionAuthorView,
    QuestionCreate,
    QuestionUpdate,
    QuizAuthorView,
    QuizCreate,
    QuizSummary,
    QuizTakerView,
    QuizUpdate,
)
from brain_battles.quizzes.transfer import QuizDocument, export_document, parse_document

router = APIRouter(tags=["quizzes"])

# Rejects NUL, which PostgreSQL cannot compare against text columns.
NO_NUL_PATTERN = r"^[^\x00]*$"

HIDDEN = {404: {"description": "The quiz does not exist or is hidden from the caller"}}
FORBIDDEN = {403: {"description": "The caller may see the quiz but not do this"}}
LOCKED = {409: {"description": "`quiz_locked`: editable_until has passed"}}
CONTENT_CONFLICTS = {
    409: {"description": "`quiz_locked` after editable_until, `quiz_has_attempts` once taken"},
    422: {"description": "Invalid body, or `quiz_incomplete` for a published quiz"},
}


@router.post(
    "/quizzes",
    status_code=status.HTTP_201_CREATED,
    response_model=QuizAuthorView,
)
async def create_quiz(body: QuizCreate, session: SessionDep, user: CurrentUser) -> QuizAuthorView:
    """Create a draft quiz owned by the caller, with optional inline questions and options."""
    quiz = await service.create_quiz(session, user, body)
    return QuizAuthorView.from_loaded_quiz(quiz)


@router.get("/quizzes", response_model=Page[QuizSummary])
async def list_quizzes(
    session: SessionDep,
    user: CurrentUser,
    page: PageParamsDep,
    mine: Annotated[
        bool | None,
        Query(
            description="true: only the caller's own quizzes, drafts included. false: every "
            "quiz the caller may open, which for moderators and admins is every quiz."
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=NO_NUL_PATTERN, description="Title or description text."),
    ] = None,
    tag: Annotated[str | None, Query(max_length=32, pattern=NO_NUL_PATTERN)] = None,
    author: Annotated[
        str | None,
        Query(max_length=64, pattern=NO_NUL_PATTERN, description="Author id or username."),
    ] = None,
) -> Page[QuizSummary]:
    """List published public quizzes, the caller's own and those they were invited to, newest first.

    Moderators and admins get the same list by default, and every quiz with `mine=false`.
    """
    rows, total = await service.list_quizzes(
        session,
        user,
        mine=mine,
        query=q,
        tag=tag,
        author=author,
        limit=page.limit,
        offset=page.offset,
    )
    items = [QuizSummary.from_quiz(quiz, question_count=count) for quiz, count in rows]
    return Page[QuizSummary](items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/quizzes/import",
    status_code=status.HTTP_201_CREATED,
    response_model=QuizAuthorView,
    responses={422: {"description": "`invalid_import` with every problem in `problems`"}},
)
async def import_quiz(
    document: Annotated[
        dict[str, Any], Body(description="A document returned by GET /quizzes/{id}/export.")
    ],
    session: SessionDep,
    user: CurrentUser,
) -> QuizAuthorView:
    """Create a draft owned by the caller from an export document with valid questions."""
    data = parse_document(document)
    quiz = await service.create_quiz(session, user, data)
    return QuizAuthorView.from_loaded_quiz(quiz)


@router.get(
    "/quizzes/{quiz_id}",
    response_model=QuizAuthorView | QuizTakerView,
    responses=HIDDEN,
)
async def get_quiz(
    quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> QuizAuthorView | QuizTakerView:
    """Get a quiz with its questions, and the answer key for the author and staff only."""
    quiz = await service.get_quiz(session, quiz_id, user)
    return service.serialize_quiz(quiz, user)


@router.patch(
    "/quizzes/{quiz_id}",
    response_model=QuizAuthorView,
    responses={**HIDDEN, **FORBIDDEN, **LOCKED},
)
async def update_quiz(
    quiz_id: uuid.UUID, body: QuizUpdate, session: SessionDep, user: CurrentUser
) -> QuizAuthorView:
    """Change the settings present in the body. `status` changes only by publishing."""
    quiz = await service.update_quiz(session, quiz_id, user, body)
    return QuizAuthorView.from_loaded_quiz(quiz)


@router.delete(
    "/quizzes/{quiz_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**HIDDEN, **FORBIDDEN},
)
async def delete_quiz(quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    """Delete a quiz with its questions, attempts and invitations."""
    await service.delete_quiz(session, quiz_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/quizzes/{quiz_id}/publish",
    response_model=QuizAuthorView,
    responses={
        **HIDDEN,
        **FORBIDDEN,
        422: {"description": "`quiz_incomplete` with every problem in `problems`"},
    },
)
async def publish_quiz(
    quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> QuizAuthorView:
    """Publish a complete quiz, even after editable_until. Publishing again changes nothing."""
    quiz = await service.publish_quiz(session, quiz_id, user)
    return QuizAuthorView.from_loaded_quiz(quiz)


@router.get(
    "/quizzes/{quiz_id}/export",
    response_model=QuizDocument,
    responses={**HIDDEN, **FORBIDDEN},
)
async def export_quiz(quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> QuizDocument:
    """Export a quiz with its settings, questions and answer key as a versioned document."""
    quiz = await service.get_exportable_quiz(session, quiz_id, user)
    return export_document(quiz)


@router.post(
    "/quizzes/{quiz_id}/questions",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestionAuthorView,
    responses={**HIDDEN, **FORBIDDEN, **CONTENT_CONFLICTS},
)
async def add_question(
    quiz_id: uuid.UUID, body: QuestionCreate, session: SessionDep, user: CurrentUser
) -> QuestionAuthorView:
    """Add a question with its options at `position`, or last when omitted."""
    question = await content.add_question(session, quiz_id, user, body)
    return QuestionAuthorView.from_question(question)


@router.patch(
    "/quizzes/{quiz_id}/questions/{question_id}",
    response_model=QuestionAuthorView,
    responses={**HIDDEN, **FORBIDDEN, **CONTENT_CONFLICTS},
)
async def update_question(
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    body: QuestionUpdate,
    session: SessionDep,
    user: CurrentUser,
) -> QuestionAuthorView:
    """Change a question's fields or move it to another position."""
    question = await content.update_question(session, quiz_id, question_id, user, body)
    return QuestionAuthorView.from_question(question)


@router.delete(
    "/quizzes/{quiz_id}/questions/{question_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**HIDDEN, **FORBIDDEN, **CONTENT_CONFLICTS},
)
async def delete_question(
    quiz_id: uuid.UUID, question_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    """Delete a question and move the questions after it up one position."""
    await content.delete_question(session, quiz_id, question_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/quizzes/{quiz_id}/questions/{question_id}/options",
    status_code=status.HTTP_201_CREATED,
    response_model=OptionAuthorView,
    responses={**HIDDEN, **FORBIDDEN, **CONTENT_CONFLICTS},
)
async def add_option(
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    body: OptionCreate,
    session: SessionDep,
    user: CurrentUser,
) -> OptionAuthorView:
    """Add an option. A correct one unmarks the others of a single or true_false question."""
    option = await content.add_option(session, quiz_id, question_id, user, body)
    return OptionAuthorView.from_option(option)


@router.patch(
    "/quizzes/{quiz_id}/questions/{question_id}/options/{option_id}",
    response_model=OptionAuthorView,
    responses={**HIDDEN, **FORBIDDEN, **CONTENT_CONFLICTS},
)
async def update_option(
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    option_id: uuid.UUID,
    body: OptionUpdate,
    session: SessionDep,
    user: CurrentUser,
) -> OptionAuthorView:
    """Change an option. Marking it correct unmarks the others of a single-answer question."""
    option = await content.update_option(session, quiz_id, question_id, option_id, user, body)
    return OptionAuthorView.from_option(option)


@router.delete(
    "/quizzes/{quiz_id}/questions/{question_id}/options/{option_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**HIDDEN, **FORBIDDEN, **CONTENT_CONFLICTS},
)
async def delete_option(
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    option_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
) -> Response:
    """Delete an option and move the options after it up one position."""
    await content.delete_option(session, quiz_id, question_id, option_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
