"""Which contract operations touch patient data, and the audit action each one records.

Every operationId of api-contract/openapi.yaml is in exactly one of the two maps (a test
checks it, and calls each audited operation to see its event written). The request context
uses `AUDITED` to record a refused attempt (401/403/404) under the operation's action.
"""

from dataclasses import dataclass

from services.audit import AuditAction as A


@dataclass(frozen=True)
class Audited:
    action: A
    object_type: str


AUDITED: dict[str, Audited] = {
    "registerPatient": Audited(A.USER_CREATE, "user"),
    "login": Audited(A.LOGIN, "user"),
    "issueToken": Audited(A.LOGIN, "user"),
    "refreshSession": Audited(A.TOKEN_REFRESH, "user"),
    "logout": Audited(A.LOGOUT, "user"),
    "changePassword": Audited(A.PASSWORD_CHANGE, "user"),
    "getCurrentUser": Audited(A.USER_READ, "user"),
    "listUsers": Audited(A.USER_LIST, "user"),
    "createUser": Audited(A.USER_CREATE, "user"),
    "getUser": Audited(A.USER_READ, "user"),
    "updateUser": Audited(A.USER_UPDATE, "user"),
    "listAppointments": Audited(A.APPOINTMENT_LIST, "appointment"),
    "createAppointment": Audited(A.APPOINTMENT_CREATE, "appointment"),
    "getAppointment": Audited(A.APPOINTMENT_READ, "appointment"),
    "updateAppointment": Audited(A.APPOINTMENT_UPDATE, "appointment"),
    "listDocuments": Audited(A.DOCUMENT_LIST, "document"),
    "uploadDocument": Audited(A.DOCUMENT_CREATE, "document"),
    "getDocument": Audited(A.DOCUMENT_READ, "document"),
    "deleteDocument": Audited(A.DOCUMENT_DELETE, "document"),
    "downloadDocumentFile": Audited(A.DOCUMENT_DOWNLOAD, "document"),
    "chat": Audited(A.CONVERSATION_MESSAGE, "conversation"),
    "chatStream": Audited(A.CONVERSATION_MESSAGE, "conversation"),
    "listAiLogs": Audited(A.AI_LOG_LIST, "ai_log"),
    "saveTwilioConfig": Audited(A.TWILIO_SETTINGS_CHANGE, "twilio_config"),
    "listAuditEvents": Audited(A.AUDIT_LIST, "audit_event"),
    "getMyAccessLog": Audited(A.ACCESS_LOG_READ, "audit_event"),
}

# Why each of these touches no patient's row.
NOT_PATIENT_DATA: dict[str, str] = {
    "listServices": "the clinic's catalog",
    "createService": "the clinic's catalog",
    "updateService": "the clinic's catalog",
    "listDoctors": "doctors' public profiles",
    "getDoctor": "a doctor's public profile",
    "getDoctorSchedule": "a doctor's working hours",
    "replaceDoctorSchedule": "a doctor's working hours",
    "getDoctorAvailability": "free slots, naming no patient",
    "getTwilioConfig": "the clinic's phone account (the token is never returned)",
    "handleIncomingCall": "Twilio's webhook: calls are anonymous, linked to no patient account",
    "handleRecording": "Twilio's webhook: calls are anonymous, linked to no patient account",
    "getTurnResult": "Twilio's webhook: calls are anonymous, linked to no patient account",
    "handleCallStatus": "Twilio's webhook: calls are anonymous, linked to no patient account",
    "getHealth": "liveness",
    "getReadiness": "readiness",
}
