// This file is generated from api-contract/openapi.yaml by @hey-api/openapi-ts
// (clients/typescript/openapi-ts.config.ts). Do not edit; run `make regen`.

export type ClientOptions = {
    baseUrl: `${string}://${string}` | (string & {});
};

/**
 * RFC 9457 problem details.
 */
export type Problem = {
    /**
     * URI reference identifying the problem type; `about:blank` when none.
     */
    type: string;
    title: string;
    status: number;
    detail?: string;
    instance?: string;
    /**
     * Validation failures (422).
     */
    errors?: Array<ValidationErrorItem>;
    /**
     * Allowed values, e.g. permitted status transitions (409).
     */
    allowed?: Array<string>;
    /**
     * The request's id, as in the X-Request-ID response header and the logs.
     */
    requestId?: string;
    [key: string]: unknown;
};

export type ValidationErrorItem = {
    loc: Array<string | number>;
    msg: string;
    type: string;
};

export type Role = 'patient' | 'doctor' | 'admin';

export type AppointmentStatus = 'scheduled' | 'confirmed' | 'completed' | 'cancelled' | 'no_show';

export type AppointmentType = 'in_person' | 'video' | 'phone';

export type DocumentStatus = 'pending' | 'processing' | 'ready' | 'failed';

export type AiChannel = 'chat' | 'phone';

export type TwilioConfigSource = 'database' | 'environment' | 'none';

export type CheckStatus = 'ok' | 'unavailable';

/**
 * Unknown properties (e.g. `role`, `id`) are accepted and ignored.
 */
export type RegisterRequest = {
    email: string;
    /**
     * Also refused (422) when common or easy to guess (a known password, a word, a repeat, a sequence).
     */
    password: string;
    name: string;
    phone?: string | null;
};

export type LoginRequest = {
    email: string;
    password: string;
};

/**
 * OAuth2 password grant form. Other OAuth2 parameters (e.g. `client_id`,
 * `client_secret`) are accepted and ignored.
 *
 */
export type OAuth2PasswordForm = {
    grant_type?: string;
    /**
     * The account email. An empty form field counts as missing.
     */
    username: string;
    /**
     * An empty form field counts as missing.
     */
    password: string;
    scope?: string;
};

export type TokenResponse = {
    access_token: string;
    token_type: 'bearer';
    /**
     * Lifetime of the access token in seconds (short; renew it with `/auth/refresh`).
     */
    expires_in: number;
    /**
     * One-time token for `POST /auth/refresh`, which answers the next one.
     */
    refresh_token: string;
    /**
     * Lifetime of the refresh token in seconds, if unused.
     */
    refresh_expires_in: number;
    user: User;
};

export type RefreshRequest = {
    refresh_token: string;
};

export type PasswordChange = {
    currentPassword: string;
    /**
     * The new password; refused (422) when common or easy to guess, as at registration.
     */
    password: string;
};

export type User = {
    id: string;
    email: string;
    role: Role;
    name: string;
    phone: string | null;
    isActive: boolean;
    createdAt: string;
};

export type UserCreate = {
    email: string;
    /**
     * Also refused (422) when common or easy to guess (a known password, a word, a repeat, a sequence).
     */
    password: string;
    name: string;
    phone?: string | null;
    role: Role;
    /**
     * Doctors only.
     */
    specialty?: string | null;
    /**
     * Services the doctor offers (doctors only).
     */
    serviceIds?: Array<string>;
};

/**
 * All fields optional; an empty object changes nothing.
 */
export type UserUpdate = {
    name?: string;
    phone?: string | null;
    role?: Role;
    isActive?: boolean;
};

export type UserPage = {
    items: Array<User>;
    total: number;
    limit: number;
    offset: number;
};

export type Service = {
    id: string;
    name: string;
    description: string | null;
    durationMinutes: number;
    /**
     * Decimal amount with two decimals, e.g. "45.00" (also when created as "45").
     */
    price: string;
    currency: string;
    active: boolean;
};

export type ServiceCreate = {
    name: string;
    description?: string | null;
    durationMinutes: number;
    /**
     * Decimal amount, e.g. "45.00".
     */
    price: string;
    /**
     * ISO 4217 code.
     */
    currency?: string;
    active?: boolean;
};

/**
 * All fields optional; only given fields change.
 */
export type ServiceUpdate = {
    name?: string;
    description?: string | null;
    durationMinutes?: number;
    price?: string;
    currency?: string;
    active?: boolean;
};

