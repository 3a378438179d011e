"""The error the event rules raise."""

from __future__ import annotations


class EventError(Exception):
    """An event rule was not met. `code` says which, `field` which form field it concerns."""

    def __init__(self, code: str, field: str | None = None, **info):
        super().__init__(code)
        self.code = code
        self.field = field
        self.info = info
