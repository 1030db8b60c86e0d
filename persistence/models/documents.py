import uuid
from datetime import datetime
from enum import StrEnum

from pgvector.sqlalchemy import Vector
from sqlalchemy import CHAR, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from persistence.db import Base
from persistence.models._columns import CreatedAt, UpdatedAt, UUIDPk, pg_enum

EMBEDDING_DIMENSIONS = 384


class DocumentStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    ready = "ready"
    failed = "failed"


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        # One upload of a file per uploader and patient; NULL patient_id (knowledge base)
        # counts as a value, so the clinic library can't hold the same file twice either.
        UniqueConstraint("user_id", "patient_id", "sha256", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))  # the uploader
    # NULL: the clinic knowledge base, readable by everyone.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(CHAR(64))
    storage_url: Mapped[str]
    status: Mapped[DocumentStatus] = mapped_column(
        pg_enum(DocumentStatus, "document_status"),
        default=DocumentStatus.pending,
        server_default=DocumentStatus.pending.value,
        index=True,
    )
    page_count: Mapped[int | None]
    chunk_count: Mapped[int | None]
    error: Mapped[str | None]
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    # The ready document's words (lowercase) and how often each occurs: services/spelling.py.
    vocabulary: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    processing_started_at: Mapped[datetime | None]
    # Refreshed by the job while it processes the document; a stale one means the job died.
    heartbeat_at: Mapped[datetime | None]

    chunks: Mapped[list["DocumentChunk"]] = relationship(
        back_populates="document",
        order_by="DocumentChunk.chunk_index",
        passive_deletes=True,
        lazy="raise",
    )


class DocumentChunk(Base):
    __tablename__ = "document_chunks"
    __table_args__ = (
        UniqueConstraint("document_id", "chunk_index"),
        Index(
            None,
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[UUIDPk]
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    chunk_index: Mapped[int]
    page: Mapped[int]
    text: Mapped[str]
    embedding: Mapped[list[float]] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    # Copied from the document so the vector search filters visibility without a join.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)

    document: Mapped[Document] = relationship(back_populates="chunks", lazy="raise")
