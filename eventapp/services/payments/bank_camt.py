"""CAMT.053 bank-to-customer statements (ISO 20022), any version from .001.02 to .001.13.

Rules:
- Parsed with a hardened lxml parser: no DTD loaded, no entity resolved, no network, no huge
  trees; a document that declares a DTD or entities at all is refused (``xml_forbidden``), so
  neither an external entity (XXE) nor an entity bomb can get in.
- Only booked entries are read (status BOOK; pending and information entries are not money).
- An entry that batches several transactions (several TxDtls with their own amounts) gives one
  transaction each; the remittance text joins the unstructured lines (Ustrd), the structured
  creditor reference (Strd/CdtrRefInf/Ref), the end-to-end id when the payer set one, and the
  additional information fields.
- For a credit the payer is the debtor (Dbtr / its account); for a debit, the creditor.
"""

from __future__ import annotations

import re

from lxml import etree

from eventapp.services.payments.bank_types import (
    MAX_TRANSACTIONS,
    Statement,
    StatementError,
    add_fingerprints,
    clean_text,
    normalise_iban,
    parse_date,
)

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(([a-z]{4}\.\d{3})\.\d{3}\.\d{2})")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _looks_declared(data: bytes) -> bool:
    """A DTD declaration, in whatever encoding the document uses (UTF-8/Latin or UTF-16)."""
    return bool(_DTD.search(data) or _DTD.search(data.replace(b"\x00", b"")))


def parse_camt(data: bytes, *, account: str | None = None) -> Statement:
    if _looks_declared(data):
        raise StatementError("xml_forbidden")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise StatementError("xml_malformed", line=exc.lineno or 1) from None
    doctype = root.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None or doctype.externalDTD is not None:
        raise StatementError("xml_forbidden")
    namespace = etree.QName(root).namespace or ""
    match = _NAMESPACE.fullmatch(namespace)
    if etree.QName(root).localname != "Document" or not match or match[2] != "camt.053":
        raise StatementError(
            "unsupported_xml", kind=match[1] if match else etree.QName(root).localname
        )
    version = match[1]
    ns = {"c": namespace}
    found: list[dict] = []
    statement_iban = None
    number = 0  # the entry's rank in the file, for messages
    for statement in root.iterfind("c:BkToCstmrStmt/c:Stmt", ns):
        iban = normalise_iban(_text(statement, "c:Acct/c:Id/c:IBAN", ns))
        statement_iban = statement_iban or iban
        for entry in statement.iterfind("c:Ntry", ns):
            number += 1
            if not _booked(entry, ns):
                continue
            found.extend(_entry(entry, ns, number))
            if len(found) > MAX_TRANSACTIONS:
                raise StatementError("too_many_transactions", limit=MAX_TRANSACTIONS)
    transactions = add_fingerprints(found, account=account or statement_iban)
    return Statement(version, tuple(transactions), account or statement_iban, None)


def _text(node, path: str, ns) -> str | None:
    value = node.findtext(path, namespaces=ns)
    return value.strip() if value and value.strip() else None


def _booked(entry, ns) -> bool:
    # .02 writes <Sts>BOOK</Sts>, .08 and later <Sts><Cd>BOOK</Cd></Sts>
    status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
    return status is None or status.upper() == "BOOK"


def _cents(node, number: int, ns) -> tuple[int, str] | None:
    amount = node.find("c:Amt", ns) if node is not None else None
    if amount is None:
        return None
    text = (amount.text or "").strip()
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise StatementError("bad_amount", line=number, value=text)
    units, _, decimals = text.partition(".")
    currency = (amount.get("Ccy") or "").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise StatementError("bad_currency", line=number, value=currency)
    return int(units) * 100 + int(decimals.ljust(2, "0")), currency


def _date(entry, tag: str, number: int, ns):
    raw = _text(entry, f"c:{tag}/c:Dt", ns) or _text(entry, f"c:{tag}/c:DtTm", ns)
    return parse_date(raw, line=number) if raw else None


def _entry(entry, ns, number: int) -> list[dict]:
    total = _cents(entry, number, ns)
    if total is None:
        raise StatementError("camt_missing_field", entry=number, field="Amt")
    sign = -1 if (_text(entry, "c:CdtDbtInd", ns) or "").upper() == "DBIT" else 1
    booked_on = _date(entry, "BookgDt", number, ns) or _date(entry, "ValDt", number, ns)
    if booked_on is None:
        raise StatementError("camt_missing_field", entry=number, field="BookgDt")
    value_date = _date(entry, "ValDt", number, ns)
    entry_ref = _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
    entry_info = _text(entry, "c:AddtlNtryInf", ns)
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    if not details:
        return [_fields(booked_on, value_date, sign, total, entry_ref, entry_info, number)]
    rows = []
    for rank, detail in enumerate(details, start=1):
        own = _cents(detail, number, ns) or _cents(detail.find("c:AmtDtls/c:TxAmt", ns), number, ns)
        if own is None:
            if len(details) > 1:
                raise StatementError("camt_missing_field", entry=number, field="TxDtls/Amt")
            own = total
        detail_sign = sign
        indicator = _text(detail, "c:CdtDbtInd", ns)
        if indicator:
            detail_sign = -1 if indicator.upper() == "DBIT" else 1
        party = "Dbtr" if detail_sign > 0 else "Cdtr"
        name = (
            _text(detail, f"c:RltdPties/c:{party}/c:Nm", ns)  # .02
            or _text(detail, f"c:RltdPties/c:{party}/c:Pty/c:Nm", ns)
        )  # .08
        iban = _text(detail, f"c:RltdPties/c:{party}Acct/c:Id/c:IBAN", ns)
        end_to_end = _text(detail, "c:Refs/c:EndToEndId", ns)
        if end_to_end and end_to_end.upper() == "NOTPROVIDED":
            end_to_end = None
        text = clean_text(
            *(node.text for node in detail.iterfind("c:RmtInf/c:Ustrd", ns)),
            *(node.text for node in detail.iterfind("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)),
            end_to_end,
            _text(detail, "c:AddtlTxInf", ns),
            entry_info,
        )
        ref = _text(detail, "c:Refs/c:AcctSvcrRef", ns)
        ref = ref or (f"{entry_ref}/{rank}" if entry_ref and len(details) > 1 else entry_ref)
        row = _fields(booked_on, value_date, detail_sign, own, ref, text, number)
        row.update(payer_name=name, payer_iban=normalise_iban(iban))
        rows.append(row)
    return rows


def _fields(booked_on, value_date, sign, cents_currency, entry_ref, text, number) -> dict:
    cents, currency = cents_currency
    return {
        "booked_on": booked_on,
        "amount_cents": sign * cents,
        "currency": currency,
        "text": text or "",
        "payer_name": None,
        "payer_iban": None,
        "entry_ref": entry_ref,
        "line": number,
        "value_date": value_date,
    }
