"""A proof for a checked rate (a student card), next to the justification text: PDF, JPEG or
PNG by content, size-limited, stored outside static/, served only to the event's organisers
(payments permission) and to the booking's link, deleted with the booking's erasure and the
event's retention purge."""

import html
import io
from datetime import timedelta

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.models import BookingPayment, Registration, utcnow
from eventapp.services.privacy.retention import purge_event
from tests.fees.conftest import form

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def register_with_proof(client, paid, content=PDF, name="carte-etudiant.pdf", **kw):
    data = form(paid["rates"]["student"], email="lea@univ.fr", **kw)
    data["fee-proof"] = (io.BytesIO(content), name)
    return client.post(
        f"/events/{paid['event'].slug}/register", data=data, content_type="multipart/form-data"
    )


def stored(db) -> BookingPayment | None:
    db.session.rollback()
    return db.session.scalar(select(BookingPayment))


def test_a_proof_alone_is_enough_for_a_checked_rate_and_goes_to_approval(client, db, paid):
    page = text(client.get(f"/events/{paid['event'].slug}/register"))
    assert 'enctype="multipart/form-data"' in page and 'name="fee-proof"' in page
    response = register_with_proof(client, paid)
    assert response.status_code == 302, text(response)
    payment = stored(db)
    assert payment.state == "awaiting_approval" and payment.justification is None
    assert (payment.proof_name, payment.proof_type) == ("carte-etudiant.pdf", "application/pdf")
    assert db.session.scalar(select(BookingPayment.proof_data)) == PDF


def test_the_organiser_and_the_booking_link_download_the_proof_others_do_not(
    app, client, db, paid, factory, login
):
    register_with_proof(client, paid, content=PNG, name="carte.png")
    payment = stored(db)
    token = db.session.scalar(select(Registration)).booking.manage_token
    # The participant, through their booking's link.
    mine = client.get(f"/b/{token}/pay/proof")
    assert mine.status_code == 200 and mine.data == PNG
    assert mine.mimetype == "image/png"
    assert mine.headers["X-Content-Type-Options"] == "nosniff"
    assert mine.headers["Content-Disposition"] == 'attachment; filename="carte.png"'
    assert "/pay/proof" in text(client.get(f"/b/{token}"))
    assert client.get(f"/b/{'x' * 40}/pay/proof").status_code == 404
    # The event's organiser, from the payments page.
    url = f"/organiser/events/{paid['event'].id}/payments/{payment.id}/proof"
    login(paid["manager"])
    assert url in text(client.get(f"/organiser/events/{paid['event'].id}/payments"))
    got = client.get(url)
    assert got.status_code == 200 and got.data == PNG
    assert "no-store" in got.headers["Cache-Control"]
    # Another organisation's manager, and the check-in staff, get nothing.
    genopole = factory.organisation(name="Genopole")
    outsider, other = factory.user(genopole, role="manager"), app.test_client()
    login(outsider, c=other)
    assert other.get(url).status_code == 404
    other_event = factory.event(organisers=[genopole])
    other_url = f"/organiser/events/{other_event.id}/payments/{payment.id}/proof"
    assert other.get(other_url).status_code == 404
    staff = app.test_client()
    login(factory.user(paid["org"], role="checkin"), c=staff)
    assert staff.get(url).status_code in (403, 404)


def test_a_file_that_lies_about_its_type_is_refused_and_the_form_kept(client, db, paid):
    response = register_with_proof(
        client, paid, content=b"<html>not a card</html>", name="carte.pdf", first_name="Léonie"
    )
    assert response.status_code == 400
    page = text(response)
    assert "Seuls les fichiers PDF, JPEG ou PNG sont acceptés" in page
    assert 'value="Léonie"' in page
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_too_large_proof_is_refused(app, client, db, paid, monkeypatch):
    monkeypatch.setitem(app.config, "PROOF_MAX_BYTES", 1024)
    response = register_with_proof(client, paid, content=PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "Le fichier est trop volumineux" in text(response)
    assert stored(db) is None


def test_a_proof_is_not_kept_for_a_rate_that_needs_no_check(client, db, paid):
    data = form(paid["rates"]["non_member"], email="lea@exemple.fr")
    data["fee-proof"] = (io.BytesIO(PDF), "carte.pdf")
    response = client.post(
        f"/events/{paid['event'].slug}/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    payment = stored(db)
    assert payment.proof_name is None and payment.state == "awaiting_payment"


def test_erasure_deletes_the_proof(client, db, paid):
    register_with_proof(client, paid)
    registration = db.session.scalar(select(Registration))
    erased = client.post(
        f"/r/{registration.manage_token}/erase", data={"scope": "this", "confirm": "y"}
    )
    assert erased.status_code == 302
    payment = stored(db)
    assert (payment.proof_name, payment.proof_type) == (None, None)
    assert db.session.scalar(select(BookingPayment.proof_data)) is None


def test_the_retention_purge_deletes_the_proof(client, db, paid):
    register_with_proof(client, paid)
    event = paid["event"]
    db.session.rollback()
    event = db.session.get(type(event), event.id)
    event.starts_at = utcnow() - timedelta(days=800)
    event.ends_at = utcnow() - timedelta(days=799)
    db.session.commit()
    with write_transaction():
        purge_event(db.session.get(type(event), event.id), None, actor="system")
    assert db.session.scalar(select(BookingPayment.proof_data)) is None
    assert stored(db).proof_name is None
