// This file is generated from api-contract/openapi.yaml by @hey-api/openapi-ts
// (clients/typescript/openapi-ts.config.ts). Do not edit; run `make regen`.

import { client } from './client.gen.js';
import { type Client, formDataBodySerializer, type Options as Options2, type TDataShape, urlSearchParamsBodySerializer } from './client/index.js';
import type { ChangePasswordData, ChangePasswordErrors, ChangePasswordResponses, ChatData, ChatErrors, ChatResponses, ChatStreamData, ChatStreamErrors, ChatStreamResponse, ChatStreamResponses, CreateAppointmentData, CreateAppointmentErrors, CreateAppointmentResponses, CreateServiceData, CreateServiceErrors, CreateServiceResponses, CreateUserData, CreateUserErrors, CreateUserResponses, DeleteDocumentData, DeleteDocumentErrors, DeleteDocumentResponses, DownloadDocumentFileData, DownloadDocumentFileErrors, DownloadDocumentFileResponses, GetAppointmentData, GetAppointmentErrors, GetAppointmentResponses, GetCurrentUserData, GetCurrentUserErrors, GetCurrentUserResponses, GetDoctorAvailabilityData, GetDoctorAvailabilityErrors, GetDoctorAvailabilityResponses, GetDoctorData, GetDoctorErrors, GetDoctorResponses, GetDoctorScheduleData, GetDoctorScheduleErrors, GetDoctorScheduleResponses, GetDocumentData, GetDocumentErrors, GetDocumentResponses, GetHealthData, GetHealthResponses, GetMyAccessLogData, GetMyAccessLogErrors, GetMyAccessLogResponses, GetReadinessData, GetReadinessErrors, GetReadinessResponses, GetTurnResultData, GetTurnResultErrors, GetTurnResultResponses, GetTwilioConfigData, GetTwilioConfigErrors, GetTwilioConfigResponses, GetUserData, GetUserErrors, GetUserResponses, HandleCallStatusData, HandleCallStatusErrors, HandleCallStatusResponses, HandleIncomingCallData, HandleIncomingCallErrors, HandleIncomingCallResponses, HandleRecordingData, HandleRecordingErrors, HandleRecordingResponses, IssueTokenData, IssueTokenErrors, IssueTokenResponses, ListAiLogsData, ListAiLogsErrors, ListAiLogsResponses, ListAppointmentsData, ListAppointmentsErrors, ListAppointmentsResponses, ListAuditEventsData, ListAuditEventsErrors, ListAuditEventsResponses, ListDoctorsData, ListDoctorsErrors, ListDoctorsResponses, ListDocumentsData, ListDocumentsErrors, ListDocumentsResponses, ListServicesData, ListServicesErrors, ListServicesResponses, ListUsersData, ListUsersErrors, ListUsersResponses, LoginData, LoginErrors, LoginResponses, LogoutData, LogoutErrors, LogoutResponses, RefreshSessionData, RefreshSessionErrors, RefreshSessionResponses, RegisterPatientData, RegisterPatientErrors, RegisterPatientResponses, ReplaceDoctorScheduleData, ReplaceDoctorScheduleErrors, ReplaceDoctorScheduleResponses, SaveTwilioConfigData, SaveTwilioConfigErrors, SaveTwilioConfigResponses, UpdateAppointmentData, UpdateAppointmentErrors, UpdateAppointmentResponses, UpdateServiceData, UpdateServiceErrors, UpdateServiceResponses, UpdateUserData, UpdateUserErrors, UpdateUserResponses, UploadDocumentData, UploadDocumentErrors, UploadDocumentResponses } from './types.gen.js';

export type Options<TData extends TDataShape = TDataShape, ThrowOnError extends boolean = boolean, TResponse = unknown> = Options2<TData, ThrowOnError, TResponse> & {
    /**
     * You can provide a client instance returned by `createClient()` instead of
     * individual options. This might be also useful if you want to implement a
     * custom client.
     */
    client?: Client;
    /**
     * You can pass arbitrary values through the `meta` object. This can be
     * used to access values that aren't defined as part of the SDK function.
     */
    meta?: Record<string, unknown>;
};

