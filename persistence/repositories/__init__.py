"""Queries. Repositories add and flush; they never commit."""
