"""Invoice amounts follow the EN 16931 rules exactly: line nets rounded to the cent half up,
VAT once per rate on the sum of that rate's nets, Decimal only."""

import dataclasses
from decimal import Decimal

import pytest

from eventapp.services.invoicing import Line, compute_amounts
from tests.services import invoice_samples as samples

D = Decimal


def amounts_of(*lines, **changes):
    return compute_amounts(samples.invoice(lines=lines, **changes))


def test_several_rates_are_grouped_and_totalled():
    amounts = compute_amounts(samples.invoice())
    groups = [(g.category, g.rate, g.taxable, g.vat) for g in amounts.groups]
    assert groups == [
        ("S", D("20.00"), D("580.00"), D("116.00")),
        ("S", D("10.00"), D("90.91"), D("9.09")),
        ("S", D("5.50"), D("38.00"), D("2.09")),
    ]
    assert [line.net for line in amounts.lines] == [
        D("390.00"),
        D("190.00"),
        D("90.91"),
        D("38.00"),
    ]
    assert amounts.total_excl_vat == D("708.91")
    assert amounts.total_vat == D("127.18")
    assert amounts.total_incl_vat == D("836.09")
    assert amounts.due == D("836.09")
    assert all(isinstance(value, Decimal) for value in (amounts.total_vat, amounts.due))


def test_line_net_rounds_half_up_to_the_cent():
    # 0.125 -> 0.13 (half up; banker's rounding would give 0.12); 3 x 0.335 = 1.005 -> 1.01.
    amounts = amounts_of(
        Line("a", D("0.125"), D(20)),
        Line("b", D("0.335"), D(10), quantity=3),
    )
    assert [line.net for line in amounts.lines] == [D("0.13"), D("1.01")]


def test_vat_is_computed_once_per_rate_not_line_by_line():
    # Three nets of 0.03 at 20 %: 0.006 each would round to 0.01 three times (0.03); on their
    # sum 0.09 the VAT is 0.018 -> 0.02, which is what EN 16931 (BR-CO-17) wants.
    amounts = amounts_of(*[Line(f"l{i}", D("0.03"), D(20)) for i in range(3)])
    assert amounts.total_vat == D("0.02")
    # 0.25 at 10 % is 0.025: half up gives 0.03.
    assert amounts_of(Line("x", D("0.25"), D(10))).total_vat == D("0.03")


def test_equal_rates_written_differently_are_one_group():
    amounts = amounts_of(Line("a", D("10"), D(20)), Line("b", D("10"), D("20.0")))
    assert [(g.rate, g.taxable, g.vat) for g in amounts.groups] == [
        (D("20.00"), D("20"), D("4.00"))
    ]


def test_zero_rate_at_a_vat_registered_seller_is_category_z():
    amounts = amounts_of(Line("a", D("100"), D(0)), Line("b", D("100"), D(20)))
    assert [(g.category, g.vat) for g in amounts.groups] == [("S", D("20.00")), ("Z", D("0.00"))]
    assert amounts.total_incl_vat == D("220.00")


def test_a_seller_not_registered_for_vat_charges_none_category_e():
    document = samples.invoice(
        seller=samples.FRANCHISE_SELLER, lines=(Line("Formation", D("450.00"), D(0)),)
    )
    amounts = compute_amounts(document)
    assert [(g.category, g.rate, g.taxable, g.vat) for g in amounts.groups] == [
        ("E", D("0.00"), D("450.00"), D("0.00"))
    ]
    assert amounts.total_incl_vat == amounts.total_excl_vat == D("450.00")


def test_a_credit_note_carries_positive_amounts():
    amounts = compute_amounts(samples.credit_note())
    assert amounts.total_excl_vat == D("190.00")
    assert amounts.total_vat == D("38.00")
    assert amounts.total_incl_vat == amounts.due == D("228.00")


def test_prepaid_amount_is_deducted_from_the_amount_due():
    amounts = compute_amounts(samples.invoice(prepaid=D("800")))
    assert amounts.prepaid == D("800.00")
    assert amounts.due == D("36.09")


def test_from_cents_takes_integer_cents():
    line = Line.from_cents("Tarif étudiant", 9000, D(20))
    assert line.unit_price == D("90.00")
    assert amounts_of(line).total_incl_vat == D("108.00")


@pytest.mark.parametrize(
    "field, value",
    [
        ("unit_price", 390.0),
        ("unit_price", 390),
        ("vat_rate", 20.0),
        ("quantity", 1.0),
        ("quantity", True),
    ],
)
def test_money_is_never_float_nor_an_ambiguous_int(field, value):
    values = {"description": "x", "unit_price": D("1"), "vat_rate": D(20)}
    values[field] = value
    with pytest.raises(TypeError):
        Line(**values)


def test_from_cents_refuses_anything_but_int():
    with pytest.raises(TypeError):
        Line.from_cents("x", 90.5, D(20))


def test_document_prepaid_refuses_float():
    with pytest.raises(TypeError):
        dataclasses.replace(samples.invoice(), prepaid=10.0)
