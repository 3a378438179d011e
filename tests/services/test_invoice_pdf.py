"""The invoice, credit note and quote PDFs: what they say (French default, English), the
pagination of a 60-line invoice, and the PDF/A-3b structure of the Factur-X files (XMP, Info
dictionary agreeing with it, embedded fonts, sRGB output intent, the embedded XML's
relationship). Page 1 of each is rendered to tests/artifacts/ to be looked at."""

import dataclasses
import datetime as dt
import subprocess
import sys
import time
from decimal import Decimal
from io import BytesIO

from lxml import etree
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from eventapp.services.invoicing import (
    Line,
    render_credit_note,
    render_invoice,
    render_quote,
)
from eventapp.services.invoicing.pdfa import xmp_values
from tests.services import invoice_samples as samples

NBSP, NNBSP = "\u00a0", "\u202f"


def one_line(text: str) -> str:
    return " ".join(text.replace("\r\n", " ").replace("\n", " ").split(" "))


def test_french_invoice_says_what_french_law_asks():
    seller = dataclasses.replace(samples.SELLER, logo=samples.logo_png())
    pdf = render_invoice(samples.invoice(seller=seller))
    samples.save_page_png(pdf, "invoice_fr")
    [page] = samples.page_texts(pdf)
    page = one_line(page)
    for expected in (
        "FACTURE",
        "N° MED-2026-000001",
        "Date d’émission 15 octobre 2026",
        "Date d’échéance 14 novembre 2026",
        "Date de la prestation 24–25 novembre 2026",
        "SIRET 443 061 841 00047",
        "N° TVA : FR64443061841",
        "Association loi 1901",
        "Université Paris-Saclay",
        "N° TVA : FR07130025265",
        "Bon de commande : BC-2026-0118",
        "Participant : Marie Curie · Tarif : Membre",
        f"45,455{NBSP}€",
        f"TVA 20{NNBSP}% sur 580,00{NBSP}€",
        f"TVA 5,5{NNBSP}% sur 38,00{NBSP}€",
        "Total HT",
        f"708,91{NBSP}€",
        "Total TTC",
        f"836,09{NBSP}€",
        "IBAN FR76 3000 6000 0112 3456 7890 189 · BIC AGRIFRPP",
        "Référence à rappeler avec votre virement : CFB26-K7Q2-X",
        "trois fois le taux d’intérêt légal",
        f"frais de recouvrement en cas de retard de paiement : 40{NBSP}€",
        "Pas d’escompte pour paiement anticipé.",
    ):
        assert samples.fr(expected) in page, expected
    assert "Page 1" not in page  # one page: no page number


def test_english_invoice_is_in_english():
    pdf = render_invoice(samples.invoice(language="en"))
    samples.save_page_png(pdf, "invoice_en")
    page = one_line(samples.page_texts(pdf)[0])
    for expected in (
        "INVOICE",
        "No. MED-2026-000001",
        "Issue date October 15, 2026",
        "BILL TO",
        "Purchase order: BC-2026-0118",
        "Attendee: Marie Curie · Rate: Membre",
        "VAT 20% on €580.00",
        "Total incl. VAT €836.09",
        "Fixed indemnity for recovery costs in case of late payment: €40",
    ):
        assert expected in page, expected
    assert "Facture" not in page


def test_credit_note_and_franchise_invoice():
    credit = render_credit_note(samples.credit_note())
    samples.save_page_png(credit, "credit_note_fr")
    page = one_line(samples.page_texts(credit)[0])
    assert "AVOIR" in page
    assert "Cet avoir rectifie la facture n° MED-2026-000001 du 15 octobre 2026." in page
    assert f"Total de l’avoir TTC 228,00{NBSP}€" in page

    franchise = render_invoice(
        samples.invoice(
            seller=samples.FRANCHISE_SELLER,
            buyer=samples.PERSON,
            buyer_is_business=False,
            purchase_order=None,
            lines=(Line("Formation", Decimal("450.00"), Decimal(0), attendee="Élise Lefèvre"),),
        )
    )
    samples.save_page_png(franchise, "invoice_franchise_fr")
    page = one_line(samples.page_texts(franchise)[0])
    assert "TVA non applicable, art. 293 B du CGI" in page
    assert f"Total 450,00{NBSP}€" in page
    assert "TVA 0" not in page and samples.fr("N° TVA") not in page
    assert "40" not in page.split("Règlement")[1]  # no €40 indemnity for a consumer
    assert "trois fois le taux d’intérêt légal" in page


