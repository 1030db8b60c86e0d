"""Dramatiq actors: the slow work (ingestion, transcription) runs here, never in the API."""
