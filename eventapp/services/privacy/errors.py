"""The error the privacy rules raise."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from eventapp.services.errors import ServiceError


class PrivacyError(ServiceError):
    """A privacy rule refused the request; `code` says which."""

    kind = "privacy"

    class Code(StrEnum):
        NOT_ENDED = "not_ended"

    MESSAGES = {
        Code.NOT_ENDED: _l(
            "This event has not ended: its attendee list is still needed, its personal data "
            "cannot be erased yet."
        ),
    }
