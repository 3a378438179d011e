"""Ticket codes typed at the door: capitals and digits without look-alikes, grouped by four,
case-insensitive; the mixed-case codes made before keep working."""

from eventapp.models.registration import TICKET_ALPHABET, new_ticket_code
from eventapp.services import checkin, tickets


def test_new_codes_have_no_look_alikes_and_read_in_groups():
    codes = {new_ticket_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 16 and set(code) <= set(TICKET_ALPHABET)
        assert not set(code) & set("IL1O0UV")
    assert tickets.display_code("ABCDEFGHJKMNPQRS") == "ABCD EFGH JKMN PQRS"


def test_a_typed_code_is_found_whatever_its_case_and_grouping(factory):
    event = factory.event()
    registration = factory.registration(event, ticket_code="K7QM4XPAZR2T9HWB")
    for typed in ("K7QM4XPAZR2T9HWB", "k7qm 4xpa zr2t 9hwb", "K7QM-4XPA-ZR2T-9HWB"):
        assert checkin.find_ticket(typed).id == registration.id, typed
    assert checkin.find_ticket(tickets.payload(registration)).id == registration.id


def test_old_mixed_case_codes_keep_working(factory):
    event = factory.event()
    old = factory.registration(event, ticket_code="aB3_x-Yz9QrT0pLm")
    assert checkin.find_ticket("aB3_x-Yz9QrT0pLm").id == old.id
    assert checkin.find_ticket(tickets.payload(old)).id == old.id
    assert checkin.find_ticket("AB3_X-YZ9QRT0PLM") is None  # old codes stay case-sensitive
