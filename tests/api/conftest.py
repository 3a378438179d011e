"""Helpers of the REST API's tests: a token made through the service (as the settings page
does) and a client that sends it."""

from datetime import timedelta

import pytest

from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.services.api import tokens

ALL_SCOPES = sorted(tokens.SCOPES)


def make_token(user, organisation, scopes=ALL_SCOPES, events=None, days=30):
    _token, secret = tokens.create_token(
        organisation,
        user,
        name="CRM",
        scopes=list(scopes),
        expires_on=(utcnow() + timedelta(days=days)).date(),
        event_ids=[e.id for e in events] if events else None,
    )
    db.session.commit()
    return secret


class Api:
    """A test client that sends a token (and JSON)."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.secret}", **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


@pytest.fixture
def api_for(app):
    """api_for(user, organisation, scopes=..., events=None) -> an Api client with a new token."""

    def _make(user, organisation, scopes=ALL_SCOPES, events=None):
        return Api(app.test_client(), make_token(user, organisation, scopes, events))

    return _make
