"""Limit/offset paging shared by every list endpoint."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

ItemT = TypeVar("ItemT")
# Databases reject offsets past 64 bits with an overflow; no real list is this long.
MAX_OFFSET = 1_000_000_000


class PageParams(BaseModel):
    limit: int = 20
    offset: int = 0


def _page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page, 1 to 100.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageParamsDep = Annotated[PageParams, Depends(_page_params)]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int
