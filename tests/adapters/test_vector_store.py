"""PgVectorStore: replacing chunks, and searches that see only what the scope allows."""

import random
import uuid
from collections.abc import Sequence

import pytest_asyncio
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.pdf_text import TextChunk
from adapters.vector_store import PgVectorStore, SearchScope
from persistence.models import EMBEDDING_DIMENSIONS, Document, DocumentChunk, User
from tests.document_fixtures import make_document
from tests.factories import make_user

store = PgVectorStore()


def near(axis: int, spread: float, rng: random.Random) -> list[float]:
    """A unit vector close to basis vector `axis` (cosine distance grows with `spread`)."""
    vector = [rng.gauss(0, spread) for _ in range(EMBEDDING_DIMENSIONS)]
    vector[axis] += 1.0
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


QUERY = near(0, 0.0, random.Random(0))  # exactly e0


async def add_chunks(session: AsyncSession, document: Document, vectors: Sequence[list[float]]) -> None:
    chunks = [
        (TextChunk(page=1 + i % 3, text=f"{document.filename} chunk {i}"), v) for i, v in enumerate(vectors)
    ]
    await store.replace_chunks(session, document, chunks)


@pytest_asyncio.fixture(loop_scope="session")
async def staff(session: AsyncSession) -> User:
    return await make_user(session, "admin")


async def test_replace_chunks_drops_the_earlier_ones(session: AsyncSession, staff: User) -> None:
    rng = random.Random(1)
    document = await make_document(session, uploader_id=staff.id)
    await add_chunks(session, document, [near(1, 0.1, rng) for _ in range(5)])
    await add_chunks(session, document, [near(1, 0.1, rng) for _ in range(2)])

    count = await session.scalar(
        select(func.count()).select_from(DocumentChunk).where(DocumentChunk.document_id == document.id)
    )
    assert count == 2


async def test_filtered_search_returns_k_visible_chunks_behind_many_closer_invisible_ones(
    session: AsyncSession, staff: User
) -> None:
    rng = random.Random(2)
    mine, other = await make_user(session, "patient"), await make_user(session, "patient")
    knowledge = await make_document(session, uploader_id=staff.id, filename="kb.pdf")
    own = await make_document(session, uploader_id=mine.id, patient_id=mine.id, filename="mine.pdf")
    foreign = await make_document(session, uploader_id=other.id, patient_id=other.id, filename="other.pdf")
    await add_chunks(session, knowledge, [near(1, 0.3, rng) for _ in range(3)])
    await add_chunks(session, own, [near(2, 0.3, rng) for _ in range(2)])
    # 400 of another patient's chunks, all nearer the query than any visible one.
    await add_chunks(session, foreign, [near(0, 0.02, rng) for _ in range(400)])
    # Make the planner take the HNSW index, as it does once the table is large (on a few
    # hundred unanalysed rows it would rather filter by patient_id and sort, exactly).
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    await session.execute(text("SET LOCAL enable_bitmapscan = off"))

    hits = await store.search(session, SearchScope(patient_id=mine.id), QUERY, 5)

    assert len(hits) == 5
    assert {hit.document_id for hit in hits} == {knowledge.id, own.id}
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    # The same filtered query without an iterative scan starves: the index hands over its
    # nearest candidates (all another patient's), and the filter leaves fewer than k.
    await session.execute(text("SET LOCAL hnsw.iterative_scan = off"))
    await session.execute(text("SET LOCAL hnsw.ef_search = 40"))
    distance = DocumentChunk.embedding.cosine_distance(QUERY)
    plain = await session.scalars(
        select(DocumentChunk.id)
        .where((DocumentChunk.patient_id.is_(None)) | (DocumentChunk.patient_id == mine.id))
        .order_by(distance)
        .limit(5)
    )
    assert len(list(plain)) < 5


async def test_search_without_a_patient_sees_only_the_knowledge_base(
    session: AsyncSession, staff: User
) -> None:
    rng = random.Random(3)
    patient = await make_user(session, "patient")
    knowledge = await make_document(session, uploader_id=staff.id, filename="kb.pdf")
    private = await make_document(session, uploader_id=patient.id, patient_id=patient.id, filename="p.pdf")
    await add_chunks(session, knowledge, [near(1, 0.3, rng) for _ in range(2)])
    await add_chunks(session, private, [near(0, 0.01, rng) for _ in range(3)])

    hits = await store.search(session, SearchScope(), QUERY, 10)

    assert [hit.document_id for hit in hits] == [knowledge.id, knowledge.id]
    assert {hit.filename for hit in hits} == {"kb.pdf"}


async def test_search_never_returns_another_patients_chunks(session: AsyncSession, staff: User) -> None:
    rng = random.Random(4)
    mine, other = await make_user(session, "patient"), await make_user(session, "patient")
    own = await make_document(session, uploader_id=mine.id, patient_id=mine.id)
    foreign = await make_document(session, uploader_id=other.id, patient_id=other.id)
    await add_chunks(session, own, [near(3, 0.3, rng)])
    await add_chunks(session, foreign, [near(0, 0.01, rng) for _ in range(3)])

    hits = await store.search(session, SearchScope(patient_id=mine.id), QUERY, 10)

    assert [hit.document_id for hit in hits] == [own.id]
    assert hits[0].page == 1


async def test_delete_document_removes_its_chunks(session: AsyncSession, staff: User) -> None:
    rng = random.Random(5)
    document = await make_document(session, uploader_id=staff.id)
    await add_chunks(session, document, [near(1, 0.1, rng) for _ in range(3)])

    await store.delete_document(session, document.id)

    assert await store.search(session, SearchScope(), QUERY, 5) == []


def test_scope_defaults_to_the_knowledge_base_only() -> None:
    assert SearchScope().patient_id is None
    assert SearchScope(uuid.uuid4()).patient_id is not None