export type ServicePage = {
    items: Array<Service>;
    total: number;
    limit: number;
    offset: number;
};

export type Doctor = {
    /**
     * The doctor's user id.
     */
    id: string;
    name: string;
    email: string;
    phone: string | null;
    specialty: string | null;
    bio: string | null;
    serviceIds: Array<string>;
    /**
     * IANA time zone name, e.g. "Europe/Berlin".
     */
    timezone: string;
};

export type DoctorPage = {
    items: Array<Doctor>;
    total: number;
    limit: number;
    offset: number;
};

/**
 * A weekly working interval in the doctor's local time; `end` must be after `start`.
 */
export type WorkingInterval = {
    /**
     * ISO weekday, 1 = Monday … 7 = Sunday.
     */
    weekday: number;
    /**
     * Local time HH:MM.
     */
    start: string;
    /**
     * Local time HH:MM.
     */
    end: string;
};

/**
 * A period the doctor is unavailable.
 */
export type TimeOff = {
    start: string;
    end: string;
    reason: string | null;
};

/**
 * A period the doctor is unavailable; `end` must be after `start`.
 */
export type TimeOffInput = {
    start: string;
    end: string;
    reason?: string | null;
};

export type DoctorScheduleInput = {
    weeklyHours: Array<WorkingInterval>;
    timeOff: Array<TimeOffInput>;
    /**
     * Services the doctor offers; omitted = unchanged.
     */
    serviceIds?: Array<string>;
};

export type DoctorSchedule = {
    doctorId: string;
    /**
     * IANA time zone name the weekly hours are expressed in.
     */
    timezone: string;
    weeklyHours: Array<WorkingInterval>;
    timeOff: Array<TimeOff>;
    serviceIds: Array<string>;
};

export type Slot = {
    startTime: string;
    endTime: string;
};

export type Availability = {
    items: Array<Slot>;
    /**
     * The doctor's IANA time zone.
     */
    timezone: string;
};

export type Appointment = {
    id: string;
    patientId: string;
    doctorId: string;
    serviceId: string;
    startTime: string;
    endTime: string;
    status: AppointmentStatus;
    type: AppointmentType;
    notes: string | null;
    createdAt: string;
    updatedAt: string;
};

export type AppointmentCreate = {
    doctorId: string;
    serviceId: string;
    /**
     * At most BOOKING_HORIZON_DAYS (default 365) days ahead; a later start answers 422.
     */
    startTime: string;
    type: AppointmentType;
    notes?: string | null;
    /**
     * Required for doctors and admins; patients omit it or give their own id.
     */
    patientId?: string | null;
};

/**
 * All fields optional; only given fields change. Changing `startTime` reschedules: the new
 * start must be bookable, as for `createAppointment` (else 422, or 409 when taken).
 *
 */
export type AppointmentUpdate = {
    status?: AppointmentStatus;
    /**
     * At most BOOKING_HORIZON_DAYS (default 365) days ahead; a later start answers 422.
     */
    startTime?: string;
    notes?: string | null;
};

export type AppointmentPage = {
    items: Array<Appointment>;
    total: number;
    limit: number;
    offset: number;
};

export type DocumentUploadForm = {
    /**
     * The PDF file.
     */
    file: Blob | File;
    title?: string;
    /**
     * The patient whose private document this is (doctors/admins uploading for a patient).
     */
    patientId?: string;
};

export type Document = {
    id: string;
    /**
     * The uploader.
     */
    userId: string;
    /**
     * The patient this document belongs to; null = clinic knowledge base.
     */
    patientId: string | null;
    title: string | null;
    filename: string;
    contentType: string;
    sizeBytes: number;
    sha256: string;
    status: DocumentStatus;
    pageCount: number | null;
    chunkCount: number | null;
    error: string | null;
    storageUrl: string;
    createdAt: string;
    updatedAt: string;
};

export type DocumentPage = {
    items: Array<Document>;
    total: number;
    limit: number;
    offset: number;
};

export type ChatRequest = {
    message: string;
    /**
     * Continue this conversation; omit or null to start a new one.
     */
    conversationId?: string | null;
};

/**
 * A document passage retrieved for the question.
 */
export type Source = {
    documentId: string;
    filename: string;
    page: number | null;
    snippet: string;
    score: number;
};

export type ChatResponse = {
    reply: string;
    conversationId: string;
    /**
     * The passages retrieved for the question, in the order the reply's [n] citations count them ([1] is the first). Empty when the reply cites none of them, as when the clinic's documents do not hold the answer.
     */
    sources: Array<Source>;
    logId: string;
    model: string;
};

