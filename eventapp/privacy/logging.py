"""No e-mail address in a log line or an error report (nor a secret token of a path).

`install(app)` (called by create_app) wraps the process's log-record factory, so every record
of every logger (the app's, SQLAlchemy's, Werkzeug's and gunicorn's access log, third-party
libraries) is masked when it is created, before any handler or formatter sees it: the message,
its arguments, and the traceback of an exception (SQLAlchemy errors quote the parameters of the
failing statement). `EmailMaskingFilter` does the same as a logging.Filter, for handlers set up
by a logging config file.
"""

from __future__ import annotations

import logging
import re
import traceback

# An address, also URL-encoded (%40) as it appears in a logged query string.
EMAIL_PATTERN = re.compile(
    r"[\w.!#$'*+^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}",
    re.UNICODE,
)
MASK = "[email]"
# Secret-bearing paths, one rule: the path segment after one of these words is a credential
# (a manage link /r/<token>, a password reset /auth/password/reset/<token>, an invitation
# /invitation/<token>, a waiting-list offer /offer/<token>/accept, a manage link under
# /manage/<token>, an e-mail change /account/email-change/<token>), so access logs never
# hand it out. A route that carries a secret in its
# path puts it after one of these words; tests/privacy/test_logging.py walks app.url_map and
# fails for a `token` argument this rule would not mask.
SECRET_PATH_WORDS = (
    "r",
    "b",
    "reset",
    "invitation",
    "invitations",
    "invite",
    "offer",
    "offers",
    "manage",
    "email-change",
)
SECRET_PATH_PATTERN = re.compile(
    r"(/(?:" + "|".join(SECRET_PATH_WORDS) + r")/)(?!\[token\])[^/\s?#\"']+"
)
# ... and the same secrets as query-string values (?token=...).
SECRET_QUERY_PATTERN = re.compile(r"([?&](?:token|reset_token|invitation|key)=)[^&\s#\"']+")
MANAGE_LINK_PATTERN = SECRET_PATH_PATTERN  # the former name


def mask_secrets(text: str) -> str:
    """Mask the secret segment of secret-bearing paths and query strings."""
    return SECRET_QUERY_PATTERN.sub(r"\1[token]", SECRET_PATH_PATTERN.sub(r"\1[token]", text))


def mask_emails(text: str) -> str:
    """Mask e-mail addresses and the secrets of secret-bearing paths (`mask_secrets`)."""
    return mask_secrets(EMAIL_PATTERN.sub(MASK, text))


def _mask_value(value):
    if isinstance(value, str):
        return mask_emails(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    # Anything else (exceptions, rows, dicts) is rendered now, masked.
    return mask_emails(str(value))


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_emails_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string: log it as it is, masked
        message = f"{record.msg} {record.args}"
    record.msg = mask_emails(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_emails(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_emails(record.stack_info)
    record._emails_masked = True
    return record


class EmailMaskingFilter(logging.Filter):
    """Masks e-mail addresses in every record passing through (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install(app) -> None:
    """Mask e-mail addresses in every log record of this process (idempotent)."""
    global _installed
    if not _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            return mask_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True
    # Records built before install() or by a custom factory still meet the filter here.
    if not any(isinstance(f, EmailMaskingFilter) for f in app.logger.filters):
        app.logger.addFilter(EmailMaskingFilter())