def test_quote_is_a_plain_pdf_with_its_validity():
    seller = dataclasses.replace(samples.SELLER, logo=samples.logo_png())
    pdf = render_quote(samples.quote(seller=seller))
    samples.save_page_png(pdf, "quote_fr")
    reader = PdfReader(BytesIO(pdf))
    assert "/AF" not in reader.trailer["/Root"]
    assert "/Names" not in reader.trailer["/Root"]
    page = one_line(samples.page_texts(pdf)[0])
    assert "DEVIS" in page
    assert "Valable jusqu’au 20 octobre 2026" in page
    assert "Ce devis est valable jusqu’au 20 octobre 2026." in page
    assert "Bon pour accord" in page
    assert f"836,09{NBSP}€" in page


def test_sixty_lines_span_pages_with_numbers_and_repeated_headers():
    lines = tuple(
        Line(samples.CONGRESS, Decimal("390.00"), Decimal(20), attendee=f"Participant {i:02d}")
        for i in range(1, 61)
    )
    started = time.perf_counter()
    pdf = render_invoice(samples.invoice(lines=lines))
    elapsed = time.perf_counter() - started
    pages = samples.page_texts(pdf)
    count = len(pages)
    assert count >= 3
    for number in range(count):
        samples.save_page_png(pdf, f"invoice_60_lines_p{number + 1}", number)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {count}" in page
        assert "Désignation" in page  # the table header on every page
        assert "Medicen Paris Region · Association loi 1901" in one_line(page)
    everything = one_line(" ".join(pages))
    for i in range(1, 61):
        assert everything.count(f"Participant {i:02d}") == 1
    # The totals block is whole on the last page.
    assert f"Total TTC 28{NNBSP}080,00{NBSP}€" in one_line(pages[-1])
    assert elapsed < 5, elapsed


def test_characters_the_font_lacks_print_as_question_marks():
    line = Line("Séminaire", Decimal("10"), Decimal(20), attendee="Zhang 张伟 Ωμέγα Łódź")
    pdf = render_invoice(samples.invoice(lines=(line,)))
    assert "Zhang ?? Ωμέγα Łódź" in samples.page_texts(pdf)[0]


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def test_facturx_pdf_is_pdf_a_3b_as_far_as_checkable_here():
    pdf = render_invoice(
        samples.invoice(seller=dataclasses.replace(samples.SELLER, logo=samples.logo_png()))
    )
    assert pdf.startswith(b"%PDF-1.7\n%")
    assert pdf[10] >= 128  # the binary comment line PDF/A asks for
    assert pdf.count(b"%PDF-") == 1  # one file, not an old one with a new one behind it
    reader = PdfReader(BytesIO(pdf))
    assert "/Encrypt" not in reader.trailer
    assert len(reader.trailer["/ID"]) == 2
    root = reader.trailer["/Root"]

    # XMP: PDF/A-3 conformance B, the Factur-X extension schema and level.
    metadata = root["/Metadata"].get_object()
    assert "/Filter" not in metadata
    xmp = metadata.get_data()
    assert b"bytes=" not in xmp.split(b"?>")[0] and b"encoding=" not in xmp.split(b"?>")[0]
    tree = etree.fromstring(xmp)
    ns = {
        "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
        "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
        "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    }
    assert tree.xpath("string(//pdfaid:part)", namespaces=ns) == "3"
    assert tree.xpath("string(//pdfaid:conformance)", namespaces=ns) == "B"
    assert tree.xpath("string(//fx:ConformanceLevel)", namespaces=ns) == "EN 16931"
    assert tree.xpath("string(//fx:DocumentFileName)", namespaces=ns) == "factur-x.xml"
    assert tree.xpath("string(//pdfaSchema:prefix)", namespaces=ns) == "fx"

    # The Info dictionary says exactly what the XMP says (PDF/A 6.6.2.3).
    info = {key: str(value) for key, value in reader.trailer["/Info"].get_object().items()}
    assert info == xmp_values(xmp)
    assert info["/Title"] == "Facture MED-2026-000001"

    # Output intent: PDF/A, with an embedded RGB ICC profile.
    [intent] = root["/OutputIntents"]
    intent = _resolve(intent)
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3
    assert profile.get_data()[36:40] == b"acsp" and profile.get_data()[16:20] == b"RGB "

    # The XML: associated file of the document, relationship Alternative, MIME type, date.
    [spec] = root["/AF"]
    spec = _resolve(spec)
    assert spec["/AFRelationship"] == "/Alternative"
    assert spec["/F"] == spec["/UF"] == "factur-x.xml"
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "factur-x.xml" and _resolve(names[1]) == spec
    embedded = spec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] == "/text/xml"
    assert "/ModDate" in embedded["/Params"]

    # Every font embedded (no standard 14 font), no transparency, no annotation.
    for page in reader.pages:
        assert "/Annots" not in page
        resources = page["/Resources"]
        for font in resources["/Font"].values():
            font = _resolve(font)
            assert font["/Subtype"] == "/Type0"
            descendant = _resolve(font["/DescendantFonts"][0])
            assert "/FontFile2" in _resolve(descendant["/FontDescriptor"])
            assert "/ToUnicode" in font
        for image in resources.get("/XObject", {}).values():
            image = _resolve(image)
            assert "/SMask" not in image
            assert image["/ColorSpace"] in ("/DeviceRGB", "/DeviceGray")
        for state in resources.get("/ExtGState", {}).values():
            state = _resolve(state)
            assert state.get("/CA", 1) == 1 and state.get("/ca", 1) == 1
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf


