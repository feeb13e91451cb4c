"""The base of every request body model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

NUL = "\x00"


def _find_nul(value: Any, path: str = "") -> str | None:
    """Return the path, relative to this model, of a string in `value` that contains NUL."""
    if isinstance(value, str):
        return (path or "a value") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_nul(key, path) or _find_nul(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}[{index}]")
            if found:
                return found
    return None


class RequestModel(BaseModel):
    """Request body base: unknown fields and NUL characters are rejected with 422.

    PostgreSQL text cannot hold U+0000, so a NUL that reached a query would fail there.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _reject_nul(cls, data: Any) -> Any:
        location = _find_nul(data)
        if location is not None:
            raise ValueError(
                f"`{location}` contains a NUL character (U+0000), which is not allowed"
            )
        return data