/**
 * Register a new patient account
 *
 * Creates a user with role `patient` and returns a token for it.
 * Any `role` or `id` sent by the client is ignored.
 *
 */
export const registerPatient = <ThrowOnError extends boolean = false>(options: Options<RegisterPatientData, ThrowOnError>) => (options.client ?? client).post<RegisterPatientResponses, RegisterPatientErrors, ThrowOnError>({
    url: '/auth/register',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Log in with email and password
 *
 * Answers 401 for unknown email, wrong password, inactive account, or
 * a syntactically odd email (never 422 for the email's format).
 * Attempts are counted per email and per client address before the password is
 * checked (429 past the limits); without Redis to count them, sign-in fails closed (503).
 *
 */
export const login = <ThrowOnError extends boolean = false>(options: Options<LoginData, ThrowOnError>) => (options.client ?? client).post<LoginResponses, LoginErrors, ThrowOnError>({
    url: '/auth/login',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * OAuth2 password grant token endpoint
 *
 * OAuth2 password flow (RFC 6749 §4.3). `username` is the account email.
 * Bad credentials answer 401.
 *
 */
export const issueToken = <ThrowOnError extends boolean = false>(options: Options<IssueTokenData, ThrowOnError>) => (options.client ?? client).post<IssueTokenResponses, IssueTokenErrors, ThrowOnError>({
    ...urlSearchParamsBodySerializer,
    url: '/auth/token',
    ...options,
    headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...options.headers
    }
});

/**
 * Renew the access token with a refresh token
 *
 * Spends the refresh token (each is valid once) and returns a new access token and the
 * next refresh token of the same session. A refresh token that is unknown, expired,
 * revoked or already spent answers 401 (`WWW-Authenticate: Bearer error="invalid_token"`);
 * one presented again after it was spent also ends its session: every refresh token
 * and access token of that sign-in stops working.
 *
 */
export const refreshSession = <ThrowOnError extends boolean = false>(options: Options<RefreshSessionData, ThrowOnError>) => (options.client ?? client).post<RefreshSessionResponses, RefreshSessionErrors, ThrowOnError>({
    url: '/auth/refresh',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * End the current session
 *
 * Ends the sign-in the access token belongs to: its refresh tokens are revoked and its
 * access tokens are refused from now on (401 `invalid_token`).
 *
 */
export const logout = <ThrowOnError extends boolean = false>(options?: Options<LogoutData, ThrowOnError>) => (options?.client ?? client).post<LogoutResponses, LogoutErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/auth/logout',
    ...options
});

/**
 * Change one's own password
 *
 * Needs the current password (403 if it is wrong). Every session of the account ends,
 * this one included; the answer opens a new one.
 *
 */
export const changePassword = <ThrowOnError extends boolean = false>(options: Options<ChangePasswordData, ThrowOnError>) => (options.client ?? client).post<ChangePasswordResponses, ChangePasswordErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/auth/password',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Get the authenticated user
 */
export const getCurrentUser = <ThrowOnError extends boolean = false>(options?: Options<GetCurrentUserData, ThrowOnError>) => (options?.client ?? client).get<GetCurrentUserResponses, GetCurrentUserErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/auth/me',
    ...options
});

/**
 * List users
 *
 * Optional filter by role; `q` searches name and email (case-insensitive substring).
 * Ordered by when the account was created, oldest first.
 *
 */
export const listUsers = <ThrowOnError extends boolean = false>(options?: Options<ListUsersData, ThrowOnError>) => (options?.client ?? client).get<ListUsersResponses, ListUsersErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/users',
    ...options
});

/**
 * Create a user with any role
 *
 * `specialty` and `serviceIds` apply to doctors only. Unknown `serviceIds` answer 422.
 *
 */
export const createUser = <ThrowOnError extends boolean = false>(options: Options<CreateUserData, ThrowOnError>) => (options.client ?? client).post<CreateUserResponses, CreateUserErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/users',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Get a user
 *
 * Non-admins may only read themselves; any other id answers 404.
 */
