"""Where chunk vectors live and are searched: pgvector (the default) or Weaviate.

Visibility is part of every search: a caller sees the clinic knowledge base (chunks without
a patient) and, when the scope names one, that patient's own chunks, and nothing else. The
filter runs inside the vector query, and the query still returns k hits whenever k visible
chunks exist, however many invisible ones lie closer.
"""

import asyncio
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, delete, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.pdf_text import TextChunk
from kernel.settings import Settings
from persistence.models import Document, DocumentChunk

if TYPE_CHECKING:
    import weaviate

# Candidates an HNSW scan keeps; the iterative scan goes on past them until k rows pass the filter.
HNSW_EF_SEARCH = 100


@dataclass(frozen=True)
class SearchScope:
    """What a search may return: the knowledge base, plus this patient's documents if set."""

    patient_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ChunkHit:
    document_id: uuid.UUID
    filename: str
    page: int
    text: str
    score: float  # cosine similarity, 1 = same direction


ChunkWithVector = tuple[TextChunk, Sequence[float]]


class VectorStore(Protocol):
    async def replace_chunks(
        self, session: AsyncSession, document: Document, chunks: Sequence[ChunkWithVector]
    ) -> None:
        """Drops the document's earlier chunks and stores these (within the session's transaction)."""
        ...

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> None: ...

    async def search(
        self, session: AsyncSession, scope: SearchScope, vector: Sequence[float], k: int
    ) -> list[ChunkHit]: ...


class PgVectorStore:
    """Chunks in `document_chunks`, searched through its HNSW cosine index."""

    async def replace_chunks(
        self, session: AsyncSession, document: Document, chunks: Sequence[ChunkWithVector]
    ) -> None:
        await self.delete_document(session, document.id)
        if chunks:
            await session.execute(
                insert(DocumentChunk),
                [
                    {
                        "document_id": document.id,
                        "patient_id": document.patient_id,
                        "chunk_index": index,
                        "page": chunk.page,
                        "text": chunk.text,
                        "embedding": list(vector),
                    }
                    for index, (chunk, vector) in enumerate(chunks)
                ],
            )

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> None:
        await session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document_id))

    async def search(
        self, session: AsyncSession, scope: SearchScope, vector: Sequence[float], k: int
    ) -> list[ChunkHit]:
        if k <= 0:
            return []
        # Without an iterative scan HNSW hands over its ef_search nearest candidates and the
        # filter runs on those alone: with enough other patients' chunks nearby, none survive.
        # relaxed_order keeps scanning until k rows pass; the outer ORDER BY restores the order.
        await session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        await session.execute(text(f"SET LOCAL hnsw.ef_search = {max(HNSW_EF_SEARCH, k)}"))

        distance = DocumentChunk.embedding.cosine_distance(list(vector))
        visible: ColumnElement[bool] = DocumentChunk.patient_id.is_(None)
        if scope.patient_id is not None:
            visible = or_(visible, DocumentChunk.patient_id == scope.patient_id)
        nearest = (
            select(
                DocumentChunk.document_id,
                DocumentChunk.page,
                DocumentChunk.text,
                distance.label("distance"),
            )
            .where(visible)
            .order_by(distance)
            .limit(k)
            .cte("nearest")
            .prefix_with("MATERIALIZED")
        )
        rows = await session.execute(
            select(nearest, Document.filename)
            .join(Document, Document.id == nearest.c.document_id)
            .order_by(nearest.c.distance)
        )
        return [
            ChunkHit(
                document_id=row.document_id,
                filename=row.filename,
                page=row.page,
                text=row.text,
                score=1.0 - float(row.distance),
            )
            for row in rows
        ]


