"""Template filters of the public pages: dates in the reader's language and in Europe/Paris."""

from datetime import datetime

from babel.dates import format_date, format_skeleton, format_time
from flask_babel import get_timezone
from flask_babel import gettext as _

from eventapp.i18n import format_locale
from eventapp.public.blueprint import bp


def _skeleton(value: datetime | None, skeleton: str) -> str:
    if value is None:
        return ""
    return format_skeleton(skeleton, value, tzinfo=get_timezone(), locale=format_locale())


@bp.app_template_filter("moment")
def moment(value: datetime | None) -> str:
    """« 5 janvier 2027 à 09:00 » / « 5 January 2027 at 09:00 »."""
    if value is None:
        return ""
    zone, locale = get_timezone(), format_locale()
    local = value.astimezone(zone)
    return _(
        "%(date)s at %(time)s",
        date=format_date(local.date(), "long", locale=locale),
        time=format_time(local, "short", tzinfo=zone, locale=locale),
    )


@bp.app_template_filter("day")
def day(value: datetime | None) -> str:
    """« mar. 15 déc. 2026 » / « Tue, 15 Dec 2026 »."""
    return _skeleton(value, "yMMMEd")


@bp.app_template_filter("iso")
def iso(value: datetime | None) -> str:
    """Machine-readable date for <time datetime="...">, to the second (HTML allows at most
    three digits of a fraction)."""
    return value.replace(microsecond=0).isoformat() if value else ""