export const getUser = <ThrowOnError extends boolean = false>(options: Options<GetUserData, ThrowOnError>) => (options.client ?? client).get<GetUserResponses, GetUserErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/users/{userId}',
    ...options
});

/**
 * Update a user
 *
 * Non-admins may only update themselves (`name`, `phone`): another user's id answers 404,
 * as for reading; changing `role` or `isActive` as a non-admin answers 403.
 * An admin changing their own `role` answers 409. An empty body is a no-op.
 *
 */
export const updateUser = <ThrowOnError extends boolean = false>(options: Options<UpdateUserData, ThrowOnError>) => (options.client ?? client).patch<UpdateUserResponses, UpdateUserErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/users/{userId}',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * List services
 *
 * Inactive services are only included when `includeInactive` is true. Ordered by name.
 */
export const listServices = <ThrowOnError extends boolean = false>(options?: Options<ListServicesData, ThrowOnError>) => (options?.client ?? client).get<ListServicesResponses, ListServicesErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/services',
    ...options
});

/**
 * Create a service
 *
 * Service names are unique (case-insensitive); a taken name answers 409.
 */
export const createService = <ThrowOnError extends boolean = false>(options: Options<CreateServiceData, ThrowOnError>) => (options.client ?? client).post<CreateServiceResponses, CreateServiceErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/services',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Update a service
 *
 * Renaming to a taken name answers 409.
 */
export const updateService = <ThrowOnError extends boolean = false>(options: Options<UpdateServiceData, ThrowOnError>) => (options.client ?? client).patch<UpdateServiceResponses, UpdateServiceErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/services/{serviceId}',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * List doctors
 *
 * Only active doctors. Optional filters by offered service and specialty. Ordered by name.
 */
export const listDoctors = <ThrowOnError extends boolean = false>(options?: Options<ListDoctorsData, ThrowOnError>) => (options?.client ?? client).get<ListDoctorsResponses, ListDoctorsErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/doctors',
    ...options
});

/**
 * Get a doctor
 *
 * Answers 404 when the id is not an active doctor.
 */
export const getDoctor = <ThrowOnError extends boolean = false>(options: Options<GetDoctorData, ThrowOnError>) => (options.client ?? client).get<GetDoctorResponses, GetDoctorErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/doctors/{doctorId}',
    ...options
});

/**
 * Get a doctor's weekly hours, time off and services
 */
export const getDoctorSchedule = <ThrowOnError extends boolean = false>(options: Options<GetDoctorScheduleData, ThrowOnError>) => (options.client ?? client).get<GetDoctorScheduleResponses, GetDoctorScheduleErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/doctors/{doctorId}/schedule',
    ...options
});

/**
 * Replace a doctor's schedule
 *
 * Replaces weekly hours and time off wholesale; `serviceIds`, when present, replaces
 * the offered services (omitted = unchanged). A doctor may only replace their own
 * schedule (else 403). Times in `weeklyHours` are local to the doctor's timezone.
 * Answers 422 for overlapping intervals on the same weekday, an interval or time off
 * whose end is not after its start, or an unknown service id.
 *
 */
export const replaceDoctorSchedule = <ThrowOnError extends boolean = false>(options: Options<ReplaceDoctorScheduleData, ThrowOnError>) => (options.client ?? client).put<ReplaceDoctorScheduleResponses, ReplaceDoctorScheduleErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/doctors/{doctorId}/schedule',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Free slots of a doctor for a service
 *
 * Slots of the service's duration inside [`from`, `to`) that fit the weekly hours,
 * avoid time off and existing non-cancelled appointments, and are not in the past.
 * Answers 422 when `to` is not after `from`, the range exceeds 31 days, or the
 * doctor does not offer the service; 404 for an unknown doctor.
 *
 */
export const getDoctorAvailability = <ThrowOnError extends boolean = false>(options: Options<GetDoctorAvailabilityData, ThrowOnError>) => (options.client ?? client).get<GetDoctorAvailabilityResponses, GetDoctorAvailabilityErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/doctors/{doctorId}/availability',
    ...options
});

