"""Dates are shown in the reader's language, in Europe/Paris time, without seconds."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from eventapp.i18n import format_range

START = datetime(2026, 12, 15, 8, 0, tzinfo=UTC)  # 09:00 in Paris
SAME_DAY_END = datetime(2026, 12, 15, 16, 30, tzinfo=UTC)
NEXT_DAY_END = datetime(2026, 12, 16, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "with_time", "end", "expected"),
    [
        ("fr", False, NEXT_DAY_END, "15–16 déc. 2026"),
        ("fr", True, SAME_DAY_END, "15 déc. 2026, 09:00 – 17:30"),
        ("fr", True, NEXT_DAY_END, "15 déc. 2026, 09:00 – 16 déc. 2026, 17:30"),
        ("en", False, NEXT_DAY_END, "Dec 15 – 16, 2026"),
        ("en", True, NEXT_DAY_END, "Dec 15, 2026, 9:00 AM – Dec 16, 2026, 5:30 PM"),
    ],
)
def test_format_range(app, locale, with_time, end, expected):
    with app.test_request_context(), force_locale(locale):
        text = format_range(START, end, with_time=with_time)
    assert text.replace("\u202f", " ").replace("\u2009", " ") == expected
