"""The audit trail's retention, applied by each documents worker's sweeper (workers/documents.py)."""

import logging

from kernel.settings import get_settings
from services.audit_chain import purge_expired_with
from workers.runtime import run

logger = logging.getLogger(__name__)


def purge_audit_trail() -> None:
    days = get_settings().audit_retention_days
    purged = run(lambda sessions: purge_expired_with(sessions, days))
    if purged:
        logger.info("purged %d audit events older than %d days", purged, days)