/**
 * List appointments
 *
 * Patients see only their own appointments (a `patientId` other than their own
 * answers 403); doctors see only appointments with themselves; admins see all.
 * `from`/`to` filter on `startTime`. Ordered by `startTime`, earliest first (then by
 * `id`): pass `from` (e.g. now) to page through the upcoming ones.
 *
 */
export const listAppointments = <ThrowOnError extends boolean = false>(options?: Options<ListAppointmentsData, ThrowOnError>) => (options?.client ?? client).get<ListAppointmentsResponses, ListAppointmentsErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/appointments',
    ...options
});

/**
 * Book an appointment
 *
 * Patients book for themselves (`patientId` omitted, null or their own; another patient's
 * id answers 403). Doctors and admins give `patientId`. 404 when the doctor, service or
 * patient is unknown. 409 when the slot is not free or the patient has too many open
 * appointments. 422 when the start time is not bookable or the doctor does not offer the
 * service. Bookable means what `getDoctorAvailability` lists: a start on the clinic's slot
 * grid (a multiple of `SLOT_GRID_MINUTES`, 15 by default, after midnight in the clinic's
 * time zone), inside the doctor's weekly hours for the whole service duration, outside time off, and at
 * least `BOOKING_MIN_NOTICE_MINUTES` (60) ahead.
 *
 */
export const createAppointment = <ThrowOnError extends boolean = false>(options: Options<CreateAppointmentData, ThrowOnError>) => (options.client ?? client).post<CreateAppointmentResponses, CreateAppointmentErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/appointments',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Get an appointment
 *
 * Appointments the caller may not see answer 404.
 */
export const getAppointment = <ThrowOnError extends boolean = false>(options: Options<GetAppointmentData, ThrowOnError>) => (options.client ?? client).get<GetAppointmentResponses, GetAppointmentErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/appointments/{appointmentId}',
    ...options
});

/**
 * Reschedule, change status or notes of an appointment
 *
 * Appointments the caller may not see answer 404; a change the caller's role may not make
 * answers 403. A forbidden status transition answers
 * 409 with `allowed` listing the permitted target statuses; a taken slot also answers 409.
 *
 */
export const updateAppointment = <ThrowOnError extends boolean = false>(options: Options<UpdateAppointmentData, ThrowOnError>) => (options.client ?? client).patch<UpdateAppointmentResponses, UpdateAppointmentErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/appointments/{appointmentId}',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * List documents
 *
 * Patients see only their own documents (another `patientId` answers 403); doctors and
 * admins see patients' documents and the knowledge base. Newest first.
 *
 */
export const listDocuments = <ThrowOnError extends boolean = false>(options?: Options<ListDocumentsData, ThrowOnError>) => (options?.client ?? client).get<ListDocumentsResponses, ListDocumentsErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/documents',
    ...options
});

/**
 * Upload a PDF document
 *
 * Accepts a PDF and queues it for processing (202). Uploading a file with the same
 * SHA-256 as an existing document of the same owner returns that document (200).
 * Without `patientId`, a patient uploads a private document of their own and a
 * doctor/admin uploads to the clinic knowledge base. With `patientId`, doctors/admins
 * upload that patient's private document (a patient giving another patient's id answers
 * 403; an unknown patient 404). Non-PDF files answer 415; files over the size limit 413.
 *
 */
export const uploadDocument = <ThrowOnError extends boolean = false>(options: Options<UploadDocumentData, ThrowOnError>) => (options.client ?? client).post<UploadDocumentResponses, UploadDocumentErrors, ThrowOnError>({
    ...formDataBodySerializer,
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/documents',
    ...options,
    headers: {
        'Content-Type': null,
        ...options.headers
    }
});

/**
 * Delete a document
 *
 * Removes the document, its file and its indexed chunks. Documents the caller may not see
 * answer 404; a document the caller may see but not delete answers 403.
 *
 */
