"""UTC timestamps: one clock, one column type and one API type for the whole service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, PlainSerializer
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; a naive one is taken as UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_utc(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that always stores and returns aware UTC datetimes.

    SQLite keeps no offset, so values read back from it are naive and get UTC attached here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def _to_utc_checked(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        # 9999-12-31T23:00-05:00 is a valid input but has no UTC equivalent.
        raise ValueError("timestamp is out of range once converted to UTC") from exc


# Input: an offset is required (pydantic rejects a naive value with 422), then converted to UTC.
UTCTimestampIn = Annotated[AwareDatetime, AfterValidator(_to_utc_checked)]
# Output: ISO 8601 with a `Z` suffix.
UTCTimestamp = Annotated[datetime, PlainSerializer(format_utc, return_type=str, when_used="json")]
