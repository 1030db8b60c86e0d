"""Shares the once-per-run embedding model with these tests."""

from tests.document_fixtures import local_embedder

__all__ = ["local_embedder"]