def test_importing_the_engine_loads_no_pdf_or_xml_library():
    code = (
        "import sys; import eventapp; before = set(sys.modules);"
        "import eventapp.services.invoicing;"
        "heavy = {'fpdf', 'lxml', 'facturx', 'pypdf', 'PIL', 'stdnum'};"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_long_texts_wrap_and_push_to_the_next_page_without_overlap():
    long = "Inscription au " + " ".join(["Congrès France Bioproduction 2026"] * 5)
    buyer = dataclasses.replace(
        samples.BUYER,
        name="Institut national de recherche pour l’agriculture, l’alimentation et "
        "l’environnement — Centre de recherche Île-de-France-Jouy-en-Josas-Antony",
        address_lines=("Domaine de Vilvert, bâtiment 442, unité mixte de recherche 1319",),
    )
    seller = dataclasses.replace(
        samples.SELLER,
        legal_form="Association loi 1901 reconnue d’intérêt général, déclarée en préfecture "
        "de Paris sous le numéro W751234567",
    )
    notes = tuple(
        f"Note {i} : les actes du congrès seront envoyés par courrier électronique aux "
        "participants inscrits dans les quinze jours suivant la manifestation."
        for i in range(28)
    )
    document = samples.invoice(
        seller=seller,
        buyer=buyer,
        lines=(*samples.lines(), Line(long, Decimal("1234567.89"), Decimal(20), quantity=3)),
        notes=notes,
        service_start=dt.date(2026, 9, 30),
        service_end=dt.date(2026, 10, 2),
        purchase_order="BC-INRAE-2026-DRH-0000000001-IDF-JOUY",
    )
    pdf = render_invoice(document)
    pages = samples.page_texts(pdf)
    assert len(pages) >= 2
    for number in range(len(pages)):
        samples.save_page_png(pdf, f"invoice_long_texts_p{number + 1}", number)
    samples.assert_text_inside_the_frame(pdf)
    everything = one_line(" ".join(pages))
    assert "Note 27 :" in everything
    assert "30 septembre 2026 – 2 octobre 2026" in everything
    assert f"3{NNBSP}703{NNBSP}703,67{NBSP}€" in everything


def test_every_sample_document_keeps_its_text_inside_the_frame():
    for pdf in (
        render_invoice(samples.invoice(language="en")),
        render_credit_note(samples.credit_note()),
        render_quote(
            samples.quote(seller=dataclasses.replace(samples.SELLER, logo=samples.logo_png()))
        ),
    ):
        samples.assert_text_inside_the_frame(pdf)
