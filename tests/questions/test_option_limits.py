"""A choice's per-option seat limit holds under concurrency: people POST the real form at the
same instant (live server, real threads); the option is counted under the event's lock."""

import urllib.error

import pytest
from sqlalchemy import func, select

from eventapp.models import AnswerChoice, Registration
from tests.registration.test_http_race import Browser, _person, _race


def _holders(db, option_id):
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(AnswerChoice).where(AnswerChoice.option_id == option_id)
    )


@pytest.mark.slow
def test_twenty_people_racing_for_the_last_three_places_of_a_workshop(live_server, db, factory):
    event = factory.event(capacity=None)
    workshop = factory.question(
        event, "choice", identifier="workshop", options=[("a", "Atelier A", 3), ("b", "Atelier B")]
    )
    option_a = workshop.options[0].id
    path = f"/events/{event.slug}/register"
    outcomes = []

    def participant(n):
        browser = Browser(live_server)
        browser.get(path)

        def job(barrier):
            barrier.wait(timeout=60)
            try:
                status, _url = browser.post(path, {**_person(n), f"q_{workshop.id}": "a"})
            except urllib.error.HTTPError as error:
                body = error.read().decode()
                outcomes.append((error.code, "complet" in body))
                return
            outcomes.append((status, True))

        return job

    errors = _race([participant(n) for n in range(20)])
    assert errors == []
    assert _holders(db, option_a) == 3
    assert sorted(outcomes).count((200, True)) == 3
    # Refused with the option named full: by the form (it saw the option full) or under the
    # lock (it was not yet when the form was read).
    refused = [o for o in outcomes if o[0] != 200]
    assert len(refused) == 17 and all(code in (400, 409) and full for code, full in refused)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 3


def test_a_full_option_is_marked_and_refused_but_stays_with_its_holder(client, db, factory):
    event = factory.event()
    workshop = factory.question(
        event, "choice", identifier="workshop", options=[("a", "Atelier A", 1), ("b", "Atelier B")]
    )
    url = f"/events/{event.slug}/register"
    first = client.post(url, data={**_person(1), f"q_{workshop.id}": "a"})
    assert first.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Atelier A (complet)" in page and "disabled" in page
    refused = client.post(url, data={**_person(2), f"q_{workshop.id}": "a"})
    assert refused.status_code in (400, 409)
    # The holder keeps it when they save their manage page again.
    holder = db.session.scalar(select(Registration).order_by(Registration.id))
    again = client.post(
        f"/r/{holder.manage_token}",
        data={**_person(1), f"q_{workshop.id}": "a"},
    )
    assert again.status_code == 302
    assert _holders(db, workshop.options[0].id) == 1


def test_a_cancelled_registration_frees_its_option(client, db, factory):
    event = factory.event()
    workshop = factory.question(
        event, "choice", identifier="workshop", options=[("a", "Atelier A", 1)]
    )
    url = f"/events/{event.slug}/register"
    assert client.post(url, data={**_person(1), f"q_{workshop.id}": "a"}).status_code == 302
    holder = db.session.scalar(select(Registration))
    client.get(f"/r/{holder.manage_token}/cancel")
    client.post(f"/r/{holder.manage_token}/cancel", data={})
    db.session.expire_all()
    assert db.session.get(Registration, holder.id).status == "cancelled"
    assert client.post(url, data={**_person(2), f"q_{workshop.id}": "a"}).status_code == 302
