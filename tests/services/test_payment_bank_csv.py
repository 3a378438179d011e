"""CSV bank statements as French banks export them (fixtures in tests/data/bank/)."""

import codecs
import json
from datetime import date
from pathlib import Path

import pytest

from eventapp.services.payments.bank_statements import (
    ColumnMapping,
    StatementError,
    parse_statement,
    read_layout,
    suggest_mapping,
)
from eventapp.services.payments.bank_types import MESSAGES, parse_amount

BANK = Path(__file__).resolve().parent.parent / "data" / "bank"


def _data(name):
    return (BANK / name).read_bytes()


def _rows(statement):
    return [(t.booked_on, t.amount_cents, t.text) for t in statement.transactions]


def test_societe_generale_windows_1252_with_lines_before_the_table():
    statement = parse_statement(_data("societe_generale.csv"))
    assert (statement.format, statement.encoding) == ("csv", "cp1252")
    assert [(t.booked_on, t.amount_cents, t.line) for t in statement.transactions] == [
        (date(2026, 10, 20), 46800, 5),
        (date(2026, 10, 19), 117600, 6),
        (date(2026, 10, 19), -4599, 7),
        (date(2026, 10, 18), 10800, 8),
    ]
    # Both text columns are read, accents decoded from Windows-1252.
    assert statement.transactions[0].text.startswith("VIR RECU 5129384756 DE: MARTIN SOPHIE")
    assert "LEFÈVRE ÉLODIE" in statement.transactions[3].text
    assert [t.currency for t in statement.transactions] == ["EUR"] * 4
    assert len(statement.credits) == 3


def test_credit_agricole_debit_and_credit_columns_and_labels_over_several_lines():
    statement = parse_statement(_data("credit_agricole.csv"))
    assert _rows(statement) == [
        (date(2026, 10, 21), 70800, "VIREMENT EN VOTRE FAVEUR POLEPHARMA EV FKC7 4EG5"),
        (date(2026, 10, 20), 20000, "VIREMENT EN VOTRE FAVEUR DUPONT JEAN EV-VXKR-Y37K"),
        (date(2026, 10, 19), -1240, "CARTE X1234 18/10 LA POSTE"),
    ]
    assert [t.line for t in statement.transactions] == [9, 12, 15]  # where each record starts


def test_bnp_paribas_utf8_with_bom_and_thousands_spaces():
    statement = parse_statement(_data("bnp_paribas.csv"))
    assert statement.encoding == "utf-8-sig"
    assert [t.amount_cents for t in statement.transactions] == [141600, 46800, -850]
    assert "MOTIF EV682Y7MMP" in statement.transactions[0].text


def test_qonto_commas_iso_dates_points_and_payer_columns():
    statement = parse_statement(_data("qonto.csv"))
    first, card, grant = statement.transactions
    assert (first.booked_on, first.amount_cents, first.payer_name) == (
        date(2026, 10, 23),
        46800,
        "SANOFI WINTHROP INDUSTRIE",
    )
    assert first.payer_iban == "FR7630004000031234567890143"  # spaces removed
    assert first.entry_ref == "4f1c2e1a-7c1e-4c55-b1e1-2b1a9c0e7d11"
    assert first.value_date == date(2026, 10, 23)
    assert card.amount_cents == -8990 and card.payer_iban is None
    assert grant.amount_cents == 125000  # "1,250.00"


def test_banque_postale_key_value_header_block_and_a_total_line():
    statement = parse_statement(_data("banque_postale.csv"))
    assert [t.amount_cents for t in statement.transactions] == [10800, 46800, -12050]


def test_the_same_statement_in_another_encoding_has_the_same_fingerprints():
    original = parse_statement(_data("societe_generale.csv"))
    as_utf8 = codecs.BOM_UTF8 + _data("societe_generale.csv").decode("cp1252").encode()
    again = parse_statement(as_utf8)
    assert [t.fingerprint for t in again.transactions] == [
        t.fingerprint for t in original.transactions
    ]
    assert parse_statement(_data("societe_generale.csv")) == original
    assert len({t.fingerprint for t in original.transactions}) == 4


def test_identical_lines_in_one_file_get_distinct_fingerprints():
    line = "20/10/2026;VIREMENT DUPONT;50,00\n"
    statement = parse_statement(("Date;Libellé;Montant\n" + line * 2).encode())
    assert len({t.fingerprint for t in statement.transactions}) == 2
    # ... and a longer export of the same period repeats them.
    longer = parse_statement(("Date;Libellé;Montant\n" + line * 2 + "21/10/2026;X;1,00\n").encode())
    assert {t.fingerprint for t in statement.transactions} < {
        t.fingerprint for t in longer.transactions
    }


