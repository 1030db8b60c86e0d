"""Database access: engine and sessions (db), ORM models (models), migrations (migrate)."""
