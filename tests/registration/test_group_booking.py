"""Group bookings: a person books for colleagues in one booking (each attendee a registration
with their own name, e-mail, status and ticket; their own link only when asked); the booker
manages them all. The seat rule holds across the group, also under concurrency; the form's
error summary lists errors in the page's order with short names."""

import html
import re

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Booking, Event, Registration
from eventapp.services import bookings
from eventapp.services.registrations import Participant
from tests.support.races import race


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def form(colleagues=(), **kw):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea.durand@example.org",
        "organisation_name": "Yposkesi",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
    for n, colleague in enumerate(colleagues):
        for key, value in colleague.items():
            data[f"colleagues-{n}-{key}"] = value
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


COLLEAGUES = [
    {"first_name": "Hugo", "last_name": "Martin", "email": "hugo.martin@example.org"},
    {
        "first_name": "Inès",
        "last_name": "Bernard",
        "email": "ines.bernard@example.org",
        "job_title": "QA",
        "own_link": "y",
    },
]


def test_add_a_colleague_without_javascript_keeps_what_was_typed(client, db, factory):
    event = factory.event()
    url = f"/events/{event.slug}/register"
    assert "Ajouter un collègue" in text(client.get(url))
    response = client.post(url, data=form(add_colleague="1", first_name="Léonie"))
    page = text(response)
    assert response.status_code == 200
    assert 'name="colleagues-0-first_name"' in page and 'value="Léonie"' in page
    assert "error-summary" not in page
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    # A second click adds a second row, keeping the first one's entries.
    response = client.post(url, data=form([COLLEAGUES[0]], add_colleague="1"))
    page = text(response)
    assert 'value="Hugo"' in page and 'name="colleagues-1-first_name"' in page


def test_a_group_is_one_booking_with_a_registration_and_ticket_each(
    client, db, factory, mail_outbox
):
    event = factory.event(capacity=10)
    response = client.post(f"/events/{event.slug}/register", data=form(COLLEAGUES))
    assert response.status_code == 302
    regs = list(db.session.scalars(select(Registration).order_by(Registration.id)))
    assert [r.email for r in regs] == [
        "lea.durand@example.org",
        "hugo.martin@example.org",
        "ines.bernard@example.org",
    ]
    assert len({r.booking_id for r in regs}) == 1 and {r.status for r in regs} == {"confirmed"}
    assert len({r.ticket_code for r in regs}) == 3
    assert {r.organisation_name for r in regs} == {"Yposkesi"}
    assert regs[2].job_title == "QA"
    # The booker gets the booking's e-mail (every ticket); Inès, who asked for it, her own
    # registration e-mail and link; Hugo nothing.
    by_recipient = {m.to[0]: m for m in mail_outbox}
    assert set(by_recipient) == {"lea.durand@example.org", "ines.bernard@example.org"}
    assert f"/r/{regs[2].manage_token}" in by_recipient["ines.bernard@example.org"].body
    assert regs[1].manage_token not in by_recipient["ines.bernard@example.org"].body
    booking = db.session.get(Booking, regs[0].booking_id)
    assert f"/b/{booking.manage_token}" in by_recipient["lea.durand@example.org"].body
    # The booker manages all of them: names, tickets, cancellation of each.
    page = text(client.get(f"/b/{booking.manage_token}"))
    for r in regs:
        assert r.full_name in page
        assert f"/r/{r.manage_token}/ticket.pdf" in page
        assert f"/b/{booking.manage_token}/cancel/{r.id}" in page
    response = client.post(f"/b/{booking.manage_token}/cancel/{regs[1].id}", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.status for r in regs] == ["confirmed", "cancelled", "confirmed"]


def test_a_group_larger_than_the_seats_left_is_confirmed_up_to_the_capacity(client, db, factory):
    event = factory.event(capacity=2)
    response = client.post(f"/events/{event.slug}/register", data=form(COLLEAGUES))
    assert response.status_code == 302
    statuses = list(db.session.scalars(select(Registration.status).order_by(Registration.id)))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]


def test_each_person_needs_their_own_address(client, db, factory):
    event = factory.event()
    twin = {**COLLEAGUES[0], "email": "Lea.Durand@example.org"}
    response = client.post(f"/events/{event.slug}/register", data=form([twin]))
    assert response.status_code == 400
    assert "Chaque personne a besoin de sa propre adresse e-mail" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_error_summary_follows_the_page_order_links_to_fields_with_short_names(client, factory):
    event = factory.event()
    broken = {"first_name": "Hugo", "last_name": "Martin", "email": ""}
    response = client.post(
        f"/events/{event.slug}/register",
        data=form([broken], first_name="", consent=None),
    )
    assert response.status_code == 400
    page = text(response)
    summary = page[page.index('class="error-summary"') : page.index("</ul>", page.index("error"))]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [anchor for anchor, _label in links] == [
        "first_name",
        "colleagues-0-email",
        "consent",
    ]
    labels = [label for _anchor, label in links]
    assert labels[0] == "Prénom\u00a0: Ce champ est obligatoire."
    assert labels[1] == "Collègue 1 — Adresse e-mail\u00a0: Ce champ est obligatoire."
    assert labels[2] == "Politique de confidentialité\u00a0: Ce champ est obligatoire."
    assert "data-autofocus" in summary  # static/js/forms.js moves the focus there


def test_race_simultaneous_group_bookings_never_overfill(app, factory):
    event = factory.event(capacity=5)
    event_id = event.id

    def book(n):
        with write_transaction():
            people = [
                Participant(
                    first_name="P",
                    last_name=f"{n}-{k}",
                    email=f"p{n}-{k}@example.org",
                    category="biotech",
                )
                for k in range(3)
            ]
            bookings.book([_db.session.get(Event, event_id)], people)

    errors, _results = race(app, book, 8)
    assert errors == []
    _db.session.rollback()
    rows = _db.session.execute(
        select(Registration.booking_id, Registration.status).where(
            Registration.event_id == event_id
        )
    ).all()
    assert len(rows) == 24 and len({b for b, _s in rows}) == 8
    assert sum(1 for _b, s in rows if s == "confirmed") == 5
