"""documents.vocabulary: each ready document's words and their counts, which mend typos in questions.

The ready documents' words are counted here from their chunks in `document_chunks`, as
ingestion counts them (`services.spelling.word_counts`: words of three letters or more,
lowercase). Chunks kept in Weaviate are not in PostgreSQL: those documents stay NULL until
`silverstar reindex --all` reads them again.

Revision ID: 20261201_01
Revises: 20261130_04
Create Date: 2026-12-01 00:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261201_01"
down_revision: str | None = "20261130_04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("vocabulary", postgresql.JSONB(), nullable=True))
    op.execute(
        """
        UPDATE documents AS d
        SET vocabulary = counted.words
        FROM (
            SELECT document_id, jsonb_object_agg(word, n) AS words
            FROM (
                SELECT c.document_id, lower(m[1]) AS word, count(*) AS n
                FROM document_chunks AS c, regexp_matches(c.text, '([A-Za-z]{3,})', 'g') AS m
                GROUP BY c.document_id, lower(m[1])
            ) AS per_word
            GROUP BY document_id
        ) AS counted
        WHERE d.id = counted.document_id AND d.status = 'ready'
        """
    )


def downgrade() -> None:
    op.drop_column("documents", "vocabulary")
