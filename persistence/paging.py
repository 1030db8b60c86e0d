"""One way to page a query: the total over every page, and one page of rows in a stable order."""

from collections.abc import Sequence
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


async def count_rows(session: AsyncSession, query: Select[*Ts]) -> int:
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def page_of(
    session: AsyncSession, query: Select[T], order_by: Sequence[Any], *, limit: int, offset: int
) -> tuple[Sequence[T], int]:
    """`limit` objects from `offset` in `order_by` (which must end in a unique column), and the total."""
    rows = await session.scalars(query.order_by(*order_by).limit(limit).offset(offset))
    return rows.all(), await count_rows(session, query)
