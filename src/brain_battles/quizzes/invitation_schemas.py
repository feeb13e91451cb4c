"""Request and response bodies for private-quiz invitations."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from brain_battles.core.timeutils import UTCTimestamp
from brain_battles.users.schemas import EmailAddress, StrictModel

MAX_EMAILS_PER_REQUEST = 100


def _drop_duplicates(emails: list[str]) -> list[str]:
    # The addresses are already normalised, so `A@x.org` and `a@x.org` collapse into one.
    return list(dict.fromkeys(emails))


class InvitationCreate(StrictModel):
    emails: Annotated[
        list[EmailAddress],
        Field(
            min_length=1,
            max_length=MAX_EMAILS_PER_REQUEST,
            description="1 to 100 addresses; duplicates after normalisation count once.",
        ),
        AfterValidator(_drop_duplicates),
    ]


class UserSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str


class InvitationRead(BaseModel):
    id: uuid.UUID
    email: str
    invited_at: UTCTimestamp = Field(description="When the address was first invited.")
    sent_at: UTCTimestamp = Field(description="When the latest invitation email was queued.")
    expires_at: UTCTimestamp
    accepted: bool
    accepted_at: UTCTimestamp | None
    accepted_by: UserSummary | None = Field(
        description="The account that accepted; null if none has, or if it was deleted."
    )


class InvitationBatch(BaseModel):
    invitations: list[InvitationRead] = Field(
        description="One entry per distinct address, in the order sent."
    )
    emailed: int = Field(
        description="Addresses emailed by this request; accepted invitations are not re-sent."
    )
