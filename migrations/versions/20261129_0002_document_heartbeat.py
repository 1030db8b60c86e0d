"""documents.heartbeat_at: when the job processing a document last showed it was alive.

The sweep re-queues a processing document whose heartbeat is a few minutes old, instead of
waiting out the longest time an ingestion may take.

Revision ID: 0002_document_heartbeat
Revises: 0001
Create Date: 2026-11-29 17:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_document_heartbeat"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("documents", "heartbeat_at")
