"""Organisations: administrators create them and invite the first owner; owners and managers
edit their profile (legal identifiers checked, the logo re-encoded); the public page."""

import html
import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from eventapp.models import AuditLog, Invitation, Organisation, OutboxMessage, utcnow
from eventapp.organisations import identifiers, logo


def _png(size=(800, 400), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def _form(**kw):
    data = {
        "name": "Clubster NSL",
        "short_name": "Clubster NSL",
        "kind": "cluster",
        "regions": ["hdf"],
        "website": "https://www.clubster-nsl.com",
        "contact_email": "contact@clubster-nsl.com",
        "legal_name": "Clubster Nutrition Santé Longévité",
        "legal_address": "1 rue du Professeur Calmette, 59000 Lille",
        "siret": "732 829 320 00074",
        "vat_number": "FR 40 303 265 045",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
    }
    data.update(kw)
    return data


def test_identifiers_are_checked_with_their_check_digits():
    assert identifiers.siren_or_siret("732 829 320") == "732829320"
    assert identifiers.siren_or_siret("73282932000074") == "73282932000074"
    for bad in ("732829321", "73282932000075", "12345"):
        try:
            identifiers.siren_or_siret(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    assert identifiers.vat_number("fr40303265045") == "FR40303265045"
    assert identifiers.iban("fr76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    for check, bad in (
        (identifiers.vat_number, "FR41303265045"),
        (identifiers.iban, "FR7630006000011234567890188"),
    ):
        try:
            check(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_a_logo_is_reencoded_and_what_is_not_an_image_refused():
    stored = logo.reencode(_png(fmt="JPEG"))
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and max(image.size) <= logo.MAX_SIDE
    payload = _png() + b"<?php system($_GET['c']); ?>"
    assert b"<?php" not in logo.reencode(payload)
    for bad in (b"<svg onload=alert(1)>", b"GIF89a" + b"\0" * 20, b""):
        try:
            logo.reencode(bad)
        except logo.LogoRejected:
            continue
        raise AssertionError(bad)


def test_an_admin_creates_an_organisation_and_invites_its_first_owner(
    client, db, factory, login, switch, mail_outbox
):
    switch(factory.user(is_admin=True))
    data = _form(**{"owner-email": "Directrice@Clubster-NSL.com"})
    data["logo"] = (io.BytesIO(_png()), "logo.png")
    response = client.post(
        "/admin/organisations/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Clubster NSL"))
    assert org.slug == "clubster-nsl" and org.kind == "cluster" and org.regions == ["hdf"]
    assert org.siret == "73282932000074" and org.vat_number == "FR40303265045"
    assert org.iban == "FR7630006000011234567890189"
    assert org.logo_png.startswith(b"\x89PNG")
    invitation = db.session.scalar(select(Invitation).where(Invitation.organisation_id == org.id))
    assert invitation.email == "directrice@clubster-nsl.com" and invitation.role == "owner"
    assert invitation.expires_at - utcnow() > timedelta(days=6, hours=23)
    assert len(mail_outbox) == 1 and "/invitation/" in mail_outbox[0].body
    token = mail_outbox[0].body.split("/invitation/")[1].split()[0]
    assert token not in invitation.token_hash  # only its hash is stored
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"organisation.created", "team.invited"} <= actions
    # The public page and its logo
    page = client.get("/o/clubster-nsl")
    assert page.status_code == 200 and "Clubster NSL" in page.get_data(as_text=True)
    assert client.get("/o/clubster-nsl/logo.png").mimetype == "image/png"


def test_bad_input_keeps_the_form_and_says_what_is_wrong(client, db, factory, login, switch):
    switch(factory.user(is_admin=True))
    data = _form(siret="73282932000075", iban="FR76 0000", **{"owner-email": "a@b.org"})
    data["logo"] = (io.BytesIO(b"%PDF-1.4 not an image"), "logo.png")
    response = client.post(
        "/admin/organisations/new", data=data, content_type="multipart/form-data"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "SIREN" in body and "IBAN" in body and "Clubster NSL" in body
    assert (
        db.session.scalar(select(Organisation).where(Organisation.name == "Clubster NSL")) is None
    )
    assert db.session.scalar(select(OutboxMessage)) is None


def test_a_taken_short_name_is_refused_with_the_form_kept(client, db, factory, login, switch):
    factory.organisation(slug="clubster-nsl", name="Other")
    switch(factory.user(is_admin=True))
    response = client.post("/admin/organisations/new", data=_form(**{"owner-email": "a@b.org"}))
    assert response.status_code == 409
    assert "Clubster NSL" in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation)) is None


