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
        ("en", False, NEXT_DAY_END, "15–16 Dec 2026"),
        ("en", True, NEXT_DAY_END, "15 Dec 2026, 09:00 – 16 Dec 2026, 17:30"),
    ],
)
def test_format_range(app, locale, with_time, end, expected):
    with app.test_request_context(), force_locale(locale):
        text = format_range(START, end, with_time=with_time)
    assert text.replace("\u202f", " ").replace("\u2009", " ") == expected


@pytest.mark.parametrize(
    ("locale", "fmt", "expected"),
    [
        ("fr", "medium", "15 déc. 2026, 09:00"),
        ("fr", "short", "15/12/2026 09:00"),
        ("en", "medium", "15 Dec 2026, 09:00"),
        ("en", "short", "15/12/2026, 09:00"),
    ],
)
def test_one_date_time_format_per_language_24_hour_without_seconds(app, locale, fmt, expected):
    """English in en-GB style, 24-hour in both languages, never seconds (issue 20, point 13)."""
    from eventapp.i18n import localdatetime
    from eventapp.public.template_filters import moment

    with app.test_request_context(), force_locale(locale):
        text = localdatetime(datetime(2026, 12, 15, 8, 0, 7, tzinfo=UTC), fmt)
        spoken = moment(START)
    assert text.replace("\u202f", " ") == expected
    assert "09:00" in spoken and "AM" not in spoken
