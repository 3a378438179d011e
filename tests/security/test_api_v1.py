"""The permission walk of /api/v1 (issue 17), over app.url_map: every endpoint is declared
(test_declarations.py) and, on every method, with a foreign event's ids:

- without a token: 401 (problem+json), and a browser session's cookie is no token;
- with a token of another organisation (every scope): 404, nothing changes (IDOR);
- with a token of the right organisation but a narrower scope: 404 where the endpoint's
  permission is not among the token's scopes;
- the owner's token with every scope reaches every endpoint (the positive control: the 404s
  above are the permission check, not a wrong id).

Routes added later are covered without editing this file."""

# ruff: noqa: F811 - `foreign`, the walk's fixture of test_permissions.py, is imported by name

import pytest

from eventapp.permissions.guard import declared
from eventapp.services.api import tokens
from tests.api.conftest import Api, make_token
from tests.security.test_permissions import (  # noqa: F401 - the fixture is used by name
    _snapshot,
    foreign,
    methods_of,
    urls_for,
)

V1 = "/api/v1/"


def v1_rules(app, *, signed_in=True):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(V1)
        and declared(app.view_functions[rule.endpoint]).signed_in == signed_in
    ]
    assert len(rules) > (10 if signed_in else 3)
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def walk(app, ids):
    for rule in v1_rules(app):
        for url in urls_for(rule, ids):
            for method in methods_of(rule):
                yield rule, method, url


def _send(client, method, url, headers):
    return client.open(url, method=method, json={}, headers=headers)


def test_without_a_token_every_endpoint_answers_401(app, client, foreign, login):
    login(foreign["manager"])  # a browser session is no token
    for _rule, method, url in walk(app, foreign["ids"]):
        response = _send(client, method, url, {})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.mimetype == "application/problem+json", url


def test_another_organisations_token_gets_404_everywhere_and_changes_nothing(
    app, client, db, factory, foreign
):
    other = factory.organisation()
    secret = make_token(factory.user(other, "owner"), other)
    headers = {"Authorization": f"Bearer {secret}"}
    before = _snapshot(db, foreign["event"].id)
    for rule, method, url in walk(app, foreign["ids"]):
        response = _send(client, method, url, headers)
        if rule.endpoint in ("v1_events.event_list", "v1_invoices.invoice_list"):
            assert response.status_code == 200 and response.json["items"] == []
        elif rule.endpoint == "v1_events.event_create":
            assert response.status_code == 422  # its own organisation; the body is empty
        else:
            assert response.status_code == 404, (method, url, response.status_code)
    assert _snapshot(db, foreign["event"].id) == before


@pytest.mark.parametrize("scope", sorted(tokens.SCOPES))
def test_a_narrower_scope_reaches_only_what_it_names(app, client, foreign, scope):
    secret = make_token(foreign["manager"], foreign["org"], scopes=[scope])
    headers = {"Authorization": f"Bearer {secret}"}
    allowed = tokens.SCOPES[scope][0]
    for rule, method, url in walk(app, foreign["ids"]):
        perm = declared(app.view_functions[rule.endpoint]).perm
        response = _send(client, method, url, headers)
        if perm is None:  # the events list: filtered, never refused
            continue
        if perm in allowed:
            assert response.status_code not in (401, 403, 404), (scope, method, url)
        elif perm.on_organisation:
            assert response.status_code == 403, (scope, method, url, response.status_code)
        else:
            assert response.status_code == 404, (scope, method, url, response.status_code)
        assert response.status_code < 500, (scope, method, url)


def test_the_owners_token_reaches_every_endpoint(app, factory, foreign):
    owner = factory.user(foreign["org"], "owner")
    for _rule, method, url in walk(app, foreign["ids"]):
        api = Api(app.test_client(), make_token(owner, foreign["org"]))
        response = _send(api.client, method, url, api._headers({}))
        assert response.status_code not in (401, 403, 404, 405), (method, url, response.status_code)
        assert response.status_code < 500, (method, url, response.data)


def test_public_endpoints_need_no_token_and_hide_drafts(app, client, factory, foreign):
    draft = factory.event(organisers=[foreign["org"]], status="draft")
    for rule in v1_rules(app, signed_in=False):
        if "event_id" not in rule.arguments:
            continue
        url = rule.build({"event_id": draft.id})[1]
        assert client.get(url).status_code == 404, url
