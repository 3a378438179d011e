"""Language choice (French by default, English complete) and localised formatting helpers."""

from datetime import UTC, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import (
    format_interval,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)
from babel.dates import format_time as babel_format_time
from flask import current_app, request, session
from flask_babel import format_decimal, format_percent, get_locale, get_timezone

from eventapp.extensions import babel
from eventapp.text import person_name


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]


# English dates and times in British style (« 2 Dec 2026, 13:05 »), 24-hour in both languages.
FORMAT_LOCALES = {"en": "en_GB", "fr": "fr_FR"}


def format_locale() -> Locale:
    """The Babel locale dates, times and numbers are formatted in: en-GB for English."""
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]
    return _locale(FORMAT_LOCALES.get(language, language))


@lru_cache(maxsize=8)
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


def format_range(start: datetime, end: datetime, with_time: bool = False) -> str:
    """A date (or date-time) range in the reader's language and in Europe/Paris time:
    « 12–13 oct. 2026 », « 15 déc. 2026, 09:00 – 17:30 »,
    « 15 déc. 2026, 09:00 – 16 déc. 2026, 17:30 »."""
    tz, locale = get_timezone(), format_locale()
    if not with_time:
        return format_interval(start, end, skeleton="yMMMd", tzinfo=tz, locale=locale)
    pattern = locale.datetime_formats["medium"]

    def moment(value: datetime) -> str:
        return pattern.format(
            babel_format_time(value, "short", tzinfo=tz, locale=locale),
            babel_format_date(value.astimezone(tz), "medium", locale=locale),
        )

    if start.astimezone(tz).date() == end.astimezone(tz).date():
        hours = format_interval(start, end, skeleton="Hm", tzinfo=tz, locale=locale)
        return pattern.format(
            hours, babel_format_date(start.astimezone(tz), "medium", locale=locale)
        )
    return f"{moment(start)} – {moment(end)}"


@lru_cache(maxsize=64)
def _datetime_patterns(locale_id: str, fmt: str) -> tuple:
    """Babel's parsed patterns for a locale and format, parsed once (format_datetime parses and
    looks them up on every call, which a list of 50 rows pays 100 times). Times never show
    seconds: the time part is always the short (HH:mm) pattern."""
    locale = Locale.parse(locale_id)
    if fmt in ("full", "long", "medium", "short"):
        return (
            locale,
            get_datetime_format(fmt, locale=locale).replace("'", ""),
            parse_pattern(get_date_format(fmt, locale=locale).pattern),
            parse_pattern(get_time_format("short", locale=locale).pattern),
        )
    return locale, None, parse_pattern(fmt), None


def localdatetime(value: datetime | None, fmt: str = "medium") -> str:
    """A date-time in the reader's language and time zone: the same text as Flask-Babel's
    format_datetime, faster."""
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(get_timezone())
    locale, combined, date_pattern, time_pattern = _datetime_patterns(str(format_locale()), fmt)
    if combined is None:
        return date_pattern.apply(local, locale)
    time_text = time_pattern.apply(local.timetz(), locale, reference_date=local.date())
    return combined.replace("{0}", time_text).replace("{1}", date_pattern.apply(local, locale))


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _inject_i18n():
        return {
            "current_language": current_language(),
        }

    app.jinja_env.globals["format_range"] = format_range
    app.jinja_env.globals["person_name"] = person_name
    app.jinja_env.filters["format_number"] = lambda value: format_decimal(value or 0)
    app.jinja_env.filters["format_percent"] = lambda value: format_percent(value or 0)
    app.jinja_env.filters["localdatetime"] = localdatetime
