"""The error the privacy rules raise."""


class PrivacyError(Exception):
    """A privacy rule refused the request; `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
