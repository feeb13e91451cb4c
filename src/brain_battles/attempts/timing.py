"""Attempt deadlines on the server clock: pure functions of the stored timestamps."""

from __future__ import annotations

from datetime import datetime, timedelta


def earliest(*moments: datetime | None) -> datetime | None:
    """Return the earliest of the given timestamps, ignoring None, or None if all are None."""
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def attempt_deadline(
    started_at: datetime, time_limit_seconds: int | None, closes_at: datetime | None
) -> datetime | None:
    """Return when an attempt started at `started_at` must end, or None if no bound is set."""
    time_limit_end = None
    if time_limit_seconds is not None:
        time_limit_end = started_at + timedelta(seconds=time_limit_seconds)
    return earliest(time_limit_end, closes_at)


def effective_deadline(deadline: datetime | None, closes_at: datetime | None) -> datetime | None:
    """Return the stored deadline, cut short if the quiz's `closes_at` was moved earlier since."""
    return earliest(deadline, closes_at)


def is_past(deadline: datetime | None, now: datetime) -> bool:
    """Check whether the deadline has been reached, counting the deadline moment itself."""
    return deadline is not None and now >= deadline