export const deleteDocument = <ThrowOnError extends boolean = false>(options: Options<DeleteDocumentData, ThrowOnError>) => (options.client ?? client).delete<DeleteDocumentResponses, DeleteDocumentErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/documents/{documentId}',
    ...options
});

/**
 * Get a document's metadata
 *
 * Documents the caller may not see answer 404.
 */
export const getDocument = <ThrowOnError extends boolean = false>(options: Options<GetDocumentData, ThrowOnError>) => (options.client ?? client).get<GetDocumentResponses, GetDocumentErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/documents/{documentId}',
    ...options
});

/**
 * Download a document's PDF file
 *
 * Documents the caller may not see answer 404.
 */
export const downloadDocumentFile = <ThrowOnError extends boolean = false>(options: Options<DownloadDocumentFileData, ThrowOnError>) => (options.client ?? client).get<DownloadDocumentFileResponses, DownloadDocumentFileErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/documents/{documentId}/file',
    ...options
});

/**
 * Ask the AI assistant
 *
 * Answers from the clinic knowledge base and the documents the caller may see.
 * Omitting `conversationId` starts a new conversation; an unknown or foreign one answers 404.
 * 502 when the model provider fails, 503 when it is unavailable or not configured.
 *
 */
export const chat = <ThrowOnError extends boolean = false>(options: Options<ChatData, ThrowOnError>) => (options.client ?? client).post<ChatResponses, ChatErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/ai/chat',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Ask the AI assistant, streaming the reply (Server-Sent Events)
 *
 * Same rules as `chat`. The reply is a `text/event-stream` with these events:
 * - `token`: data `{"text": string}` — a piece of the reply;
 * - `done`: data `{"conversationId", "sources", "logId", "model"}` (see `ChatStreamDone`) — last event;
 * - `error`: data is a `Problem` — the stream ends after it.
 * Errors detected before streaming starts are answered as problem+json with their status.
 *
 */
export const chatStream = <ThrowOnError extends boolean = false>(options: Options<ChatStreamData, ThrowOnError, ChatStreamResponse>) => (options.client ?? client).sse.post<ChatStreamResponses, ChatStreamErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/ai/chat/stream',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * List AI interaction logs
 *
 * Newest first. `from`/`to` filter on `timestamp`.
 */
export const listAiLogs = <ThrowOnError extends boolean = false>(options?: Options<ListAiLogsData, ThrowOnError>) => (options?.client ?? client).get<ListAiLogsResponses, ListAiLogsErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/ai/logs',
    ...options
});

/**
 * List audit events
 *
 * The access audit trail, newest first: every read, change, download and refused attempt
 * on patient data, sign-ins, role and Twilio settings changes. Filters combine (AND);
 * `from` is inclusive, `to` exclusive. Events older than the retention are purged.
 *
 */
export const listAuditEvents = <ThrowOnError extends boolean = false>(options?: Options<ListAuditEventsData, ThrowOnError>) => (options?.client ?? client).get<ListAuditEventsResponses, ListAuditEventsErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/audit-events',
    ...options
});

/**
 * Who accessed my records
 *
 * The calling patient's access log, newest first: each read, change, download or refused
 * attempt by someone else (staff, by name and role) on the patient's account,
 * appointments and documents, and listings of their AI-assistant logs. The patient's own
 * actions are not listed.
 *
 */
export const getMyAccessLog = <ThrowOnError extends boolean = false>(options?: Options<GetMyAccessLogData, ThrowOnError>) => (options?.client ?? client).get<GetMyAccessLogResponses, GetMyAccessLogErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/users/me/access-log',
    ...options
});

/**
 * Get the Twilio configuration
 *
 * The auth token is never returned in clear: it is masked to its last 4 characters.
 * `source` tells whether the active configuration comes from the database, the
 * environment, or is absent.
 *
 */
export const getTwilioConfig = <ThrowOnError extends boolean = false>(options?: Options<GetTwilioConfigData, ThrowOnError>) => (options?.client ?? client).get<GetTwilioConfigResponses, GetTwilioConfigErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/integrations/twilio',
    ...options
});