def test_managers_edit_their_own_organisation_only(client, db, factory, login, switch):
    mine = factory.organisation(name="Medicen Paris Region", kind="pole")
    other = factory.organisation(name="Eurobiomed")
    switch(factory.user(mine, "manager"))
    response = client.post(
        f"/organiser/organisations/{mine.id}/profile",
        data=_form(name="Medicen", kind="pole", require_2fa="y"),
    )
    assert response.status_code == 302
    db.session.refresh(mine)
    assert mine.name == "Medicen" and mine.legal_name.startswith("Clubster")
    assert mine.require_2fa is False  # a manager does not set the members' rules
    assert client.get(f"/organiser/organisations/{other.id}/profile").status_code == 404
    assert (
        client.post(f"/organiser/organisations/{other.id}/profile", data=_form()).status_code == 404
    )


def test_viewers_and_checkin_staff_cannot_edit_the_profile(client, factory, login, switch):
    org = factory.organisation()
    for role in ("viewer", "checkin"):
        switch(factory.user(org, role))
        assert client.get(f"/organiser/organisations/{org.id}/profile").status_code == 404


def test_admin_pages_are_for_administrators(client, factory, login, switch):
    switch(factory.user(factory.organisation(), "owner"))
    assert client.get("/admin/organisations").status_code == 403
    assert client.get("/admin/organisations/new").status_code == 403


def test_the_public_page_lists_upcoming_published_events_only(client, factory):
    org = factory.organisation(slug="medicen", name="Medicen")
    factory.event(organisers=[org], title_fr="Congrès à venir")
    factory.event(organisers=[org], title_fr="Brouillon secret", status="draft")
    past = utcnow() - timedelta(days=30)
    factory.event(
        organisers=[org],
        title_fr="Congrès passé",
        starts_at=past,
        ends_at=past + timedelta(hours=8),
    )
    body = client.get("/o/medicen").get_data(as_text=True)
    assert "Congrès à venir" in body
    assert "Brouillon secret" not in body and "Congrès passé" not in body
    assert client.get("/o/nobody").status_code == 404
    assert client.get("/o/medicen/logo.png").status_code == 404


def test_the_legal_form_and_bic_are_kept_and_a_bad_bic_is_refused(
    client, db, factory, login, switch
):
    """Issue 15: the issuer's legal form (and its BIC beside the IBAN) are on the profile its
    managers keep, and go on its invoices (tests/invoices/test_documents.py)."""
    mine = factory.organisation(name="Medicen Paris Region", kind="pole")
    switch(factory.user(mine, "manager"))
    url = f"/organiser/organisations/{mine.id}/profile"
    refused = client.post(url, data=_form(bic="BNPAFRP", legal_form="Association loi 1901"))
    assert refused.status_code in (400, 422)
    page = html.unescape(refused.get_data(as_text=True))
    assert "Ce n’est pas un BIC valide" in page and "Association loi 1901" in page
    db.session.refresh(mine)
    assert mine.bic is None and mine.legal_form is None
    saved = client.post(url, data=_form(bic="bnpa fr pp xxx", legal_form="Association loi 1901"))
    assert saved.status_code == 302
    db.session.refresh(mine)
    assert (mine.bic, mine.legal_form) == ("BNPAFRPPXXX", "Association loi 1901")
    assert "Association loi 1901" in client.get(url).get_data(as_text=True)
