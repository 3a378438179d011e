"""Fixtures for tests/jobs (filled below)."""
