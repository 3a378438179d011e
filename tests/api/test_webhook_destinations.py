"""No server-side request forgery through webhooks (services/api/destinations.py): an
endpoint's address is refused when it is saved and at every delivery, after DNS resolution,
if it leads to a private, loopback, link-local, multicast or reserved address, is not http(s)
or carries credentials; the delivery connects to the address it checked (a name that
resolves elsewhere a moment later changes nothing) and follows no redirect. Tests and
development may reach a receiver on loopback (WEBHOOK_ALLOW_LOOPBACK); production refuses to
start with it."""

import shutil
import socket
import subprocess
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from config import ProductionConfig
from eventapp.extensions import db
from eventapp.models import WebhookDelivery
from eventapp.services.api import delivery as sending
from eventapp.services.api import webhooks
from tests.api.receiver import receiving
from tests.support.network import free_port

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def production_rules(app, monkeypatch):
    """The production settings: public https addresses only."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", False)


@pytest.fixture
def dns(monkeypatch):
    """dns["name"] = "address": what a host name resolves to (the others: the real resolver)."""
    names: dict[str, str] = {}

    def fake(host, port, *args, **kwargs):
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return names


def _create(org, url):
    endpoint, _secret = webhooks.create_endpoint(
        org, url=url, event_types=["checkin.created"], user=None
    )
    db.session.commit()
    return endpoint


REFUSED = {
    "https://127.0.0.1/hook": "private_address",
    "https://localhost/hook": "private_address",
    "https://[::1]/hook": "private_address",
    "https://[::ffff:127.0.0.1]/hook": "private_address",
    "https://2130706433/hook": "private_address",  # 127.0.0.1 as one number
    "https://0x7f.1/hook": "private_address",  # and in hexadecimal
    "https://10.0.0.8/hook": "private_address",
    "https://172.16.4.2/hook": "private_address",
    "https://192.168.1.20:8443/hook": "private_address",
    "https://169.254.169.254/latest/meta-data/": "private_address",  # cloud metadata
    "https://100.64.0.1/hook": "private_address",  # shared address space
    "https://[fe80::1]/hook": "private_address",
    "https://[fd00::1]/hook": "private_address",
    "https://224.0.0.1/hook": "private_address",
    "https://240.0.0.1/hook": "private_address",
    "https://0.0.0.0/hook": "private_address",
    "https://intranet.example.test/hook": "private_address",  # resolves to 10.1.2.3
    "https://user:secret@crm.example.org/hook": "credentials",
    "https://token@crm.example.org/hook": "credentials",
    "http://crm.example.org/hook": "bad_url",  # production: https only
    "ftp://crm.example.org/hook": "bad_url",
    "file:///etc/passwd": "bad_url",
    "gopher://crm.example.org/": "bad_url",
    "https://crm.example.org:99999/": "bad_url",
}


@pytest.mark.parametrize("url", sorted(REFUSED))
def test_an_address_to_a_private_network_is_refused_when_saved(factory, production_rules, dns, url):
    dns["intranet.example.test"] = "10.1.2.3"
    with pytest.raises(webhooks.WebhookError) as refused:
        _create(factory.organisation(), url)
    assert refused.value.code == REFUSED[url]
    assert refused.value.field == "url"


def test_a_public_address_is_accepted_and_a_name_not_resolving_yet_too(
    factory, production_rules, dns
):
    dns["crm.example.test"] = "93.184.216.34"
    org = factory.organisation()
    assert _create(org, "https://crm.example.test/hooks/eventapp?source=api").id
    assert _create(org, "https://not-yet.invalid/hook").id  # each delivery checks it


def test_the_settings_page_says_why_an_address_is_refused(client, factory, login, production_rules):
    org = factory.organisation()
    login(factory.user(org, "owner"))
    page = client.post(
        f"/organiser/organisations/{org.id}/webhooks",
        data={"url": "https://169.254.169.254/latest/", "event_types": ["checkin.created"]},
    )
    assert page.status_code == 422
    assert "réseau privé ou local" in page.get_data(as_text=True)  # French, the default


def test_a_name_that_resolves_to_loopback_at_delivery_is_not_sent(app, factory, dns, monkeypatch):
    """DNS rebinding: public when saved, 127.0.0.1 when the delivery resolves it."""
    org = factory.organisation()
    with receiving() as receiver:
        port = receiver.url.rsplit(":", 1)[1].split("/")[0]
        dns["hooks.example.test"] = "93.184.216.34"
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)
        endpoint = _create(org, f"http://hooks.example.test:{port}/hook")
        sent = webhooks.send_test(endpoint)
        db.session.commit()
        dns["hooks.example.test"] = "127.0.0.1"
        assert sending.deliver_one(sent.id) == "pending"
        assert receiver.received == []
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, sent.id)
    assert (delivery.last_status, delivery.last_error) == (None, "refused: private_address")


def test_the_delivery_goes_to_the_address_it_checked_with_the_urls_host(factory, dns):
    org = factory.organisation()
    with receiving() as receiver:
        port = receiver.url.rsplit(":", 1)[1].split("/")[0]
        dns["hooks.example.test"] = "127.0.0.1"  # allowed in tests: WEBHOOK_ALLOW_LOOPBACK
        endpoint = _create(org, f"http://hooks.example.test:{port}/hook?x=1")
        sent = webhooks.send_test(endpoint)
        db.session.commit()
        assert sending.deliver_one(sent.id) == "delivered"
        [item] = receiver.received
    assert item.headers["Host"] == f"hooks.example.test:{port}"


def test_a_redirect_is_not_followed(factory):
    org = factory.organisation()
    with receiving() as receiver, receiving() as elsewhere:
        receiver.script = [(302, {"Location": elsewhere.url}), (307, {"Location": elsewhere.url})]
        endpoint = _create(org, receiver.url)
        sent = webhooks.send_test(endpoint)
        db.session.commit()
        assert sending.deliver_one(sent.id) == "pending"  # a 3xx is no delivery
        assert len(receiver.received) == 1 and elsewhere.received == []
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, sent.id).last_status == 302


def test_loopback_is_refused_at_delivery_once_the_flag_is_off(app, factory, monkeypatch):
    org = factory.organisation()
    with receiving() as receiver:
        endpoint = _create(org, receiver.url)  # saved while loopback was allowed
        sent = webhooks.send_test(endpoint)
        db.session.commit()
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)
        assert sending.deliver_one(sent.id) == "pending"
        assert receiver.received == []
    assert db.session.scalars(select(WebhookDelivery.last_error)).all() == [
        "refused: private_address"
    ]


@pytest.mark.parametrize("flag", ["WEBHOOK_ALLOW_LOOPBACK", "WEBHOOK_ALLOW_HTTP"])
def test_production_refuses_to_start_with_loopback_or_http_webhooks(monkeypatch, flag):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app@db/eventapp")
    monkeypatch.setenv("BASE_URL", "https://events.example.fr")
    config = {
        "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://app@db/eventapp",
        "BASE_URL": "https://events.example.fr",
        "RATELIMIT_ENABLED": False,
    }
    ProductionConfig.validate(config)  # the positive control
    assert not ProductionConfig.WEBHOOK_ALLOW_LOOPBACK and not ProductionConfig.WEBHOOK_ALLOW_HTTP
    with pytest.raises(RuntimeError, match=flag):
        ProductionConfig.validate({**config, flag: True})


def _certificate(folder, name):
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_goes_to_the_checked_address_and_checks_the_certificate_of_the_urls_name(
    app, factory, dns, monkeypatch, tmp_path
):
    """The TLS name (SNI) and the certificate check are the URL's host, while the connection
    goes to the address resolved and checked: a certificate for another name is refused."""
    org = factory.organisation()
    dns["hooks.example.test"] = "127.0.0.1"
    good = _certificate(tmp_path, "hooks.example.test")
    other = _certificate(tmp_path, "other.example.test")
    for (cert, key), expected in ((good, "delivered"), (other, "pending")):
        received = []

        def answer(environ, start_response, received=received):
            received.append(environ.get("HTTP_HOST"))
            return Response("ok")(environ, start_response)

        port = free_port()
        server = make_server("127.0.0.1", port, answer, ssl_context=(str(cert), str(key)))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            monkeypatch.setitem(app.config, "WEBHOOK_CA_BUNDLE", str(cert))
            endpoint = _create(org, f"https://hooks.example.test:{port}/hook")
            sent = webhooks.send_test(endpoint)
            db.session.commit()
            assert sending.deliver_one(sent.id) == expected
        finally:
            server.shutdown()
            thread.join(timeout=5)
        assert received == ([f"hooks.example.test:{port}"] if expected == "delivered" else [])
