"""Text folding for search: lower case, no accents, ligatures spelled out, single spaces.

French names are typed without their accents more often than with them ("lefevre" for
"Lefèvre", "oeuvray" for "Œuvray"): the organiser's attendee search compares folded text with a
folded query (Registration.search_text), the check-in desk builds its patterns from it.
"""

import unicodedata

# Letters NFKD does not take apart.
_FOLD = {"ø": "o", "ł": "l", "œ": "oe", "æ": "ae", "ß": "ss", "đ": "d", "ı": "i"}


def fold(text: str | None) -> str:
    """Lower case, no accents, single spaces: how search compares names."""
    text = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for letter, plain in _FOLD.items():
        text = text.replace(letter, plain)
    return " ".join(text.split())


def search_text(
    last_name: str | None, first_name: str | None, email: str | None, organisation: str | None
) -> str:
    """What the attendee search looks in: names, e-mail and organisation, folded."""
    return fold(" ".join(part for part in (last_name, first_name, email, organisation) if part))
