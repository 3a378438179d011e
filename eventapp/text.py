"""Text folding for search: lower case, no accents, ligatures spelled out, single spaces.

French names are typed without their accents more often than with them ("lefevre" for
"Lefèvre", "oeuvray" for "Œuvray"): the organiser's attendee search compares folded text with a
folded query (Registration.search_text), the check-in desk builds its patterns from it.
"""

import re
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


def slugify(text: str | None, *, separator: str = "-", limit: int = 100, default: str = "") -> str:
    """ASCII lower-case words joined by `separator` (URLs, file names, identifiers): accents
    folded, every other character (apostrophes ' and ’ included) a separator."""
    slug = re.sub(r"[^a-z0-9]+", separator, fold(text)).strip(separator)
    return slug[:limit].strip(separator) or default


def normalise_email(email: str | None) -> str:
    """How e-mail addresses are stored and compared (participants and organisers alike)."""
    return (email or "").strip().lower()


def search_text(
    last_name: str | None, first_name: str | None, email: str | None, organisation: str | None
) -> str:
    """What the attendee search looks in: names, e-mail and organisation, folded."""
    return fold(" ".join(part for part in (last_name, first_name, email, organisation) if part))


# Where the text is stored as typed (names at the check-in desk, event titles), accents are
# ignored by a regular expression instead: the query is folded, then each letter becomes a
# character class of its accented forms in both cases ("francois" finds "François", "oeuvray"
# finds "Œuvray"), run by the database (natively on PostgreSQL; SQLAlchemy gives SQLite a
# REGEXP function).
_VARIANTS = {
    "a": "aàáâãäåą", "c": "cçćč", "e": "eèéêëęě", "i": "iìíîï", "n": "nñńň",
    "o": "oòóôõöø", "u": "uùúûüů", "y": "yýÿ", "l": "lł", "r": "rř", "s": "sśš",
    "z": "zžźż",
}  # fmt: skip
_LIGATURES = {"oe": "œŒ", "ae": "æÆ", "ss": "ß"}


def _letter(ch: str, literal_punctuation: bool) -> str:
    if ch in _VARIANTS:
        forms = _VARIANTS[ch]
        return f"[{forms}{forms.upper()}]"
    if ch.isalpha():
        return f"[{ch}{ch.upper()}]"
    if ch.isdigit():
        return ch
    if literal_punctuation:
        return re.escape(ch)
    return "."  # apostrophes, hyphens, dots: any character (’ or ' alike)


def word_pattern(word: str, literal_punctuation: bool = False) -> str:
    """A regular expression (valid for Python and PostgreSQL) matching a folded word in any
    case, with or without accents and ligatures. Punctuation matches any character (a name
    typed with ' finds it written with ’), or only itself with `literal_punctuation`."""
    parts = []
    index = 0
    while index < len(word):
        pair = word[index : index + 2]
        if pair in _LIGATURES:
            first = _letter(pair[0], literal_punctuation)
            second = _letter(pair[1], literal_punctuation)
            parts.append(f"(?:{first}{second}|[{_LIGATURES[pair]}])")
            index += 2
            continue
        parts.append(_letter(word[index], literal_punctuation))
        index += 1
    return "".join(parts)


def person_name(first_name: str | None, last_name: str | None) -> str:
    """How a person's name is written on every screen, export, badge and e-mail: « Léa DURAND »
    (first name as typed, last name in capitals, as French lists do)."""
    first = " ".join((first_name or "").split())
    last = " ".join((last_name or "").split()).upper()
    return f"{first} {last}".strip()
