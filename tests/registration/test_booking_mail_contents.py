"""The booking's e-mail leads somewhere: the venue's full address with an OpenStreetMap link
(no embedded map), the organisers' contact, how to cancel, the person's own details to check,
and the booking's link."""

from eventapp.models import Booking, Registration


def test_booking_email_has_address_map_contact_details_and_link(client, db, factory, mail_outbox):
    event = factory.event(
        venue="Maison de la Chimie",
        address="28 rue Saint-Dominique, 75007 Paris",
        city="Paris",
        contact_email="evenements@medicen.example",
    )
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "first_name": "Léa",
            "last_name": "Durand",
            "email": "lea.durand@example.org",
            "organisation_name": "Yposkesi",
            "job_title": "Responsable qualité",
            "category": "biotech",
            "region": "idf",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    [mail] = mail_outbox
    body = mail.body
    assert "Maison de la Chimie, 28 rue Saint-Dominique, 75007 Paris" in body
    assert "Paris, Paris" not in body  # the town once
    assert "https://www.openstreetmap.org/search?query=28+rue+Saint-Dominique" in body
    assert "evenements@medicen.example" in body
    assert "Léa DURAND, Responsable qualité" in body and "Yposkesi — Biotech" in body
    booking = db.session.scalar(db.select(Booking))
    assert f"/b/{booking.manage_token}" in body
    assert "Vous pouvez annuler à tout moment" in body
    html = mail.alternatives[0][0]
    assert "<iframe" not in html and "openstreetmap.org/search" in html
    assert db.session.scalar(db.select(Registration.email)) == "lea.durand@example.org"
