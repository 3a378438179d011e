"""A document the law or EN 16931 would refuse is refused before anything is rendered, with
every reason listed in the document's language."""

import dataclasses
from decimal import Decimal

import pytest

from eventapp.services.invoicing import (
    InvoiceDataError,
    Line,
    build_cii_xml,
    render_invoice,
    render_quote,
    validate,
)
from tests.services import invoice_samples as samples


def problems(document) -> list[str]:
    with pytest.raises(InvoiceDataError) as caught:
        validate(document)
    # French typography: the catalogue has a no-break space before a colon.
    return [problem.replace("\u00a0:", " :") for problem in caught.value.problems]


def test_the_samples_are_valid():
    for document in (samples.invoice(), samples.credit_note(), samples.quote()):
        validate(document)


def test_identifiers_are_normalised():
    assert samples.SELLER.siret == "44306184100047"
    assert samples.SELLER.siren == "443061841"  # derived from the SIRET
    assert samples.SELLER.vat_number == "FR64443061841"
    assert samples.SELLER.iban == "FR7630006000011234567890189"


def test_every_problem_is_listed_in_french():
    seller = dataclasses.replace(samples.SELLER, siret="44306184100048", iban="FR76 0000")
    document = samples.invoice(seller=seller, due_date=None, number=" ")
    assert problems(document) == [
        "Le document n’a pas de numéro.",
        "Le numéro SIRET du vendeur n’est pas valide.",
        "L’IBAN du vendeur n’est pas valide.",
        "Une facture doit avoir une date d’échéance.",
    ]


def test_problems_are_in_english_for_an_english_document():
    buyer = dataclasses.replace(samples.BUYER, vat_number="FR00130025265")
    assert problems(samples.invoice(buyer=buyer, language="en")) == [
        "The buyer's VAT number is not valid."
    ]


def test_a_seller_not_registered_for_vat_cannot_charge_vat():
    document = samples.invoice(seller=samples.FRANCHISE_SELLER)
    assert "Ligne 1 : un vendeur non assujetti à la TVA ne facture pas de TVA." in problems(
        document
    )


def test_a_vat_registered_seller_needs_its_vat_number_and_a_french_one_its_siren():
    seller = dataclasses.replace(samples.SELLER, vat_number=None, siret=None, siren=None)
    assert problems(samples.invoice(seller=seller)) == [
        "Un vendeur français doit indiquer son numéro SIREN ou SIRET.",
        "Un vendeur assujetti à la TVA doit indiquer son numéro de TVA intracommunautaire.",
    ]


def test_a_credit_note_names_the_invoice_it_corrects():
    document = samples.credit_note(corrected_invoice_number=None, due_date=None, payment_terms="")
    assert problems(document) == [
        "Un avoir indique le numéro et la date de la facture qu’il rectifie.",
        "Un avoir doit indiquer une date d’échéance ou des conditions de remboursement.",
    ]


def test_an_invoice_states_the_service_date_and_a_quote_its_validity():
    assert problems(samples.invoice(service_start=None, service_end=None)) == [
        "Une facture ou un avoir indique la date de la prestation."
    ]
    assert problems(samples.quote(valid_until=None)) == [
        "Un devis doit avoir une date de validité égale ou postérieure à sa date d’émission."
    ]


def test_impossible_lines_and_payments_are_refused():
    lines = (
        Line("", Decimal("-1"), Decimal(20)),
        Line("x", Decimal("1"), Decimal(100), quantity=0),
    )
    assert problems(samples.invoice(lines=lines)) == [
        "La ligne 1 n’a pas de désignation.",
        "Ligne 1 : le prix unitaire ne peut pas être négatif.",
        "Ligne 2 : la quantité doit être positive.",
        "Ligne 2 : le taux de TVA doit être compris entre 0 et 100.",
    ]
    assert problems(samples.invoice(prepaid=Decimal("900"))) == [
        "Le montant déjà payé doit être compris entre zéro et le total."
    ]
    no_iban = dataclasses.replace(samples.SELLER, iban=None)
    assert problems(samples.invoice(seller=no_iban)) == [
        "L’IBAN du vendeur est nécessaire pour une facture restant à payer."
    ]
    # Paid by card before the invoice: no bank details needed.
    validate(samples.invoice(seller=no_iban, prepaid=Decimal("836.09")))


def test_an_unreadable_logo_is_refused():
    seller = dataclasses.replace(samples.SELLER, logo=b"<svg>not a bitmap</svg>")
    assert problems(samples.invoice(seller=seller)) == [
        "Le logo du vendeur n’est pas une image PNG ou JPEG lisible."
    ]


def test_nothing_is_rendered_for_an_invalid_document():
    document = samples.invoice(due_date=None)
    with pytest.raises(InvoiceDataError):
        render_invoice(document)
    with pytest.raises(InvoiceDataError):
        build_cii_xml(document)
    with pytest.raises(InvoiceDataError):
        render_quote(samples.quote(valid_until=None))


def test_each_entry_point_takes_its_own_kind():
    with pytest.raises(ValueError, match="quote"):
        render_quote(samples.invoice())
    with pytest.raises(ValueError, match="invoice"):
        render_invoice(samples.quote())
    with pytest.raises(ValueError, match="not a Factur-X"):
        build_cii_xml(samples.quote())
