"""No e-mail address in any log line or error report."""

import contextlib
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


SECRET_SAMPLE = "Sx9dQ2vLmN4pR7tZ1aB3cD5eF6gH8jK0"


def test_every_secret_bearing_route_is_masked_by_the_one_rule(app):
    """Walks app.url_map: every rule with a token in its path (a manage link, a password
    reset, an invitation, an offer...) is masked by mask_secrets, so a route added later that
    the rule does not cover fails here."""
    from werkzeug.routing.converters import IntegerConverter

    from eventapp.privacy.logging import mask_secrets

    checked = 0
    for rule in app.url_map.iter_rules():
        secret = [n for n in rule.arguments if "token" in n or n in ("key", "secret")]
        if not secret:
            continue
        values = {
            n: 1 if isinstance(rule._converters[n], IntegerConverter) else "x"
            for n in rule.arguments
        }
        values.update(dict.fromkeys(secret, SECRET_SAMPLE))
        url = rule.build(values, append_unknown=False)[1]
        line = f'127.0.0.1 - - "GET {url}?lang=fr HTTP/1.1" 200 -'
        assert SECRET_SAMPLE not in mask_secrets(line), rule.rule
        checked += 1
    assert checked >= 8  # /r/<token>... and /auth/password/reset/<token>


@pytest.mark.parametrize(
    "path",
    [
        "/invitation/{t}",
        "/invitations/{t}/accept",
        "/offer/{t}/accept",
        "/events/5/offer/{t}/decline",
        "/r/{t}/cancel",
        "/auth/password/reset/{t}",
        "/manage/{t}",
        "/anything?token={t}",
    ],
)
def test_the_rule_covers_the_secret_paths_of_later_features(path):
    from eventapp.privacy.logging import mask_secrets

    assert SECRET_SAMPLE not in mask_secrets(path.format(t=SECRET_SAMPLE))


def test_ordinary_paths_are_left_alone():
    from eventapp.privacy.logging import mask_secrets

    for path in (
        "/events/bioprod-r-d-2026",
        "/organiser/events/12/attendees?page=2",
        "/auth/password/reset",
    ):
        assert mask_secrets(path) == path


def test_the_access_log_of_a_real_server_shows_no_reset_or_manage_token(
    app, db, factory, live_server, log_stream
):
    """A test that reads the log: requests go through the threaded server's access log."""
    import urllib.error
    import urllib.request

    from eventapp.services import accounts

    user = factory.user(factory.organisation())
    event = factory.event()
    registration = factory.registration(event)
    db.session.commit()
    with app.test_request_context():
        reset = accounts.reset_token(user)
    manage = registration.manage_token
    for path in (f"/auth/password/reset/{reset}", f"/r/{manage}", f"/r/{manage}/calendar.ics"):
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(live_server + path, timeout=10).read()  # noqa: S310
    output = log_stream.getvalue()
    assert "/auth/password/reset/[token] HTTP/1.1" in output
    assert "/r/[token] HTTP/1.1" in output
    assert reset not in output and manage not in output
