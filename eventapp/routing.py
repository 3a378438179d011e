"""Numbers from the outside world: one bounded id converter for every URL rule and one parser
for integers in query strings (pages, sizes, ids).

A number that does not fit a PostgreSQL `integer` (2**31-1) overflows the database and ended
in a 500; `"²".isdigit()` is true but `int("²")` fails. Here only ASCII digits are numbers and
anything out of range is "not found" (a URL) or the default (a query string).
"""

import re

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # PostgreSQL integer: every primary key
MAX_PAGE = 1_000_000  # far beyond any list; an offset that stays well inside bigint
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_int(value, default=None, *, minimum: int = 0, maximum: int = MAX_ID):
    """`value` (a string from a URL, a form, a query string or a cookie) as an int within
    [minimum, maximum], else `default`. Only ASCII digits, no sign, at most ten of them."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = (value or "").strip() if isinstance(value, str) else ""
        if not _DIGITS.fullmatch(text):
            return default
        number = int(text)
    return number if minimum <= number <= maximum else default


def int_arg(name: str, default=None, *, args=None, minimum: int = 0, maximum: int = MAX_ID):
    """An integer from the query string (`request.args` unless `args`); bad values: default."""
    if args is None:
        from flask import request

        args = request.args
    return parse_int(args.get(name), default, minimum=minimum, maximum=maximum)


def page_arg(name: str = "page", *, args=None, pages: int | None = None) -> int:
    """The page number of a list: 1 for anything that is not a number from 1 up, clamped to
    `pages` when the caller knows how many there are."""
    number = int_arg(name, 1, args=args, minimum=1, maximum=MAX_PAGE)
    return min(number, pages) if pages else number


class IdConverter(IntegerConverter):
    """`<id:event_id>`: a database id, 1..2**31-1, ASCII digits only; else 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min=min, max=max)


class EventMap(Map):
    """The app's URL map: `id` is the bounded converter, and `int` is the same one, so a rule
    written with `<id:...>` by habit cannot reopen the overflow."""

    default_converters = {**Map.default_converters, "id": IdConverter, "int": IdConverter}
