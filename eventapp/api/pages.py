"""The organisation's API settings pages (tokens, webhooks): see tokens_pages.py."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
