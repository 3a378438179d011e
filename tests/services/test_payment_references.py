"""Payment references: the alphabet, the check character, generation and the finder."""

import random
import re

import pytest

from eventapp.services.payments import references as refs
from eventapp.services.payments.references import (
    ALPHABET,
    booking_id_for_reference,
    check_character,
    find_reference,
    find_references,
    is_valid_reference,
    new_reference,
    normalise_reference,
    reference_for_booking,
)

SHAPE = re.compile(rf"^EV-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def _sample(count=150):
    rng = random.Random(20261020)
    drawn = [new_reference(lambda n: rng.randrange(n)) for _ in range(count)]
    derived = [reference_for_booking(i, "sample-secret") for i in range(count)]
    return drawn + derived


def _body(reference):
    return reference.replace("-", "")[2:]


def test_the_alphabet_has_no_look_alikes_and_31_symbols():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set(ALPHABET) & set("01ILO")
    assert ALPHABET.isupper() and ALPHABET.isalnum()


def test_check_character_follows_iso_7064_pure_system_mod_31_radix_3():
    # Worked by hand: payload values all 0 -> P = 0, check value 1 -> "3".
    assert check_character("2222222") == "3"
    # One 1 in the first place weighs 3**7 mod 31 = 17; check value (1 - 17) mod 31 = 15 -> "H".
    assert check_character("3222222") == "H"
    # ... and in the last payload place it weighs 3: (1 - 3) mod 31 = 29 -> "Y".
    assert check_character("2222223") == "Y"
    assert is_valid_reference("EV-2222-2223") and is_valid_reference("EV-3222-222H")


def test_every_single_substitution_is_detected():
    checked = 0
    for reference in _sample():
        body = _body(reference)
        for position in range(len(body)):
            for symbol in ALPHABET:
                if symbol == body[position]:
                    continue
                typo = body[:position] + symbol + body[position + 1 :]
                assert not is_valid_reference("EV" + typo), (reference, typo)
                checked += 1
    assert checked == 300 * 8 * 30


def test_every_transposition_is_detected_adjacent_or_not():
    adjacent = 0
    for reference in _sample():
        body = _body(reference)
        for i in range(len(body)):
            for j in range(i + 1, len(body)):
                if body[i] == body[j]:
                    continue
                swapped = list(body)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                assert not is_valid_reference("EV" + "".join(swapped)), (reference, i, j)
                adjacent += j == i + 1
    assert adjacent > 1500  # most adjacent pairs differ: the sample really exercises them


def test_random_references_have_the_shape_and_a_valid_check():
    for reference in _sample():
        assert SHAPE.match(reference)
        assert is_valid_reference(reference)
    assert SHAPE.match(new_reference())  # with the secrets module


def test_derived_references_are_stable_distinct_and_invertible():
    seen = {}
    for booking_id in range(1, 5001):
        reference = reference_for_booking(booking_id, b"k")
        assert reference not in seen, (booking_id, seen.get(reference))
        seen[reference] = booking_id
        assert booking_id_for_reference(reference, b"k") == booking_id
    assert reference_for_booking(42, "k") == reference_for_booking(42, b"k")
    assert reference_for_booking(42, "k") != reference_for_booking(42, "other secret")
    # Consecutive ids do not give look-alike references.
    assert len({reference_for_booking(i, "k")[3:7] for i in range(100)}) > 90
    assert refs._permute(refs.SPACE - 1, refs._round_key("k")) < refs.SPACE


@pytest.mark.parametrize(
    ("booking_id", "secret", "error"),
    [
        (-1, "k", ValueError),
        (refs.SPACE, "k", ValueError),
        (True, "k", TypeError),
        ("12", "k", TypeError),
        (1, "", ValueError),
    ],
)
def test_derived_references_refuse_bad_input(booking_id, secret, error):
    with pytest.raises(error):
        reference_for_booking(booking_id, secret)


@pytest.mark.parametrize(
    "typed",
    [
        "EV-87B4-3CRH",
        "ev-87b4-3crh",
        "EV87B43CRH",
        " ev 87b4 3crh ",
        "87B4-3CRH",
        "87b43crh",
        "EV.87B4.3CRH",
        "EV_87B4_3CRH",
        "EV–87B4–3CRH",
    ],
)
def test_normalise_reference_accepts_what_people_type(typed):
    assert normalise_reference(typed) == "EV-87B4-3CRH"


@pytest.mark.parametrize(
    "typed",
    ["EV-87B4-3CRJ", "EV-87B4-3CR", "EV-87B4-3CRHH", "XX-87B4-3CRH", "EV-87B4-0CRH", "", None],
)
def test_normalise_reference_refuses_near_misses(typed):
    assert normalise_reference(typed) is None


REFERENCE = "EV-87B4-3CRH"


@pytest.mark.parametrize(
    "text",
    [
        "VIR SEPA EVENTAPP ev87b43crh DUPONT",
        "VIR SEPA EVENTAPP EV-87B4-3CRH DUPONT",
        "vir recu de: martin sophie motif: ev 87b4 3crh congres",
        "REF:EV-87B4-3CRH/INSCRIPTION",
        "VIREMENTEV87B43CRHDUPONT",  # glued on both sides
        "/MOTIF EV87B4\n3CRH /REF 99887766",  # remittance field cut by a line break
        "INSCRIPTION DR LAMBERT EV-87B4- 3CRH",
        "E V 8 7 B 4 3 C R H",
        "paiement 87B4-3CRH merci",  # prefix forgotten, but standing apart
        "Référence: «EV-87B4-3CRH»",
    ],
)
def test_the_finder_recovers_a_reference_from_messy_remittance_text(text):
    assert find_reference(text) == REFERENCE
    assert [f.reference for f in find_references(text)][:1] == [REFERENCE]


@pytest.mark.parametrize(
    "text",
    [
        "VIR SEPA EVENTAPP EV87B43CRJ DUPONT",  # wrong check character
        "VIR SEPA EVENTAPP EV78B43CRH DUPONT",  # transposed
        "EV-87B4-3CR DUPONT",  # a symbol missing
        "EV-87B4 / - 3CRH",  # too far apart to be one reference
        "paiement 87B43CRHX merci",  # no prefix and glued to other letters
        "INSCRIPTION CONGRES BIOPRODUCTION",
        "",
    ],
)
def test_the_finder_rejects_near_misses(text):
    assert find_reference(text) is None
    assert REFERENCE not in [f.reference for f in find_references(text)]


def test_the_finder_reports_every_reference_and_refuses_to_choose_between_two():
    other = reference_for_booking(7, "k")
    text = f"2 INSCRIPTIONS {REFERENCE.lower()} ET {other.replace('-', '')}"
    assert [f.reference for f in find_references(text)] == [REFERENCE, other]
    assert find_reference(text) is None
    # A prefixed reference outranks an unprefixed one, and the same one is listed once.
    found = find_references(f"{other[3:]} puis {REFERENCE} et encore {REFERENCE[3:]}")
    assert [(f.reference, f.prefixed) for f in found] == [(REFERENCE, True), (other, False)]
    assert find_reference(f"{other[3:]} puis {REFERENCE}") == REFERENCE


def test_a_reference_whose_body_starts_with_ev_is_found_with_or_without_its_prefix():
    reference = refs._from_payload("EVABCDE")
    assert reference.startswith("EV-EV")
    body = reference.replace("-", "")[2:]
    assert find_reference(f"paiement {body} merci") == reference
    assert find_reference(f"paiement EV{body} merci") == reference
    assert find_reference(f"paiement {reference[3:]} merci") == reference
