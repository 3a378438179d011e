"""Sample parties and documents for the invoice engine's tests: Medicen selling the Congrès
France Bioproduction 2026 to Université Paris-Saclay (valid SIREN, VAT numbers and IBAN)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from eventapp.services.invoicing import Document, DocumentKind, Line, Party

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CONGRESS = "Congrès France Bioproduction 2026"

SELLER = Party(
    name="Medicen Paris Region",
    address_lines=("Immeuble Le Dahlia", "15 rue de la Santé"),
    postcode="75014",
    city="Paris",
    siret="443 061 841 00047",
    vat_number="FR 64 443061841",
    legal_form="Association loi 1901",
    email="congres@medicen.example",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
)
BUYER = Party(
    name="Université Paris-Saclay",
    address_lines=("Service financier — Bâtiment Bréguet", "3 rue Joliot-Curie"),
    postcode="91190",
    city="Gif-sur-Yvette",
    siren="130025265",
    vat_number="FR07130025265",
    email="compta@universite.example",
)
PERSON = Party(
    name="Élise Lefèvre",
    address_lines=("12 avenue Jean Jaurès",),
    postcode="69007",
    city="Lyon",
)
FRANCHISE_SELLER = dataclasses.replace(
    SELLER, name="Bioprod Formation", vat_registered=False, vat_number=None, legal_form="SARL"
)


def lines() -> tuple[Line, ...]:
    return (
        Line(CONGRESS, Decimal("390.00"), Decimal(20), attendee="Marie Curie", category="Membre"),
        Line(
            CONGRESS,
            Decimal("190.00"),
            Decimal(20),
            attendee="Louis Pasteur",
            category="Académique",
        ),
        Line("Dîner de gala", Decimal("45.455"), Decimal(10), quantity=2, attendee="Marie Curie"),
        Line("Ouvrage des actes", Decimal("38.00"), Decimal("5.5")),
    )


def invoice(**changes) -> Document:
    values: dict = dict(  # noqa: C408 (keyword names read as the Document's fields)
        kind=DocumentKind.INVOICE,
        number="MED-2026-000001",
        issue_date=dt.date(2026, 10, 15),
        seller=SELLER,
        buyer=BUYER,
        lines=lines(),
        due_date=dt.date(2026, 11, 14),
        service_start=dt.date(2026, 11, 24),
        service_end=dt.date(2026, 11, 25),
        purchase_order="BC-2026-0118",
        payment_terms="Virement à 30 jours.",
        payment_reference="CFB26-K7Q2-X",
    )
    values.update(changes)
    return Document(**values)


def credit_note(**changes) -> Document:
    values: dict = dict(  # noqa: C408 (keyword names read as the Document's fields)
        kind=DocumentKind.CREDIT_NOTE,
        number="MED-2026-000002",
        issue_date=dt.date(2026, 11, 2),
        lines=(
            Line(
                CONGRESS,
                Decimal("190.00"),
                Decimal(20),
                attendee="Louis Pasteur",
                category="Académique — annulation",
            ),
        ),
        due_date=dt.date(2026, 11, 17),
        payment_terms="Remboursement par virement sous 15 jours.",
        payment_reference=None,
        corrected_invoice_number="MED-2026-000001",
        corrected_invoice_date=dt.date(2026, 10, 15),
    )
    values.update(changes)
    return invoice(**values)


def quote(**changes) -> Document:
    values: dict = dict(  # noqa: C408 (keyword names read as the Document's fields)
        kind=DocumentKind.QUOTE,
        number="DEV-2026-000007",
        issue_date=dt.date(2026, 9, 20),
        due_date=None,
        valid_until=dt.date(2026, 10, 20),
        purchase_order=None,
        payment_terms="Paiement par virement à réception de facture (bon de commande requis).",
    )
    values.update(changes)
    return invoice(**values)


def fr(text: str) -> str:
    """French typography as the catalogue writes it: a no-break space before a colon and
    after "N°"."""
    return text.replace(" :", "\u00a0:").replace("N° ", "N°\u00a0")


def logo_png() -> bytes:
    """A small logo with transparency (flattened onto white in the PDF)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 116, 116), radius=22, fill=(10, 79, 143, 255))
    draw.ellipse((34, 34, 86, 86), fill=(255, 255, 255, 255))
    draw.rectangle((136, 36, 350, 56), fill=(10, 79, 143, 255))
    draw.rectangle((136, 68, 300, 84), fill=(30, 123, 52, 200))
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def save_page_png(pdf: bytes, name: str, page: int = 0) -> Path:
    """Render one page to tests/artifacts/<name>.png (to look at)."""
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=150 / 72)
        bitmap.to_pil().save(target)
    finally:
        document.close()
    return target


def page_texts(pdf: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def assert_text_inside_the_frame(pdf: bytes) -> None:
    """No character outside the 15 mm side margins, none between the content's bottom
    (276 mm) and the footer rule (283 mm), none below the footer: text was neither cut nor
    pushed over the footer."""
    import pypdfium2

    mm = 72 / 25.4
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document, start=1):
            height = page.get_height()
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                char = textpage.get_text_range(index, 1)
                if not char.strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(index)
                where = f"page {number}, {char!r} at {left / mm:.1f}, {(height - top) / mm:.1f}"
                assert 15 * mm - 1 <= left and right <= 195 * mm + 1, where
                from_top, below = (height - top) / mm, (height - bottom) / mm
                assert not (below > 276 and from_top < 283), where
                assert below < 290, where
            textpage.close()
    finally:
        document.close()
