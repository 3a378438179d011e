"""No e-mail address in any log line or error report."""

import io
import logging

import pytest

from eventapp.privacy.logging import EmailMaskingFilter, mask_emails


@pytest.fixture
def log_stream():
    """Everything the root logger writes, formatted as a real handler would."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def test_addresses_are_masked_in_messages_arguments_and_tracebacks(app, log_stream):
    log = logging.getLogger("eventapp.anything")
    log.info("registered camille.martin@sanofi.com for %s", "léa.durand+tour@yposkesi.fr")
    log.warning("lookup %(who)s", {"who": "Jean.Dupont@Example.ORG"})
    log.info("GET /search?q=anne%40genopole.fr HTTP/1.1")
    try:
        raise ValueError("duplicate key (event_id, email)=(3, paul@lyonbiopole.com)")
    except ValueError:
        logging.getLogger("sqlalchemy.engine").exception("insert failed for %s", "x@y.org")
    output = log_stream.getvalue()
    assert "@" not in output.replace("[email]", "") and "%40" not in output
    assert output.count("[email]") >= 6  # the traceback quotes its source line, masked too
    assert "registered [email] for [email]" in output
    assert "ValueError: duplicate key (event_id, email)=(3, [email])" in output


def test_app_and_werkzeug_loggers_are_masked_too(app, log_stream):
    app.logger.error("mail to someone@example.org failed")
    logging.getLogger("werkzeug").info('127.0.0.1 "GET /x?e=a@b.co HTTP/1.1" 200')
    output = log_stream.getvalue()
    assert "someone@example.org" not in output and "a@b.co" not in output
    assert "mail to [email] failed" in output


def test_filter_for_handlers_configured_elsewhere():
    record = logging.LogRecord(
        "gunicorn.error", logging.ERROR, __file__, 1, "%s", ("z@z.io",), None
    )
    assert EmailMaskingFilter().filter(record) is True
    assert record.getMessage() == "[email]"


def test_masking_leaves_ordinary_text_alone():
    assert mask_emails("event 12, 500 participants, @polepharma, a@b") == (
        "event 12, 500 participants, @polepharma, a@b"
    )


def test_manage_link_tokens_are_masked_in_access_logs(app, log_stream):
    token = "3apkbMQjfDPzzpq5Q1hYx1lRqtK6UwzxNUT-ymJAbjY"
    logging.getLogger("werkzeug").info(f'"POST /r/{token}/erase HTTP/1.1" 302 -')
    output = log_stream.getvalue()
    assert token not in output
    assert '"POST /r/[token]/erase HTTP/1.1" 302 -' in output
