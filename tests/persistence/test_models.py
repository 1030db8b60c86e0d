import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence.models import EMBEDDING_DIMENSIONS, Document, DocumentChunk, User, UserRole


def make_user(role: UserRole = UserRole.patient) -> User:
    return User(email=f"{uuid.uuid4().hex[:8]}@example.com", password_hash="x", role=role, name="Ann")


def make_document(uploader: User, patient: User | None) -> Document:
    return Document(
        user_id=uploader.id,
        patient_id=patient.id if patient else None,
        filename="leaflet.pdf",
        content_type="application/pdf",
        size_bytes=1234,
        sha256="a" * 64,
        storage_url="file:///tmp/leaflet.pdf",
    )


def unit_vector(axis: int) -> list[float]:
    vector = [0.0] * EMBEDDING_DIMENSIONS
    vector[axis] = 1.0
    return vector


async def test_chunks_are_found_by_cosine_distance(session: AsyncSession) -> None:
    admin = make_user(UserRole.admin)
    session.add(admin)
    await session.flush()
    document = make_document(admin, None)
    session.add(document)
    await session.flush()
    session.add_all(
        DocumentChunk(
            document_id=document.id,
            chunk_index=i,
            page=1,
            text=f"chunk {i}",
            embedding=unit_vector(i),
        )
        for i in range(3)
    )
    await session.flush()

    nearest = await session.scalar(
        select(DocumentChunk)
        .where(DocumentChunk.document_id == document.id)
        .order_by(DocumentChunk.embedding.cosine_distance(unit_vector(2)))
        .limit(1)
    )

    assert nearest is not None
    assert nearest.chunk_index == 2
    assert list(nearest.embedding)[2] == 1.0


async def test_session_factory_sessions_see_each_others_commits(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user = make_user()
    async with session_factory() as writer:
        writer.add(user)
        await writer.commit()

    async with session_factory() as reader:
        found = await reader.get(User, user.id)

    assert found is not None
    assert found.email == user.email
