"""Fixtures of the fees tests: a paid congress co-organised by an organisation with a member
directory, and the form data of a registration."""

import pytest

from eventapp.extensions import db
from eventapp.models import MemberCompany, PriceCategory, Voucher
from tests.support.stripe_standin import stripe_standin  # noqa: F401


@pytest.fixture
def paid(factory):
    """A congress with member / non-member / student rates; Sanofi is a member of its lead."""
    org = factory.organisation(name="Medicen Paris Region", iban="FR7630006000011234567890189")
    event = factory.event(organisers=[org], capacity=10)
    rates = {
        "member": PriceCategory(
            event_id=event.id,
            kind="member",
            name_fr="Adhérent",
            name_en="Member",
            price_cents=39000,
            verification="member",
            position=0,
        ),
        "non_member": PriceCategory(
            event_id=event.id,
            kind="non_member",
            name_fr="Non-adhérent",
            name_en="Non-member",
            price_cents=59000,
            position=1,
        ),
        "student": PriceCategory(
            event_id=event.id,
            kind="student",
            name_fr="Étudiant",
            name_en="Student",
            price_cents=9000,
            verification="approval",
            quota=2,
            position=2,
        ),
    }
    db.session.add_all(rates.values())
    db.session.add(
        MemberCompany(
            organisation_id=org.id, name="Sanofi", siren="395030844", domains=["sanofi.com"]
        )
    )
    db.session.commit()
    manager = factory.user(org, role="manager")
    return {"event": event, "org": org, "rates": rates, "manager": manager}


def voucher(event, **kw):
    values = {"event_id": event.id, "code": "GENOPOLE", "kind": "percent", "value": 15}
    values.update(kw)
    found = Voucher(**values)
    db.session.add(found)
    db.session.commit()
    return found


def form(category, **kw):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea.durand@sanofi.com",
        "organisation_name": "Sanofi",
        "job_title": "Ingénieure",
        "category": "industrial",
        "region": "idf",
        "consent": "y",
        "fee-category": str(category.id) if category is not None else None,
        # The invoice's billing details (eventapp/invoices), asked for a paid event.
        "fee-billing-buyer_kind": "business",
        "fee-billing-name": "Sanofi",
        "fee-billing-address": "46 avenue de la Grande Armée",
        "fee-billing-postcode": "75017",
        "fee-billing-city": "Paris",
        "fee-billing-country_code": "FR",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def stripe_app(app, monkeypatch, stripe_standin):  # noqa: F811
    """The app pointed at the local Stripe stand-in (its webhooks are posted by the tests)."""
    from eventapp.services.fees import cards

    for key, value in stripe_standin.config().items():
        monkeypatch.setitem(app.config, key, value)
    cards._PROVIDERS.clear()
    yield stripe_standin
    cards._PROVIDERS.clear()