def test_mapping_suggestion_from_header_rows():
    assert suggest_mapping(["Date", "Libellé", "Débit euros", "Crédit euros", ""]) == ColumnMapping(
        date="Date", text=("Libellé",), debit="Débit euros", credit="Crédit euros"
    )
    mapping = suggest_mapping(["Date opération", "Montant", "Débit", "Crédit", "Détail"])
    assert (mapping.amount, mapping.debit, mapping.credit) == ("Montant", None, None)
    assert suggest_mapping(["Jour", "Somme"]).missing() == ["date", "amount", "text"]
    layout = read_layout(_data("qonto.csv"))
    assert (layout.delimiter, layout.header_line, layout.encoding) == (",", 1, "utf-8")
    assert layout.suggestion.missing() == []
    assert read_layout(_data("credit_agricole.csv")).header_line == 8


def test_a_header_we_do_not_know_needs_a_mapping_which_is_saved_as_json():
    data = _data("unusual_headers.csv")
    layout = read_layout(data)
    assert layout.header == ("Jour", "Somme", "Commentaire", "Payeur")
    with pytest.raises(StatementError) as needed:
        parse_statement(data)
    assert needed.value.code == "mapping_needed"
    mapping = ColumnMapping(date="Jour", amount="Somme", text="Commentaire", payer_name="Payeur")
    saved = ColumnMapping.from_dict(json.loads(json.dumps(mapping.to_dict())))
    assert saved == mapping
    [transaction] = parse_statement(data, mapping=saved).transactions
    assert (transaction.amount_cents, transaction.payer_name) == (22800, "INSTITUT PASTEUR")
    # A saved mapping whose columns the bank renamed says which are missing.
    with pytest.raises(StatementError) as missing:
        parse_statement(_data("qonto.csv"), mapping=mapping)
    assert missing.value.code == "missing_column"
    assert missing.value.params == {"columns": "Jour, Somme, Payeur, Commentaire"}


@pytest.mark.parametrize(
    ("content", "code", "params"),
    [
        (b"", "empty_file", {}),
        (b"   \r\n", "empty_file", {}),
        (b"%PDF-1.7\n...", "unknown_format", {"kind": "pdf"}),
        (b"PK\x03\x04\x14\x00\x06\x00", "unknown_format", {"kind": "xlsx"}),
        (b"\x00\x01\x02binary", "unknown_format", {"kind": "binary"}),
        (b"!Type:Bank\nD20/10/2026\nT468.00\n^\n", "unknown_format", {"kind": "qif"}),
        (b"hello;world\nno;table\n", "no_header", {}),
        (None, "bad_amount", {"line": 3, "value": "quatre cents"}),
        (
            b"Date;Libell\xe9;Montant\n32/10/2026;X;1,00\n",
            "bad_date",
            {"line": 2, "value": "32/10/2026"},
        ),
        (
            b"Date;Libelle;Montant;Devise\n20/10/2026;X;1,00;EURO\n",
            "bad_currency",
            {"line": 2, "value": "EURO"},
        ),
        (b"Date;Libelle;Debit;Credit\n20/10/2026;X;;\n", "bad_amount", {"line": 2, "value": " / "}),
        (
            b"Date;Libelle;Montant\n20/10/2026;X;12,345\n",
            "bad_amount",
            {"line": 2, "value": "12,345"},
        ),
    ],
)
def test_broken_files_raise_one_error_class_with_a_code(content, code, params):
    with pytest.raises(StatementError) as error:
        parse_statement(_data("broken_amount.csv") if content is None else content)
    assert (error.value.code, error.value.params) == (code, params)
    assert error.value.code in MESSAGES
    assert error.value.message_key == f"bank_statement.{code}"
    assert "%(" not in error.value.default_message


@pytest.mark.parametrize(
    ("raw", "comma", "cents"),
    [
        ("1 234,56", True, 123456),
        ("1\u202f234,56", True, 123456),
        ("-1.234,56", True, -123456),
        ("+120,00 €", True, 12000),
        ("(45,00)", True, -4500),
        ("12,50-", True, -1250),
        ("1,234.56", False, 123456),
        ("0.1", False, 10),
        ("390", True, 39000),
        ("−50,00", True, -5000),
        ("1 000 000,01", True, 100000001),
    ],
)
def test_amounts_are_exact_cents(raw, comma, cents):
    assert parse_amount(raw, decimal_comma=comma) == cents


@pytest.mark.parametrize("raw", ["12,345", "1.2.3", "abc", "", "1,2,3", "12.50", "€"])
def test_unreadable_amounts_are_refused(raw):
    with pytest.raises(StatementError):
        parse_amount(raw, decimal_comma=True)