/**
 * Save the Twilio configuration
 *
 * Stores the credentials (the auth token encrypted at rest); they take precedence over the environment.
 */
export const saveTwilioConfig = <ThrowOnError extends boolean = false>(options: Options<SaveTwilioConfigData, ThrowOnError>) => (options.client ?? client).post<SaveTwilioConfigResponses, SaveTwilioConfigErrors, ThrowOnError>({
    security: [{ scheme: 'bearer', type: 'http' }],
    url: '/integrations/twilio',
    ...options,
    headers: {
        'Content-Type': 'application/json',
        ...options.headers
    }
});

/**
 * Twilio voice webhook for an incoming call
 *
 * Called by Twilio when a call comes in. The `X-Twilio-Signature` header must be valid
 * for the full request URL and form parameters, else 403. Answers TwiML.
 *
 */
export const handleIncomingCall = <ThrowOnError extends boolean = false>(options: Options<HandleIncomingCallData, ThrowOnError>) => (options.client ?? client).post<HandleIncomingCallResponses, HandleIncomingCallErrors, ThrowOnError>({
    ...urlSearchParamsBodySerializer,
    security: [{ name: 'X-Twilio-Signature', type: 'apiKey' }],
    url: '/webhooks/twilio/voice',
    ...options,
    headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...options.headers
    }
});

/**
 * Twilio recording callback
 *
 * Called by Twilio when a caller's recording is available. Queues transcription and the
 * AI answer, and answers TwiML that redirects to the turn-result webhook.
 * Invalid signature answers 403.
 *
 */
export const handleRecording = <ThrowOnError extends boolean = false>(options: Options<HandleRecordingData, ThrowOnError>) => (options.client ?? client).post<HandleRecordingResponses, HandleRecordingErrors, ThrowOnError>({
    ...urlSearchParamsBodySerializer,
    security: [{ name: 'X-Twilio-Signature', type: 'apiKey' }],
    url: '/webhooks/twilio/recording',
    ...options,
    headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...options.headers
    }
});

/**
 * Poll the result of a conversational turn
 *
 * Twilio redirects here until the AI answer of a turn is ready: answers TwiML that speaks
 * the answer, or pauses and redirects with `attempt` + 1; after the last attempt it
 * apologises and hangs up. Unknown turn answers 404; invalid signature 403.
 *
 */
export const getTurnResult = <ThrowOnError extends boolean = false>(options: Options<GetTurnResultData, ThrowOnError>) => (options.client ?? client).post<GetTurnResultResponses, GetTurnResultErrors, ThrowOnError>({
    ...urlSearchParamsBodySerializer,
    security: [{ name: 'X-Twilio-Signature', type: 'apiKey' }],
    url: '/webhooks/twilio/turns/{turnId}',
    ...options,
    headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...options.headers
    }
});

/**
 * Twilio call status callback
 *
 * Records call progress (e.g. completed, failed). Invalid signature answers 403.
 */
export const handleCallStatus = <ThrowOnError extends boolean = false>(options: Options<HandleCallStatusData, ThrowOnError>) => (options.client ?? client).post<HandleCallStatusResponses, HandleCallStatusErrors, ThrowOnError>({
    ...urlSearchParamsBodySerializer,
    security: [{ name: 'X-Twilio-Signature', type: 'apiKey' }],
    url: '/webhooks/twilio/status',
    ...options,
    headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...options.headers
    }
});

/**
 * Liveness probe
 */
export const getHealth = <ThrowOnError extends boolean = false>(options?: Options<GetHealthData, ThrowOnError>) => (options?.client ?? client).get<GetHealthResponses, unknown, ThrowOnError>({ url: '/health', ...options });

/**
 * Readiness probe
 *
 * Checks the database, Redis and the workers (a fresh heartbeat from a worker on each queue: phone calls and documents); 503 when any is unavailable.
 */
export const getReadiness = <ThrowOnError extends boolean = false>(options?: Options<GetReadinessData, ThrowOnError>) => (options?.client ?? client).get<GetReadinessResponses, GetReadinessErrors, ThrowOnError>({ url: '/ready', ...options });