class WeaviateStore:
    """One Weaviate collection of chunks, vectors supplied by us (no Weaviate vectoriser).

    Weaviate is outside the database transaction: replacing is delete-then-insert by
    document id, so a retried ingest converges on the same set. Its blocking client runs in
    a thread.
    """

    COLLECTION = "DocumentChunk"

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: weaviate.WeaviateClient | None = None
        self._lock = threading.Lock()

    def _collection(self) -> Any:
        import weaviate
        from weaviate.classes.config import Configure, DataType, Property, Tokenization, VectorDistances

        with self._lock:
            if self._client is None:
                parts = urlsplit(self._url)
                secure = parts.scheme == "https"
                host = parts.hostname or "localhost"
                client = weaviate.connect_to_custom(
                    http_host=host,
                    http_port=parts.port or (443 if secure else 8080),
                    http_secure=secure,
                    grpc_host=host,
                    grpc_port=50051,
                    grpc_secure=secure,
                )
                if not client.collections.exists(self.COLLECTION):
                    client.collections.create(
                        self.COLLECTION,
                        vector_config=Configure.Vectors.self_provided(
                            vector_index_config=Configure.VectorIndex.hnsw(
                                distance_metric=VectorDistances.COSINE
                            )
                        ),
                        # Lets a filter ask for "patient_id is null" (the knowledge base).
                        inverted_index_config=Configure.inverted_index(index_null_state=True),
                        properties=[
                            Property(name="document_id", data_type=DataType.UUID),
                            Property(name="patient_id", data_type=DataType.UUID),
                            Property(name="page", data_type=DataType.INT),
                            Property(name="text", data_type=DataType.TEXT),
                            Property(
                                name="filename", data_type=DataType.TEXT, tokenization=Tokenization.FIELD
                            ),
                        ],
                    )
                self._client = client
            return self._client.collections.use(self.COLLECTION)

    async def replace_chunks(
        self, session: AsyncSession, document: Document, chunks: Sequence[ChunkWithVector]
    ) -> None:
        from weaviate.classes.data import DataObject

        objects = [
            DataObject(
                # Deterministic ids: a repeated insert overwrites instead of duplicating.
                uuid=uuid.uuid5(document.id, str(index)),
                properties={
                    "document_id": document.id,
                    "patient_id": document.patient_id,
                    "page": chunk.page,
                    "text": chunk.text,
                    "filename": document.filename,
                },
                vector=list(vector),
            )
            for index, (chunk, vector) in enumerate(chunks)
        ]

        def replace() -> None:
            collection = self._collection()
            collection.data.delete_many(where=_by_document(document.id))
            if objects:
                result = collection.data.insert_many(objects)
                if result.has_errors:
                    raise RuntimeError(f"Weaviate rejected chunks: {list(result.errors.values())[:3]}")

        await asyncio.to_thread(replace)

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> None:
        await asyncio.to_thread(lambda: self._collection().data.delete_many(where=_by_document(document_id)))

    async def search(
        self, session: AsyncSession, scope: SearchScope, vector: Sequence[float], k: int
    ) -> list[ChunkHit]:
        from weaviate.classes.query import Filter, MetadataQuery

        visible = Filter.by_property("patient_id").is_none(True)
        if scope.patient_id is not None:
            visible = visible | Filter.by_property("patient_id").equal(scope.patient_id)

        def query() -> Any:
            # Weaviate applies the filter before the vector search (an allow-list), so k
            # visible hits come back whenever they exist.
            return self._collection().query.near_vector(
                near_vector=list(vector),
                limit=k,
                filters=visible,
                return_metadata=MetadataQuery(distance=True),
            )

        response = await asyncio.to_thread(query)
        hits = [
            ChunkHit(
                document_id=uuid.UUID(str(obj.properties["document_id"])),
                filename=str(obj.properties["filename"]),
                page=int(obj.properties["page"]),
                text=str(obj.properties["text"]),
                score=1.0 - float(obj.metadata.distance or 0.0),
            )
            for obj in response.objects
        ]
        # Vectors outlive a document deleted without `delete_document`: never show those.
        ids = {hit.document_id for hit in hits}
        existing = set(await session.scalars(select(Document.id).where(Document.id.in_(ids))))
        return [hit for hit in hits if hit.document_id in existing]


def _by_document(document_id: uuid.UUID) -> Any:
    from weaviate.classes.query import Filter

    return Filter.by_property("document_id").equal(document_id)


def create_vector_store(settings: Settings) -> VectorStore:
    """Weaviate when WEAVIATE_URL is set, else pgvector."""
    return WeaviateStore(settings.weaviate_url) if settings.weaviate_url else PgVectorStore()
