"""Huge or odd numbers never give a 500 (issue 20, point 1), walked over every rule of
app.url_map: an id in a path that does not fit the database's integer (or is not ASCII digits)
is "not found", a page, size, stage or id in a query string that is not a plain number is read
as the default. Routes added later are covered without editing this file."""

import pytest
from werkzeug.routing.converters import IntegerConverter

from eventapp.routing import MAX_ID, IdConverter, page_arg, parse_int
from tests.security.test_permissions import foreign, methods_of, urls_for  # noqa: F401

HUGE_IDS = ["99999999999999999999", str(MAX_ID + 1), "9223372036854775808", "0", "²", "١٢"]
ODD_NUMBERS = ["9223372036854775808", "99999999999999999999", "²", "-1", "0", "1e3", "٣"]
SENTINEL = 1234567


def _id_rules(app):
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if any(isinstance(rule._converters[n], IntegerConverter) for n in rule.arguments)
    ]


def test_every_integer_in_a_rule_is_the_bounded_id_converter(app):
    rules = _id_rules(app)
    assert len(rules) > 25
    for rule in rules:
        for name in rule.arguments:
            converter = rule._converters[name]
            if isinstance(converter, IntegerConverter):
                assert type(converter) is IdConverter, rule.rule
                assert converter.max == MAX_ID, rule.rule


@pytest.mark.parametrize("signed_in", [False, True])
def test_huge_or_odd_ids_in_any_path_answer_404(app, client, foreign, login, signed_in):  # noqa: F811
    if signed_in:
        login(foreign["manager"])
    checked = 0
    for rule in _id_rules(app):
        for name in rule.arguments:
            if not isinstance(rule._converters[name], IntegerConverter):
                continue
            ids = dict(foreign["ids"])
            for url in _urls_with(rule, name, ids):
                for bad in HUGE_IDS:
                    target = url.replace(str(SENTINEL), bad)
                    for method in methods_of(rule):
                        response = client.open(target, method=method, buffered=True)
                        assert response.status_code == 404, (method, target, response.status_code)
                        checked += 1
    assert checked > 200


def _urls_with(rule, name, ids):
    """The rule's URLs with `name` set to the sentinel and the other ids real."""
    from tests.security import test_permissions

    original = test_permissions._value_for

    def value_for(rule_, name_, ids_):
        return SENTINEL if name_ == name else original(rule_, name_, ids_)

    test_permissions._value_for = value_for
    try:
        return list(urls_for(rule, ids))
    finally:
        test_permissions._value_for = original


@pytest.mark.parametrize("signed_in", [False, True])
def test_odd_numbers_in_query_strings_never_give_a_500(app, client, foreign, login, signed_in):  # noqa: F811
    if signed_in:
        login(foreign["manager"])
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for url in urls_for(rule, foreign["ids"]):
            for bad in ODD_NUMBERS:
                query = dict.fromkeys(("page", "per_page", "stage", "id", "limit", "offset"), bad)
                response = client.get(url, query_string=query, buffered=True)
                assert response.status_code < 500, (url, bad, response.status_code)
                checked += 1
    assert checked > 300


def test_the_public_catalogue_reads_a_page_beyond_bigint_as_the_last_page(client):
    response = client.get("/events?page=9223372036854775808")
    assert response.status_code in (200, 302, 404)
    response = client.get("/?page=9223372036854775808")
    assert response.status_code < 500


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("+1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 40, None),
    ],
)
def test_parse_int_takes_only_ascii_digits_within_bounds(value, expected):
    assert parse_int(value) == expected


def test_page_arg_defaults_to_one_and_clamps_to_the_last_page():
    assert page_arg(args={"page": "²"}) == 1
    assert page_arg(args={"page": "0"}) == 1
    assert page_arg(args={"page": "9223372036854775808"}) == 1
    assert page_arg(args={"page": "5"}, pages=3) == 3
    assert page_arg(args={}) == 1
