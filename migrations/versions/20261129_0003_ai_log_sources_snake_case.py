"""ai_logs.source_documents: keys in the database's own snake_case, not the API's camelCase.

The log stored each source in the API's shape ("documentId"); the API shape is the handlers'
concern, so stored rows now say "document_id" and the handler maps them.

Revision ID: 0003_ai_log_snake_case
Revises: 0002_document_heartbeat
Create Date: 2026-11-29 20:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_ai_log_snake_case"
down_revision: str | None = "0002_document_heartbeat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename_key(old: str, new: str) -> str:
    return f"""
        UPDATE ai_logs SET source_documents = (
            SELECT coalesce(jsonb_agg(
                CASE WHEN source ? '{old}'
                     THEN (source - '{old}') || jsonb_build_object('{new}', source -> '{old}')
                     ELSE source END
                ORDER BY position), '[]'::jsonb)
            FROM jsonb_array_elements(source_documents) WITH ORDINALITY AS s(source, position)
        )
        WHERE jsonb_array_length(source_documents) > 0
    """


def upgrade() -> None:
    op.execute(_rename_key("documentId", "document_id"))


def downgrade() -> None:
    op.execute(_rename_key("document_id", "documentId"))
