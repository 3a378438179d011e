"""Deny by default: every rule of app.url_map declares who may call it (a guard of
eventapp.permissions.guard). A new endpoint without one fails here, and is refused at run time
too. Only Flask's own `static` endpoint is exempt, by name."""

import pytest

from eventapp import create_app
from eventapp.permissions import Perm, guard
from eventapp.permissions.guard import AccessKind, declared
from tests.support.apps import make_config

EXEMPT = {"static"}  # Flask's static files: nothing but the assets in static/


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def test_every_endpoint_declares_its_access_rule(app):
    missing = [
        f"{rule.endpoint} ({rule.rule})"
        for rule in _rules(app)
        if rule.endpoint not in EXEMPT and declared(app.view_functions[rule.endpoint]) is None
    ]
    assert not missing, "endpoints without a guard: " + ", ".join(missing)
    assert len(_rules(app)) > 60


def test_each_declaration_fits_its_url(app):
    """An event guard loads the event in the URL, a registration guard also the registration,
    a manage-link guard the token: the declaration matches what the URL carries. Workspace and
    API organiser URLs are never public, and participant links are never anything else."""
    for rule in _rules(app):
        if rule.endpoint in EXEMPT:
            continue
        access = declared(app.view_functions[rule.endpoint])
        where = f"{rule.endpoint} ({rule.rule})"
        if access.kind in (AccessKind.EVENT, AccessKind.TOUR):
            assert "event_id" in rule.arguments, where
        if access.kind == AccessKind.REGISTRATION:
            assert {"event_id", "registration_id"} <= rule.arguments, where
        if access.kind in (AccessKind.MANAGE_LINK, AccessKind.BOOKING_LINK):
            assert "token" in rule.arguments, where
        if access.kind in (AccessKind.EVENT, AccessKind.TOUR, AccessKind.REGISTRATION):
            assert access.perm is not None and not access.perm.on_organisation, where
        if access.kind == AccessKind.ORGANISATIONS:
            assert access.perm.on_organisation, where
        if rule.rule.startswith(("/organiser", "/api/organiser")):
            assert access.signed_in, where
        if rule.rule.startswith("/r/"):
            assert access.kind == AccessKind.MANAGE_LINK, where
        if rule.rule.startswith("/b/"):
            assert access.kind == AccessKind.BOOKING_LINK, where


def test_every_permission_guards_at_least_one_page(app):
    used = {
        declared(app.view_functions[rule.endpoint]).perm
        for rule in _rules(app)
        if rule.endpoint not in EXEMPT
    }
    assert used - {None} == set(Perm)


@pytest.fixture
def app_with_an_undeclared_endpoint(database_url):
    other = create_app(make_config(database_url))

    @other.get("/forgotten")
    def forgotten():
        return "secret"

    @other.get("/declared")
    def declared_view():
        return "fine"

    guard.public(declared_view)
    return other


def test_an_endpoint_without_a_declaration_is_refused_at_run_time(app_with_an_undeclared_endpoint):
    client = app_with_an_undeclared_endpoint.test_client()
    response = client.get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.get_data()
    assert client.get("/declared").status_code == 200
    static = client.get("/static/css/app.css")
    assert static.status_code == 200  # exempt by name
    static.close()


def test_a_view_cannot_be_guarded_twice():
    def view():
        return ""

    guard.public(view)
    with pytest.raises(TypeError):
        guard.event(Perm.STATISTICS)(view)
