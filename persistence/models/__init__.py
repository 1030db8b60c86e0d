"""All ORM models; importing this package registers every table on Base.metadata."""

from persistence.models.assistant import (
    AIChannel,
    AILog,
    Conversation,
    ConversationMessage,
    MessageRole,
)
from persistence.models.audit import AuditChainHead, AuditCheckpoint, AuditEvent
from persistence.models.catalog import DoctorService, Service
from persistence.models.documents import (
    EMBEDDING_DIMENSIONS,
    Document,
    DocumentChunk,
    DocumentStatus,
)
from persistence.models.integrations import TwilioConfig
from persistence.models.scheduling import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    DoctorTimeOff,
    DoctorWorkingHours,
)
from persistence.models.sessions import RefreshToken
from persistence.models.telephony import Call, CallTurn, CallTurnStatus
from persistence.models.users import Caller, Doctor, Patient, Principal, User, UserRole

__all__ = [
    "EMBEDDING_DIMENSIONS",
    "AIChannel",
    "AILog",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "Call",
    "CallTurn",
    "CallTurnStatus",
    "Caller",
    "Conversation",
    "ConversationMessage",
    "Doctor",
    "DoctorService",
    "DoctorTimeOff",
    "DoctorWorkingHours",
    "Document",
    "DocumentChunk",
    "DocumentStatus",
    "MessageRole",
    "Patient",
    "Principal",
    "RefreshToken",
    "Service",
    "TwilioConfig",
    "User",
    "UserRole",
]
