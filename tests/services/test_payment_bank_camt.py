"""CAMT.053 statements (.02 and .08), and XML that must be refused (XXE, entity bombs)."""

import time
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from eventapp.services.payments import bank_camt
from eventapp.services.payments.bank_statements import StatementError, parse_statement

BANK = Path(__file__).resolve().parent.parent / "data" / "bank"
ACCOUNT = "FR7630004000031234567890143"


def _data(name):
    return (BANK / name).read_bytes()


def test_camt_053_001_02():
    statement = parse_statement(_data("camt053_v02.xml"))
    assert (statement.format, statement.account_iban) == ("camt.053.001.02", ACCOUNT)
    martin, genopole, pasteur, fees = statement.transactions  # the pending entry is left out
    assert (martin.booked_on, martin.amount_cents, martin.currency) == (
        date(2026, 10, 20),
        46800,
        "EUR",
    )
    assert (martin.payer_name, martin.payer_iban) == (
        "MARTIN SOPHIE",
        "FR7610278060000002028360144",
    )
    assert martin.text == "ev-87b4-3crh congres bioproduction"  # NOTPROVIDED end-to-end left out
    assert martin.entry_ref == "2026102000123"
    # A batch entry gives one transaction per TxDtls, each with its own amount and payer.
    assert (genopole.amount_cents, genopole.payer_name) == (70800, "GENOPOLE ENTREPRISES")
    assert genopole.text == "EV57DTDWU3 GENOPOLE-2026-0042"  # structured reference first
    assert genopole.value_date == date(2026, 10, 21)
    assert (pasteur.amount_cents, pasteur.payer_iban) == (22800, None)
    assert pasteur.text == "INSCRIPTION DR LAMBERT EV-VZA9- VFGJ"
    assert genopole.entry_ref == "2026102000456/1" and pasteur.entry_ref == "2026102000456/2"
    assert (fees.amount_cents, fees.text, fees.payer_name) == (-1250, "FRAIS TENUE DE COMPTE", None)
    assert len({t.fingerprint for t in statement.transactions}) == 4


def test_camt_053_001_08():
    statement = parse_statement(_data("camt053_v08.xml"))
    assert statement.format == "camt.053.001.08"
    polepharma, grant, hosting = statement.transactions  # the INFO entry is left out
    assert (polepharma.booked_on, polepharma.amount_cents) == (date(2026, 10, 24), 70800)
    assert (polepharma.payer_name, polepharma.payer_iban) == (
        "POLEPHARMA",
        "FR7611315000011234567890138",
    )
    assert polepharma.text == "Congres France Bioproduction 2 places POLEPHARMA EV-FKC7-4EG5"
    assert grant.amount_cents == 125000
    # For a debit the other party is the creditor.
    assert (hosting.amount_cents, hosting.payer_name) == (-8990, "OVH SAS")


def test_re_importing_a_camt_statement_gives_the_same_fingerprints():
    first = parse_statement(_data("camt053_v08.xml"))
    again = parse_statement(_data("camt053_v08.xml"))
    assert [t.fingerprint for t in first.transactions] == [
        t.fingerprint for t in again.transactions
    ]
    # The bank's entry reference identifies an entry: a corrected label keeps its fingerprint.
    relabelled = _data("camt053_v08.xml").replace(b"SUBVENTION 2026", b"SUBVENTION 2026 BIS")
    assert (
        parse_statement(relabelled).transactions[1].fingerprint == first.transactions[1].fingerprint
    )


CAMT08_OPEN = (
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>'
)
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-10-20</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>&xxe;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&f;</Document>"""


@pytest.mark.parametrize(
    "content",
    [
        XXE,
        BOMB,
        XXE.decode().replace('encoding="UTF-8"', "").encode("utf-16"),
        b'<?xml version="1.0"?><!doctype Document SYSTEM "http://127.0.0.1:9/x.dtd"><Document/>',
    ],
)
def test_dtds_and_entities_are_refused(content):
    started = time.perf_counter()
    with pytest.raises(StatementError) as error:
        parse_statement(content)
    assert error.value.code == "xml_forbidden"
    assert time.perf_counter() - started < 1


def test_the_parser_itself_resolves_no_entity():
    # Behind the refusal above, the parser is hardened too: nothing is read from the disk.
    root = etree.fromstring(XXE, parser=bank_camt._parser())
    assert "root:" not in etree.tostring(root).decode()
    assert "root:" not in "".join(root.itertext())


@pytest.mark.parametrize(
    ("content", "code", "params"),
    [
        (b"<Document><unclosed></Document>", "xml_malformed", {"line": 1}),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>',
            "unsupported_xml",
            {"kind": "camt.054.001.08"},
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>',
            "unsupported_xml",
            {"kind": "pain.001.001.09"},
        ),
        (b"<html><body>statement</body></html>", "unsupported_xml", {"kind": "html"}),
        (
            CAMT08_OPEN
            + b"<Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry></Stmt></BkToCstmrStmt></Document>",
            "camt_missing_field",
            {"entry": 1, "field": "Amt"},
        ),
        (
            CAMT08_OPEN
            + b'<Ntry><Amt Ccy="EUR">12,50</Amt><BookgDt><Dt>2026-10-20</Dt></BookgDt></Ntry>'
            b"</Stmt></BkToCstmrStmt></Document>",
            "bad_amount",
            {"line": 1, "value": "12,50"},
        ),
    ],
)
def test_other_xml_gets_a_clear_code(content, code, params):
    with pytest.raises(StatementError) as error:
        parse_statement(content)
    assert (error.value.code, error.value.params) == (code, params)
