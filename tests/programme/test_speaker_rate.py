"""The speaker rate (issues 14 and 16): a speaker of the event who registers gets its free
speaker/partner rate, recognised by the e-mail address the organiser gave the speaker (never
shown) or by the speaker's link to a registration; others still justify that rate."""

import html

from sqlalchemy import select

from eventapp.extensions import db as _db
from eventapp.models import BookingPayment, PriceCategory, Registration, Speaker
from tests.fees.conftest import form, paid  # noqa: F401 - the paid congress fixture


def text(response):
    return html.unescape(response.get_data(as_text=True))


def _speaker_rate(event):
    rate = PriceCategory(
        event_id=event.id,
        kind="speaker",
        name_fr="Intervenant / partenaire",
        name_en="Speaker / partner",
        price_cents=0,
        verification="approval",
        position=5,
    )
    _db.session.add(rate)
    _db.session.commit()
    return rate


def _payment(db):
    db.session.rollback()
    return db.session.scalar(select(BookingPayment).order_by(BookingPayment.id.desc()))


def test_a_speaker_registering_gets_the_free_speaker_rate(client, db, paid):  # noqa: F811
    event = paid["event"]
    rate = _speaker_rate(event)
    speaker = Speaker(event_id=event.id, name="Léa Durand", email="lea.durand@sanofi.com")
    db.session.add(speaker)
    db.session.commit()
    # She picks the non-member rate (or any): as a speaker she gets the speaker rate.
    response = client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["non_member"], email="Lea.Durand@Sanofi.com"),
    )
    assert response.status_code == 302
    payment = _payment(db)
    assert payment.price_category_id == rate.id
    assert (payment.total_cents, payment.state) == (0, "paid")
    person = db.session.scalar(select(Registration))
    assert db.session.get(Speaker, speaker.id).registration_id == person.id


def test_someone_not_a_speaker_still_justifies_the_speaker_rate(
    client,
    db,
    paid,  # noqa: F811
    factory,
):
    event = paid["event"]
    rate = _speaker_rate(event)
    response = client.post(
        f"/events/{event.slug}/register", data=form(rate, email="lea@yposkesi.fr")
    )
    # Not a speaker: the checked rate asks for a justification.
    assert response.status_code in (400, 409, 422)
    assert "justif" in text(response).lower()
    db.session.rollback()
    assert db.session.scalar(select(Registration)) is None


def test_a_booking_mixing_a_speaker_and_a_colleague_keeps_the_rate_chosen(
    db,
    paid,  # noqa: F811
    factory,
):
    from eventapp.database import write_transaction
    from eventapp.models import Event, utcnow
    from eventapp.services.programme.speaker_rate import rate_for

    event = paid["event"]
    rate = _speaker_rate(event)
    db.session.add(Speaker(event_id=event.id, name="Léa Durand", email="lea.durand@sanofi.com"))
    db.session.commit()
    speaker = factory.registration(event, email="lea.durand@sanofi.com")
    colleague = factory.registration(event, email="hugo.martin@sanofi.com")
    with write_transaction():
        ev = _db.session.get(Event, event.id)
        people = [_db.session.get(Registration, r.id) for r in (speaker, colleague)]
        assert rate_for(ev, people, utcnow()) is None
        assert rate_for(ev, people[:1], utcnow()).id == rate.id
    # Without a speaker rate on offer, nothing changes.
    with write_transaction():
        _db.session.get(PriceCategory, rate.id).active = False
    with write_transaction():
        ev = _db.session.get(Event, event.id)
        assert rate_for(ev, [_db.session.get(Registration, speaker.id)], utcnow()) is None


def test_the_speaker_address_is_kept_private(client, db, login, congress):
    event, speaker = congress["event"], congress["speakers"]["listed"]
    login(congress["manager"])
    response = client.post(
        f"/organiser/events/{event.id}/programme/speakers/{speaker.id}",
        data={"name": speaker.name, "email": " Claire.Dupont@Sanofi.com ", "consent_listed": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Speaker, speaker.id).email == "claire.dupont@sanofi.com"
    public = text(client.get(f"/events/{event.slug}/speakers"))
    assert "Claire Dupont" in public and "claire.dupont" not in public.lower()
