"""Adapters to processes and services outside the application (servers, external APIs)."""
