"""Pages that lead somewhere (issue 19): the tour says how many stages are open and how many
have only a waiting list; on a phone the registration panel comes first; the cancellation page
promises a seat to the waiting list only when someone waits."""

import html

from eventapp.extensions import db


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_tour_card_counts_open_stages_and_those_with_only_a_waiting_list(client, factory):
    tour = factory.event(kind="tour", capacity=None, slug="tour-2026")
    stages = [
        factory.event(parent_id=tour.id, position=n, capacity=1, kind="stage") for n in range(7)
    ]
    for stage in stages[:2]:
        factory.registration(stage, status="confirmed")
    page = text(client.get("/events/tour-2026"))
    assert "5 étapes ouvertes, 2 en liste d’attente" in page
    assert "Inscriptions ouvertes pour 7 étapes" not in page
    for stage in stages[2:]:
        factory.registration(stage, status="confirmed")
    assert "Liste d’attente seulement (7 étapes)" in text(client.get("/events/tour-2026"))


def test_cancel_page_promises_a_seat_only_when_someone_waits(client, factory):
    event = factory.event(capacity=1)
    me = factory.registration(event)
    page = text(client.get(f"/r/{me.manage_token}/cancel"))
    assert "sera libérée pour quelqu’un d’autre" in page and "liste d’attente" not in page
    factory.registration(event, status="waitlisted")
    page = text(client.get(f"/r/{me.manage_token}/cancel"))
    assert "sera proposée à la première personne de la liste d’attente" in page
    db.session.rollback()
