"""Issue 17's "Done when", as one test: a script that knows only the documented API (it finds
its operations in /api/v1/openapi.json) and a token syncs the congress's attendees
incrementally, registers a person, checks them in, and receives the signed webhooks for each;
a second run with the same idempotency keys changes nothing. Over real HTTP (a live server),
with a real receiver on loopback; on SQLite and PostgreSQL (TEST_DATABASE_URL)."""

import json

import requests
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.jobs import dispatch
from eventapp.models import Registration, WebhookDelivery
from eventapp.services.api import webhooks
from tests.api.conftest import make_token
from tests.api.receiver import receiving


class SyncScript:
    """The CRM's side: only HTTP, the token, and what the OpenAPI document says."""

    def __init__(self, base: str, secret: str):
        self.base, self.http = base, requests.Session()
        self.http.headers["Authorization"] = f"Bearer {secret}"
        self.paths = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()["paths"]
        self.people: dict[int, dict] = {}
        self.mark: str | None = None

    def _url(self, template: str, **ids) -> str:
        assert template in self.paths, template  # documented
        return self.base + template.format(**ids)

    def sync(self, event_id: int) -> int:
        """Fetch what changed since the last sync, page by page; returns how many came."""
        url = self._url("/api/v1/events/{event_id}/attendees", event_id=event_id)
        params = {"limit": 2, "modified_since": self.mark} if self.mark else {"limit": 2}
        came = 0
        while True:
            page = self.http.get(url, params=params, timeout=10)
            assert page.status_code == 200, page.text
            body = page.json()
            for person in body["items"]:
                self.people[person["id"]] = person
                self.mark = max(self.mark or "", person["updated_at"])
                came += 1
            if not body["next_cursor"]:
                return came
            params = {**params, "cursor": body["next_cursor"]}

    def register_and_check_in(self, event_id: int, person: dict, run_key: str) -> tuple:
        created = self.http.post(
            self._url("/api/v1/events/{event_id}/attendees", event_id=event_id),
            json=person,
            headers={"Idempotency-Key": f"{run_key}-register"},
            timeout=10,
        )
        checked = self.http.post(
            self._url("/api/v1/events/{event_id}/checkins", event_id=event_id),
            json={"registration_id": created.json()["id"]},
            headers={"Idempotency-Key": f"{run_key}-checkin"},
            timeout=10,
        )
        return created, checked


def test_a_crm_syncs_registers_checks_in_and_hears_the_signed_webhooks(live_server, factory):
    org = factory.organisation()
    owner = factory.user(org, "owner")
    congress = factory.event(organisers=[org], capacity=50, title_fr="Congrès Bioproduction")
    for _ in range(5):
        factory.registration(congress)
    secret = make_token(
        owner, org, scopes=["attendees:read", "attendees:write", "checkin:write"], events=[congress]
    )
    with receiving() as receiver:
        _endpoint, signing = webhooks.create_endpoint(
            org,
            url=receiver.url,
            event_types=["registration.created", "checkin.created"],
            user=owner,
        )
        db.session.commit()
        crm = SyncScript(live_server, secret)
        assert crm.sync(congress.id) == 5
        assert crm.sync(congress.id) <= 5  # at or after the mark: nothing new but the last

        person = {
            "first_name": "Inès",
            "last_name": "Moreau",
            "email": "ines.moreau@example.org",
            "category": "biotech",
            "organisation_name": "Yposkesi",
        }
        created, checked = crm.register_and_check_in(congress.id, person, "run-1")
        assert created.status_code == 201 and checked.json()["state"] == "checked_in"
        assert dispatch.wait_until_published(30)
        crm.sync(congress.id)
        synced = crm.people[created.json()["id"]]
        assert synced["checked_in_at"] is not None and synced["last_name"] == "Moreau"

        kinds = [json.loads(item.body)["type"] for item in receiver.received]
        assert kinds == ["registration.created", "checkin.created"]
        assert all(webhooks.verify(signing, r.headers, r.body) for r in receiver.received)

        # The second run, with the same keys: the same answers, no change, no new webhook.
        db.session.rollback()  # a fresh snapshot: the server committed meanwhile
        people_before = db.session.scalar(select(func.count()).select_from(Registration))
        again_created, again_checked = crm.register_and_check_in(congress.id, person, "run-1")
        assert again_created.json() == created.json() and again_checked.json() == checked.json()
        assert again_created.headers["Idempotent-Replayed"] == "true"
        assert dispatch.wait_until_published(30)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Registration)) == people_before
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2
        assert len(receiver.received) == 2