/**
 * Data of a `token` SSE event.
 */
export type ChatStreamToken = {
    text: string;
};

/**
 * Data of the final `done` SSE event.
 */
export type ChatStreamDone = {
    conversationId: string;
    /**
     * As `ChatResponse.sources`.
     */
    sources: Array<Source>;
    logId: string;
    model: string;
};

export type AiLog = {
    id: string;
    /**
     * Null for anonymous phone callers.
     */
    userId: string | null;
    channel: AiChannel;
    query: string;
    response: string;
    timestamp: string;
    sourceDocuments: Array<Source>;
    model: string;
    latencyMs: number;
    promptTokens: number | null;
    completionTokens: number | null;
    error: string | null;
};

export type AiLogPage = {
    items: Array<AiLog>;
    total: number;
    limit: number;
    offset: number;
};

export type AuditAction = 'auth.login' | 'auth.refresh' | 'auth.logout' | 'user.read' | 'user.list' | 'user.create' | 'user.update' | 'user.role_change' | 'user.password_change' | 'appointment.read' | 'appointment.list' | 'appointment.create' | 'appointment.update' | 'document.read' | 'document.list' | 'document.create' | 'document.delete' | 'document.download' | 'conversation.message' | 'ai_log.list' | 'integration.twilio_change' | 'audit.list' | 'audit.access_log_read';

/**
 * `failure`: a wrong password; `refused`: 403 or 404 on an object or operation the caller may not reach.
 */
export type AuditOutcome = 'success' | 'failure' | 'refused';

export type AuditEvent = {
    id: number;
    occurredAt: string;
    /**
     * Null for an anonymous attempt (a sign-in with an unknown email).
     */
    actorId: string | null;
    /**
     * The actor's role when the event was recorded.
     */
    actorRole: string | null;
    actorName: string | null;
    action: AuditAction;
    objectType: string;
    objectId: string | null;
    /**
     * The patient whose data a single object concerned (null for a list read).
     */
    patientId: string | null;
    /**
     * A list read's: every patient whose rows it returned, in one event (empty if none).
     * Null for other events, and for list reads recorded before 2026-12-02, which gave one
     * event per patient returned, named in `patientId`.
     *
     */
    patientIds: Array<string> | null;
    outcome: AuditOutcome;
    requestId: string | null;
    clientIp: string | null;
    userAgent: string | null;
    detail: {
        [key: string]: unknown;
    } | null;
};

export type AuditEventPage = {
    items: Array<AuditEvent>;
    total: number;
    limit: number;
    offset: number;
};

export type AccessLogEntry = {
    occurredAt: string;
    /**
     * Who accessed the record; null for an anonymous attempt.
     */
    actorName: string | null;
    actorRole: string | null;
    action: AuditAction;
    objectType: string;
    objectId: string | null;
    outcome: AuditOutcome;
};

export type AccessLogPage = {
    items: Array<AccessLogEntry>;
    total: number;
    limit: number;
    offset: number;
};

export type TwilioConfig = {
    configured: boolean;
    source: TwilioConfigSource;
    accountSid: string | null;
    /**
     * Masked, e.g. "••••••••••••••••••••••••••••abcd"; never returned in clear.
     */
    authToken: string | null;
    phoneNumber: string | null;
    updatedAt: string | null;
};

export type TwilioConfigInput = {
    accountSid: string;
    authToken: string;
    phoneNumber: string;
};

/**
 * Twilio voice request parameters; Twilio sends many more, which are accepted.
 */
export type TwilioCallForm = {
    CallSid: string;
    AccountSid: string;
    From?: string;
    To?: string;
    CallStatus?: string;
    Direction?: string;
    ApiVersion?: string;
    [key: string]: unknown;
};

/**
 * Twilio recording callback parameters; extra parameters are accepted.
 */
export type TwilioRecordingForm = {
    CallSid: string;
    AccountSid: string;
    /**
     * Must be on one of the configured Twilio media hosts (TWILIO_MEDIA_HOSTS; plain http
     * only for a loopback host), else 422: the recording is fetched from there.
     *
     */
    RecordingUrl: string;
    RecordingSid: string;
    /**
     * Whole seconds; Twilio may send it empty, which counts as not given.
     */
    RecordingDuration?: string;
    RecordingStatus?: string;
    [key: string]: unknown;
};

