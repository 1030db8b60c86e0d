"""Initial schema: users, catalog, scheduling, documents, assistant, telephony.

Hand-reviewed autogenerate output, plus what autogenerate can't see: the extensions
(citext for users.email, btree_gist for the appointment exclusion constraints, vector
for document_chunks.embedding and its HNSW index) and, on downgrade, the enum types.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:00:52.632978+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXTENSIONS = ("citext", "btree_gist", "vector")
ENUM_TYPES = (
    "user_role",
    "appointment_status",
    "appointment_type",
    "document_status",
    "message_role",
    "ai_channel",
    "call_turn_status",
)
# Children before parents.
TABLES = (
    "document_chunks",
    "documents",
    "conversation_messages",
    "conversations",
    "ai_logs",
    "call_turns",
    "calls",
    "twilio_config",
    "appointments",
    "doctor_time_off",
    "doctor_working_hours",
    "doctor_services",
    "services",
    "doctors",
    "patients",
    "users",
)


def upgrade() -> None:
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")

    op.create_table(
        "calls",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("from_number", sa.String(length=32), nullable=True),
        sa.Column("to_number", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("silent_turns", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("calls_pkey")),
        sa.UniqueConstraint("call_sid", name=op.f("calls_call_sid_key")),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("currency", sa.CHAR(length=3), server_default="EUR", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 480",
            name=op.f("services_duration_minutes_check"),
        ),
        sa.CheckConstraint("price >= 0", name=op.f("services_price_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("services_pkey")),
        sa.UniqueConstraint("name", name=op.f("services_name_key")),
    )
    op.create_table(
        "twilio_config",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("account_sid", sa.String(length=64), nullable=False),
        sa.Column("auth_token_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("twilio_config_single_row_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("twilio_config_pkey")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", postgresql.CITEXT(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("patient", "doctor", "admin", name="user_role"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("users_pkey")),
        sa.UniqueConstraint("email", name=op.f("users_email_key")),
    )
    op.create_table(
        "ai_logs",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.Enum("chat", "phone", name="ai_channel"), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "source_documents",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("ai_logs_user_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("ai_logs_pkey")),
    )
    op.create_index(op.f("ai_logs_created_at_idx"), "ai_logs", ["created_at"], unique=False)
    op.create_index(op.f("ai_logs_user_id_idx"), "ai_logs", ["user_id"], unique=False)
    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "confirmed",
                "completed",
                "cancelled",
                "no_show",
                name="appointment_status",
            ),
            server_default="scheduled",
            nullable=False,
        ),
        sa.Column(
            "type",
            sa.Enum("in_person", "video", "phone", name="appointment_type"),
            server_default="in_person",
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.literal_column("doctor_id"), "="),
            (sa.text("tstzrange(start_time, end_time, '[)')"), "&&"),
            where=sa.text("status <> 'cancelled'"),
            using="gist",
            name=op.f("appointments_no_doctor_overlap"),
        ),
        postgresql.ExcludeConstraint(
            (sa.literal_column("patient_id"), "="),
            (sa.text("tstzrange(start_time, end_time, '[)')"), "&&"),
            where=sa.text("status <> 'cancelled'"),
            using="gist",
            name=op.f("appointments_no_patient_overlap"),
        ),
        sa.CheckConstraint("end_time > start_time", name=op.f("appointments_time_order_check")),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["users.id"], name=op.f("appointments_doctor_id_fkey")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("appointments_patient_id_fkey")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("appointments_service_id_fkey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("appointments_pkey")),
    )
    op.create_index(
        op.f("appointments_doctor_id_start_time_idx"),
        "appointments",
        ["doctor_id", "start_time"],
        unique=False,
    )
    op.create_index(
        op.f("appointments_patient_id_start_time_idx"),
        "appointments",
        ["patient_id", "start_time"],
        unique=False,
    )
    op.create_index(
        op.f("appointments_service_id_idx"),
        "appointments",
        ["service_id"],
        unique=False,
    )
    op.create_index(
        op.f("appointments_start_time_idx"),
        "appointments",
        ["start_time"],
        unique=False,
    )
    op.create_table(
        "call_turns",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("recording_sid", sa.String(length=64), nullable=False),
        sa.Column("recording_url", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "done", "failed", name="call_turn_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("timings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("call_turns_call_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("call_turns_pkey")),
        sa.UniqueConstraint("recording_sid", name=op.f("call_turns_recording_sid_key")),
    )
    op.create_index(op.f("call_turns_call_id_idx"), "call_turns", ["call_id"], unique=False)
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("conversations_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("conversations_pkey")),
    )
    op.create_index(op.f("conversations_user_id_idx"), "conversations", ["user_id"], unique=False)
    op.create_table(
        "doctors",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("specialty", sa.String(length=200), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("doctors_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("doctors_pkey")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("storage_url", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "processing", "ready", "failed", name="document_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processing_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("documents_patient_id_fkey")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("documents_user_id_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("documents_pkey")),
        sa.UniqueConstraint(
            "user_id",
            "patient_id",
            "sha256",
            name=op.f("documents_user_id_patient_id_sha256_key"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("documents_patient_id_idx"), "documents", ["patient_id"], unique=False)
    op.create_index(op.f("documents_status_idx"), "documents", ["status"], unique=False)
    op.create_table(
        "patients",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("patients_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("patients_pkey")),
    )
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Enum("user", "assistant", name="message_role"), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("conversation_messages_conversation_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("conversation_messages_pkey")),
    )
    op.create_index(
        op.f("conversation_messages_conversation_id_created_at_idx"),
        "conversation_messages",
        ["conversation_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "doctor_services",
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.user_id"],
            name=op.f("doctor_services_doctor_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("doctor_services_service_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("doctor_id", "service_id", name=op.f("doctor_services_pkey")),
    )
    op.create_index(
        op.f("doctor_services_service_id_idx"),
        "doctor_services",
        ["service_id"],
        unique=False,
    )
    op.create_table(
        "doctor_time_off",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("start_time < end_time", name=op.f("doctor_time_off_time_order_check")),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.user_id"],
            name=op.f("doctor_time_off_doctor_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("doctor_time_off_pkey")),
    )
    op.create_index(
        op.f("doctor_time_off_doctor_id_idx"),
        "doctor_time_off",
        ["doctor_id"],
        unique=False,
    )
    op.create_table(
        "doctor_working_hours",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "start_time < end_time", name=op.f("doctor_working_hours_time_order_check")
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 1 AND 7", name=op.f("doctor_working_hours_weekday_check")
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.user_id"],
            name=op.f("doctor_working_hours_doctor_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("doctor_working_hours_pkey")),
    )
    op.create_index(
        op.f("doctor_working_hours_doctor_id_idx"),
        "doctor_working_hours",
        ["doctor_id"],
        unique=False,
    )
    op.create_table(
        "document_chunks",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", Vector(384), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("document_chunks_document_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("document_chunks_patient_id_fkey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("document_chunks_pkey")),
        sa.UniqueConstraint(
            "document_id",
            "chunk_index",
            name=op.f("document_chunks_document_id_chunk_index_key"),
        ),
    )
    op.create_index(
        op.f("document_chunks_embedding_idx"),
        "document_chunks",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(
        op.f("document_chunks_patient_id_idx"),
        "document_chunks",
        ["patient_id"],
        unique=False,
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    for enum_type in ENUM_TYPES:
        op.execute(f"DROP TYPE {enum_type}")
    for extension in reversed(EXTENSIONS):
        op.execute(f"DROP EXTENSION IF EXISTS {extension}")
