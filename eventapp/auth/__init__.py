"""Organiser accounts: login, logout, password change and reset; the user loader."""