/**
 * Twilio call status callback parameters; extra parameters are accepted.
 */
export type TwilioStatusForm = {
    CallSid: string;
    AccountSid: string;
    CallStatus: string;
    /**
     * Whole seconds; Twilio may send it empty, which counts as not given.
     */
    CallDuration?: string;
    [key: string]: unknown;
};

export type Health = {
    status: 'ok';
};

export type ReadinessChecks = {
    database: CheckStatus;
    redis: CheckStatus;
    workers: CheckStatus;
};

export type Readiness = {
    status: CheckStatus;
    checks: ReadinessChecks;
};

/**
 * Page size.
 */
export type Limit = number;

/**
 * Number of items to skip.
 */
export type Offset = number;

export type UserId = string;

export type ServiceId = string;

/**
 * The doctor's user id.
 */
export type DoctorId = string;

export type AppointmentId = string;

export type DocumentId = string;

export type RegisterPatientData = {
    body: RegisterRequest;
    path?: never;
    query?: never;
    url: '/auth/register';
};

export type RegisterPatientErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * Rate limit exceeded.
     */
    429: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type RegisterPatientError = RegisterPatientErrors[keyof RegisterPatientErrors];

export type RegisterPatientResponses = {
    /**
     * Patient created; token issued.
     */
    201: TokenResponse;
};

export type RegisterPatientResponse = RegisterPatientResponses[keyof RegisterPatientResponses];

export type LoginData = {
    body: LoginRequest;
    path?: never;
    query?: never;
    url: '/auth/login';
};

export type LoginErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * Rate limit exceeded.
     */
    429: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type LoginError = LoginErrors[keyof LoginErrors];

export type LoginResponses = {
    /**
     * Token issued.
     */
    200: TokenResponse;
};

export type LoginResponse = LoginResponses[keyof LoginResponses];

export type IssueTokenData = {
    body: OAuth2PasswordForm;
    path?: never;
    query?: never;
    url: '/auth/token';
};

export type IssueTokenErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * Rate limit exceeded.
     */
    429: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type IssueTokenError = IssueTokenErrors[keyof IssueTokenErrors];

export type IssueTokenResponses = {
    /**
     * Token issued.
     */
    200: TokenResponse;
};

export type IssueTokenResponse = IssueTokenResponses[keyof IssueTokenResponses];

export type RefreshSessionData = {
    body: RefreshRequest;
    path?: never;
    query?: never;
    url: '/auth/refresh';
};

export type RefreshSessionErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type RefreshSessionError = RefreshSessionErrors[keyof RefreshSessionErrors];

export type RefreshSessionResponses = {
    /**
     * The session renewed.
     */
    200: TokenResponse;
};

export type RefreshSessionResponse = RefreshSessionResponses[keyof RefreshSessionResponses];

export type LogoutData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/auth/logout';
};

export type LogoutErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type LogoutError = LogoutErrors[keyof LogoutErrors];

export type LogoutResponses = {
    /**
     * The session has ended.
     */
    204: void;
};

export type LogoutResponse = LogoutResponses[keyof LogoutResponses];

export type ChangePasswordData = {
    body: PasswordChange;
    path?: never;
    query?: never;
    url: '/auth/password';
};

export type ChangePasswordErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ChangePasswordError = ChangePasswordErrors[keyof ChangePasswordErrors];

export type ChangePasswordResponses = {
    /**
     * Password changed; a new session.
     */
    200: TokenResponse;
};

export type ChangePasswordResponse = ChangePasswordResponses[keyof ChangePasswordResponses];

export type GetCurrentUserData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/auth/me';
};

export type GetCurrentUserErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetCurrentUserError = GetCurrentUserErrors[keyof GetCurrentUserErrors];

export type GetCurrentUserResponses = {
    /**
     * The authenticated user.
     */
    200: User;
};

export type GetCurrentUserResponse = GetCurrentUserResponses[keyof GetCurrentUserResponses];

