"""Finding the passages of the clinic's documents that answer a question (for the assistant)."""

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit, SearchScope, VectorStore


async def retrieve(
    session: AsyncSession,
    *,
    embedder: Embedder,
    store: VectorStore,
    patient_id: uuid.UUID | None,
    query: str,
    k: int,
) -> list[ChunkHit]:
    """The k chunks nearest to `query` among the knowledge base and, if given, the patient's own.

    `patient_id` must be the caller's own id (or None for staff and the phone line): the
    scope is the whole of the visibility rule.
    """
    if not query.strip() or k <= 0:
        return []
    [vector] = await asyncio.to_thread(embedder.embed, [query])
    return await store.search(session, SearchScope(patient_id=patient_id), vector, k)
