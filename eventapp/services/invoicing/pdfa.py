"""A Factur-X PDF: the printable PDF with its CII XML embedded as a PDF/A-3b file (the
`factur-x` package), then its document information aligned with its XMP metadata.

The factur-x package (7.8) writes the XMP (pdfaid part 3, conformance B, the Factur-X extension
schema, fx:ConformanceLevel "EN 16931"), the embedded file `factur-x.xml` (AFRelationship
Alternative: the XML is an equivalent form of the invoice) and the catalog's /AF. Two things
are corrected here, since PDF/A wants the Info dictionary and the XMP to say the same:
- it stamps the Info dates and the XMP dates with two separate clock reads (a second can pass
  between them) and always writes an Info /Keywords the XMP does not have: the Info
  dictionary is rewritten from the XMP values;
- `generate_from_binary` writes the new file into its temporary file at the position pypdf's
  reader left, after part of the original bytes (with pypdf 7 the output carries the old
  header and body in front of the new one): `generate_from_file` with an output path is used.
The header becomes %PDF-1.7 (PDF/A-3 is based on PDF 1.7).
"""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from eventapp.services.invoicing.facturx import PROFILE

XML_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}


def facturx_pdf(
    pdf: bytes, xml: bytes, *, title: str, author: str, subject: str, lang: str
) -> bytes:
    """Embed `xml` into `pdf` as Factur-X EN 16931; the package checks the XML against the
    profile's XSD first (check_xsd) and raises if it is not valid."""
    import facturx

    metadata = {"title": title, "author": author, "subject": subject, "keywords": ""}
    with tempfile.TemporaryDirectory(prefix="facturx-") as folder:
        target = Path(folder) / "facturx.pdf"
        facturx.generate_from_file(
            BytesIO(pdf),
            xml,
            flavor="factur-x",
            level=PROFILE,
            check_xsd=True,
            pdf_metadata=metadata,
            lang=lang,
            output_pdf_file=str(target),
            afrelationship="alternative",
            xmp_compression=False,
        )
        return _align_info_with_xmp(target.read_bytes())


def _xmp_date_to_pdf(value: str) -> str:
    """2026-10-15T08:30:00+00:00 -> D:20261015083000+00'00'"""
    date, _t, time = value.partition("T")
    clock, offset = time[:8], time[8:] or "Z"
    stamp = date.replace("-", "") + clock.replace(":", "")
    if offset == "Z":
        return f"D:{stamp}Z"
    return f"D:{stamp}{offset[0]}{offset[1:3]}'{offset[4:6]}'"


def xmp_values(xmp: bytes) -> dict[str, str]:
    from lxml import etree

    root = etree.fromstring(xmp)

    def first(path: str) -> str:
        found = root.xpath(f"string(//{path})", namespaces=XML_NAMESPACES)
        return str(found)

    return {
        "/Title": first("dc:title/rdf:Alt/rdf:li"),
        "/Author": first("dc:creator/rdf:Seq/rdf:li"),
        "/Subject": first("dc:description/rdf:Alt/rdf:li"),
        "/Producer": first("pdf:Producer"),
        "/Creator": first("xmp:CreatorTool"),
        "/CreationDate": _xmp_date_to_pdf(first("xmp:CreateDate")),
        "/ModDate": _xmp_date_to_pdf(first("xmp:ModifyDate")),
    }


def _align_info_with_xmp(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    writer.metadata = xmp_values(xmp)
    writer.pdf_header = "%PDF-1.7"
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