export type ListUsersData = {
    body?: never;
    path?: never;
    query?: {
        role?: Role;
        /**
         * Case-insensitive substring search over name and email.
         */
        q?: string;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/users';
};

export type ListUsersErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListUsersError = ListUsersErrors[keyof ListUsersErrors];

export type ListUsersResponses = {
    /**
     * A page of users.
     */
    200: UserPage;
};

export type ListUsersResponse = ListUsersResponses[keyof ListUsersResponses];

export type CreateUserData = {
    body: UserCreate;
    path?: never;
    query?: never;
    url: '/users';
};

export type CreateUserErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type CreateUserError = CreateUserErrors[keyof CreateUserErrors];

export type CreateUserResponses = {
    /**
     * User created.
     */
    201: User;
};

export type CreateUserResponse = CreateUserResponses[keyof CreateUserResponses];

export type GetUserData = {
    body?: never;
    path: {
        userId: string;
    };
    query?: never;
    url: '/users/{userId}';
};

export type GetUserErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetUserError = GetUserErrors[keyof GetUserErrors];

export type GetUserResponses = {
    /**
     * The user.
     */
    200: User;
};

export type GetUserResponse = GetUserResponses[keyof GetUserResponses];

export type UpdateUserData = {
    body: UserUpdate;
    path: {
        userId: string;
    };
    query?: never;
    url: '/users/{userId}';
};

export type UpdateUserErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type UpdateUserError = UpdateUserErrors[keyof UpdateUserErrors];

export type UpdateUserResponses = {
    /**
     * The updated user.
     */
    200: User;
};

export type UpdateUserResponse = UpdateUserResponses[keyof UpdateUserResponses];

export type ListServicesData = {
    body?: never;
    path?: never;
    query?: {
        includeInactive?: boolean;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/services';
};

export type ListServicesErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListServicesError = ListServicesErrors[keyof ListServicesErrors];

export type ListServicesResponses = {
    /**
     * A page of services.
     */
    200: ServicePage;
};

export type ListServicesResponse = ListServicesResponses[keyof ListServicesResponses];

export type CreateServiceData = {
    body: ServiceCreate;
    path?: never;
    query?: never;
    url: '/services';
};

export type CreateServiceErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type CreateServiceError = CreateServiceErrors[keyof CreateServiceErrors];

export type CreateServiceResponses = {
    /**
     * Service created.
     */
    201: Service;
};

export type CreateServiceResponse = CreateServiceResponses[keyof CreateServiceResponses];

export type UpdateServiceData = {
    body: ServiceUpdate;
    path: {
        serviceId: string;
    };
    query?: never;
    url: '/services/{serviceId}';
};

export type UpdateServiceErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type UpdateServiceError = UpdateServiceErrors[keyof UpdateServiceErrors];

export type UpdateServiceResponses = {
    /**
     * The updated service.
     */
    200: Service;
};

export type UpdateServiceResponse = UpdateServiceResponses[keyof UpdateServiceResponses];

export type ListDoctorsData = {
    body?: never;
    path?: never;
    query?: {
        serviceId?: string;
        specialty?: string;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/doctors';
};

export type ListDoctorsErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListDoctorsError = ListDoctorsErrors[keyof ListDoctorsErrors];

export type ListDoctorsResponses = {
    /**
     * A page of doctors.
     */
    200: DoctorPage;
};

export type ListDoctorsResponse = ListDoctorsResponses[keyof ListDoctorsResponses];

export type GetDoctorData = {
    body?: never;
    path: {
        /**
         * The doctor's user id.
         */
        doctorId: string;
    };
    query?: never;
    url: '/doctors/{doctorId}';
};

export type GetDoctorErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetDoctorError = GetDoctorErrors[keyof GetDoctorErrors];

export type GetDoctorResponses = {
    /**
     * The doctor.
     */
    200: Doctor;
};

export type GetDoctorResponse = GetDoctorResponses[keyof GetDoctorResponses];

export type GetDoctorScheduleData = {
    body?: never;
    path: {
        /**
         * The doctor's user id.
         */
        doctorId: string;
    };
    query?: never;
    url: '/doctors/{doctorId}/schedule';
};

export type GetDoctorScheduleErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetDoctorScheduleError = GetDoctorScheduleErrors[keyof GetDoctorScheduleErrors];

export type GetDoctorScheduleResponses = {
    /**
     * The doctor's schedule.
     */
    200: DoctorSchedule;
};

export type GetDoctorScheduleResponse = GetDoctorScheduleResponses[keyof GetDoctorScheduleResponses];

export type ReplaceDoctorScheduleData = {
    body: DoctorScheduleInput;
    path: {
        /**
         * The doctor's user id.
         */
        doctorId: string;
    };
    query?: never;
    url: '/doctors/{doctorId}/schedule';
};

export type ReplaceDoctorScheduleErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ReplaceDoctorScheduleError = ReplaceDoctorScheduleErrors[keyof ReplaceDoctorScheduleErrors];

export type ReplaceDoctorScheduleResponses = {
    /**
     * The new schedule.
     */
    200: DoctorSchedule;
};

export type ReplaceDoctorScheduleResponse = ReplaceDoctorScheduleResponses[keyof ReplaceDoctorScheduleResponses];

export type GetDoctorAvailabilityData = {
    body?: never;
    path: {
        /**
         * The doctor's user id.
         */
        doctorId: string;
    };
    query: {
        serviceId: string;
        from: string;
        to: string;
    };
    url: '/doctors/{doctorId}/availability';
};

export type GetDoctorAvailabilityErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetDoctorAvailabilityError = GetDoctorAvailabilityErrors[keyof GetDoctorAvailabilityErrors];

export type GetDoctorAvailabilityResponses = {
    /**
     * Free slots.
     */
    200: Availability;
};

export type GetDoctorAvailabilityResponse = GetDoctorAvailabilityResponses[keyof GetDoctorAvailabilityResponses];

export type ListAppointmentsData = {
    body?: never;
    path?: never;
    query?: {
        patientId?: string;
        doctorId?: string;
        status?: AppointmentStatus;
        from?: string;
        to?: string;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/appointments';
};

export type ListAppointmentsErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListAppointmentsError = ListAppointmentsErrors[keyof ListAppointmentsErrors];

export type ListAppointmentsResponses = {
    /**
     * A page of appointments.
     */
    200: AppointmentPage;
};

export type ListAppointmentsResponse = ListAppointmentsResponses[keyof ListAppointmentsResponses];

export type CreateAppointmentData = {
    body: AppointmentCreate;
    path?: never;
    query?: never;
    url: '/appointments';
};

export type CreateAppointmentErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type CreateAppointmentError = CreateAppointmentErrors[keyof CreateAppointmentErrors];

export type CreateAppointmentResponses = {
    /**
     * Appointment booked.
     */
    201: Appointment;
};

export type CreateAppointmentResponse = CreateAppointmentResponses[keyof CreateAppointmentResponses];

export type GetAppointmentData = {
    body?: never;
    path: {
        appointmentId: string;
    };
    query?: never;
    url: '/appointments/{appointmentId}';
};

export type GetAppointmentErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetAppointmentError = GetAppointmentErrors[keyof GetAppointmentErrors];

export type GetAppointmentResponses = {
    /**
     * The appointment.
     */
    200: Appointment;
};

export type GetAppointmentResponse = GetAppointmentResponses[keyof GetAppointmentResponses];

export type UpdateAppointmentData = {
    body: AppointmentUpdate;
    path: {
        appointmentId: string;
    };
    query?: never;
    url: '/appointments/{appointmentId}';
};

export type UpdateAppointmentErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request conflicts with the current state (e.g. unique value taken, forbidden transition).
     */
    409: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type UpdateAppointmentError = UpdateAppointmentErrors[keyof UpdateAppointmentErrors];

export type UpdateAppointmentResponses = {
    /**
     * The updated appointment.
     */
    200: Appointment;
};

export type UpdateAppointmentResponse = UpdateAppointmentResponses[keyof UpdateAppointmentResponses];

export type ListDocumentsData = {
    body?: never;
    path?: never;
    query?: {
        status?: DocumentStatus;
        patientId?: string;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/documents';
};

export type ListDocumentsErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListDocumentsError = ListDocumentsErrors[keyof ListDocumentsErrors];

export type ListDocumentsResponses = {
    /**
     * A page of documents.
     */
    200: DocumentPage;
};

export type ListDocumentsResponse = ListDocumentsResponses[keyof ListDocumentsResponses];

export type UploadDocumentData = {
    body: DocumentUploadForm;
    path?: never;
    query?: never;
    url: '/documents';
};

export type UploadDocumentErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request body or uploaded file is too large.
     */
    413: Problem;
    /**
     * The request or uploaded file has an unsupported media type.
     */
    415: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type UploadDocumentError = UploadDocumentErrors[keyof UploadDocumentErrors];

export type UploadDocumentResponses = {
    /**
     * The same file was already uploaded by this owner; the existing document is returned.
     */
    200: Document;
    /**
     * Document accepted and queued for processing.
     */
    202: Document;
};

export type UploadDocumentResponse = UploadDocumentResponses[keyof UploadDocumentResponses];

export type DeleteDocumentData = {
    body?: never;
    path: {
        documentId: string;
    };
    query?: never;
    url: '/documents/{documentId}';
};

export type DeleteDocumentErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type DeleteDocumentError = DeleteDocumentErrors[keyof DeleteDocumentErrors];

export type DeleteDocumentResponses = {
    /**
     * Deleted.
     */
    204: void;
};

export type DeleteDocumentResponse = DeleteDocumentResponses[keyof DeleteDocumentResponses];

export type GetDocumentData = {
    body?: never;
    path: {
        documentId: string;
    };
    query?: never;
    url: '/documents/{documentId}';
};

export type GetDocumentErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetDocumentError = GetDocumentErrors[keyof GetDocumentErrors];

export type GetDocumentResponses = {
    /**
     * The document.
     */
    200: Document;
};

export type GetDocumentResponse = GetDocumentResponses[keyof GetDocumentResponses];

export type DownloadDocumentFileData = {
    body?: never;
    path: {
        documentId: string;
    };
    query?: never;
    url: '/documents/{documentId}/file';
};

export type DownloadDocumentFileErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type DownloadDocumentFileError = DownloadDocumentFileErrors[keyof DownloadDocumentFileErrors];

export type DownloadDocumentFileResponses = {
    /**
     * The PDF file.
     */
    200: Blob | File;
};

export type DownloadDocumentFileResponse = DownloadDocumentFileResponses[keyof DownloadDocumentFileResponses];

export type ChatData = {
    body: ChatRequest;
    path?: never;
    query?: never;
    url: '/ai/chat';
};

export type ChatErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * Rate limit exceeded.
     */
    429: Problem;
    /**
     * An upstream provider failed.
     */
    502: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ChatError = ChatErrors[keyof ChatErrors];

export type ChatResponses = {
    /**
     * The assistant's reply.
     */
    200: ChatResponse;
};

export type ChatResponse2 = ChatResponses[keyof ChatResponses];

export type ChatStreamData = {
    body: ChatRequest;
    path?: never;
    query?: never;
    url: '/ai/chat/stream';
};

export type ChatStreamErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * Rate limit exceeded.
     */
    429: Problem;
    /**
     * An upstream provider failed.
     */
    502: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ChatStreamError = ChatStreamErrors[keyof ChatStreamErrors];

export type ChatStreamResponses = {
    /**
     * One event of the stream; `data` is JSON.
     */
    200: {
        event: 'token';
        data: string;
    } | {
        event: 'done';
        data: string;
    } | {
        event: 'error';
        data: string;
    };
};

export type ChatStreamResponse = ChatStreamResponses[keyof ChatStreamResponses];

export type ListAiLogsData = {
    body?: never;
    path?: never;
    query?: {
        userId?: string;
        channel?: AiChannel;
        from?: string;
        to?: string;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/ai/logs';
};

export type ListAiLogsErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListAiLogsError = ListAiLogsErrors[keyof ListAiLogsErrors];

export type ListAiLogsResponses = {
    /**
     * A page of AI logs.
     */
    200: AiLogPage;
};

export type ListAiLogsResponse = ListAiLogsResponses[keyof ListAiLogsResponses];

export type ListAuditEventsData = {
    body?: never;
    path?: never;
    query?: {
        /**
         * Events concerning this patient, alone (`patientId`) or among others (`patientIds`).
         */
        patientId?: string;
        /**
         * Events by this user.
         */
        actorId?: string;
        action?: AuditAction;
        objectType?: string;
        objectId?: string;
        from?: string;
        to?: string;
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/audit-events';
};

export type ListAuditEventsErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type ListAuditEventsError = ListAuditEventsErrors[keyof ListAuditEventsErrors];

export type ListAuditEventsResponses = {
    /**
     * A page of audit events.
     */
    200: AuditEventPage;
};

export type ListAuditEventsResponse = ListAuditEventsResponses[keyof ListAuditEventsResponses];

export type GetMyAccessLogData = {
    body?: never;
    path?: never;
    query?: {
        /**
         * Page size.
         */
        limit?: number;
        /**
         * Number of items to skip.
         */
        offset?: number;
    };
    url: '/users/me/access-log';
};

export type GetMyAccessLogErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetMyAccessLogError = GetMyAccessLogErrors[keyof GetMyAccessLogErrors];

export type GetMyAccessLogResponses = {
    /**
     * A page of the patient's access log.
     */
    200: AccessLogPage;
};

export type GetMyAccessLogResponse = GetMyAccessLogResponses[keyof GetMyAccessLogResponses];

export type GetTwilioConfigData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/integrations/twilio';
};

export type GetTwilioConfigErrors = {
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetTwilioConfigError = GetTwilioConfigErrors[keyof GetTwilioConfigErrors];

export type GetTwilioConfigResponses = {
    /**
     * The Twilio configuration.
     */
    200: TwilioConfig;
};

export type GetTwilioConfigResponse = GetTwilioConfigResponses[keyof GetTwilioConfigResponses];

export type SaveTwilioConfigData = {
    body: TwilioConfigInput;
    path?: never;
    query?: never;
    url: '/integrations/twilio';
};

export type SaveTwilioConfigErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * Missing, invalid or expired credentials.
     */
    401: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type SaveTwilioConfigError = SaveTwilioConfigErrors[keyof SaveTwilioConfigErrors];

export type SaveTwilioConfigResponses = {
    /**
     * The saved configuration (auth token masked).
     */
    200: TwilioConfig;
};

export type SaveTwilioConfigResponse = SaveTwilioConfigResponses[keyof SaveTwilioConfigResponses];

export type HandleIncomingCallData = {
    body: TwilioCallForm;
    path?: never;
    query?: never;
    url: '/webhooks/twilio/voice';
};

export type HandleIncomingCallErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type HandleIncomingCallError = HandleIncomingCallErrors[keyof HandleIncomingCallErrors];

export type HandleIncomingCallResponses = {
    /**
     * TwiML instructions for Twilio.
     */
    200: Blob | File;
};

export type HandleIncomingCallResponse = HandleIncomingCallResponses[keyof HandleIncomingCallResponses];

export type HandleRecordingData = {
    body: TwilioRecordingForm;
    path?: never;
    query?: never;
    url: '/webhooks/twilio/recording';
};

export type HandleRecordingErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type HandleRecordingError = HandleRecordingErrors[keyof HandleRecordingErrors];

export type HandleRecordingResponses = {
    /**
     * TwiML instructions for Twilio.
     */
    200: Blob | File;
};

export type HandleRecordingResponse = HandleRecordingResponses[keyof HandleRecordingResponses];

export type GetTurnResultData = {
    body: TwilioCallForm;
    path: {
        turnId: string;
    };
    query?: {
        attempt?: number;
    };
    url: '/webhooks/twilio/turns/{turnId}';
};

export type GetTurnResultErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The resource does not exist or is not visible to the caller.
     */
    404: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type GetTurnResultError = GetTurnResultErrors[keyof GetTurnResultErrors];

export type GetTurnResultResponses = {
    /**
     * TwiML instructions for Twilio.
     */
    200: Blob | File;
};

export type GetTurnResultResponse = GetTurnResultResponses[keyof GetTurnResultResponses];

export type HandleCallStatusData = {
    body: TwilioStatusForm;
    path?: never;
    query?: never;
    url: '/webhooks/twilio/status';
};

export type HandleCallStatusErrors = {
    /**
     * The request body could not be decoded (malformed JSON or form).
     */
    400: Problem;
    /**
     * The caller is not allowed to do this.
     */
    403: Problem;
    /**
     * The request is well-formed but invalid; `errors` lists the failures.
     */
    422: Problem;
    /**
     * A server the API depends on (PostgreSQL, Redis, the model provider) is unavailable or
     * not configured, e.g. during a restart; retry after the given seconds.
     *
     */
    503: Problem;
};

export type HandleCallStatusError = HandleCallStatusErrors[keyof HandleCallStatusErrors];

export type HandleCallStatusResponses = {
    /**
     * Status recorded.
     */
    204: void;
};

export type HandleCallStatusResponse = HandleCallStatusResponses[keyof HandleCallStatusResponses];

export type GetHealthData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/health';
};

export type GetHealthResponses = {
    /**
     * The process is alive.
     */
    200: Health;
};

export type GetHealthResponse = GetHealthResponses[keyof GetHealthResponses];

export type GetReadinessData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/ready';
};

export type GetReadinessErrors = {
    /**
     * Not ready; the problem's `checks` member tells which dependency is unavailable.
     */
    503: Problem & {
        checks: ReadinessChecks;
    };
};

export type GetReadinessError = GetReadinessErrors[keyof GetReadinessErrors];

export type GetReadinessResponses = {
    /**
     * Ready.
     */
    200: Readiness;
};

export type GetReadinessResponse = GetReadinessResponses[keyof GetReadinessResponses];
