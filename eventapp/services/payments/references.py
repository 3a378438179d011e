"""Bank-transfer payment references: one per booking, typeable, with a check character.

Shape: ``EV-7K4M-9QX2``: the prefix ``EV``, seven payload symbols and one check symbol, shown in
two groups of four. The alphabet has 31 symbols, digits 2-9 and the letters without I, L and O,
so nothing in it can be misread as another of its symbols (0/O, 1/I/L are all left out).

Check character: the ISO/IEC 7064 *pure system* recurrence (the one of MOD 37-2) with modulus
M = 31 and radix r = 3: ``P = 0; for each payload value a: P = (P + a) * r mod M``, then the check
value c makes ``(P + c) mod M == 1``. So the symbol at distance k from the end weighs 3**k mod 31
(the check symbol weighs 1). 31 is prime and 3 is a primitive root modulo 31, so the eight weights
are distinct and non-zero: every single-symbol substitution and every transposition of two
symbols (adjacent or not, the check symbol included) changes the sum and is detected. The
alphabet size equals the modulus, so the check never needs an extra symbol (MOD 37-2's ``*``).

References come either from a random source (``new_reference``: the caller keeps a unique
constraint and draws again on a collision) or from the booking id and a secret
(``reference_for_booking``: a keyed permutation of the 31**7 payloads, so two bookings never
share a reference and the sequence cannot be guessed from one reference).

``find_references`` recovers references from remittance text as banks pass it on: any case,
separators added or dropped, glued to other words; a wrong check character is no match.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "EV"
PAYLOAD_LENGTH = 7
BODY_LENGTH = PAYLOAD_LENGTH + 1  # payload + check symbol
MODULUS = 31
RADIX = 3
SPACE = MODULUS**PAYLOAD_LENGTH  # number of distinct references

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
assert len(ALPHABET) == MODULUS == len(_VALUE)

# What a payer or a bank may put inside a reference: spaces (also non-breaking), dashes, dots,
# slashes, underscores, a line break where a remittance field was cut; at most a few in a row.
_SEPARATORS = frozenset(" \t\r\n-._/\u00a0\u202f\u2010\u2011\u2012\u2013")
_MAX_GAP = 3
_CANONICAL = re.compile(rf"^{PREFIX}-([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})$")


def check_character(payload: str) -> str:
    """The check symbol of a payload of alphabet symbols (ISO 7064 pure system, M=31, r=3)."""
    total = 0
    for symbol in payload:
        total = (total + _VALUE[symbol]) * RADIX % MODULUS
    return ALPHABET[(1 - total) % MODULUS]


def _body_is_valid(body: str) -> bool:
    return (
        len(body) == BODY_LENGTH
        and all(symbol in _VALUE for symbol in body)
        and check_character(body[:-1]) == body[-1]
    )


def format_reference(body: str) -> str:
    """``EV-XXXX-XXXX`` from the eight symbols (payload and check)."""
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def _from_payload(payload: str) -> str:
    return format_reference(payload + check_character(payload))


def new_reference(randbelow=secrets.randbelow) -> str:
    """A random reference. ``randbelow(n)`` draws an int in [0, n); the default is the secrets
    module's. Collisions are possible (31**7 payloads): the caller stores references under a
    unique constraint and draws again when the insert fails."""
    return _from_payload("".join(ALPHABET[randbelow(MODULUS)] for _ in range(PAYLOAD_LENGTH)))


# --- references derived from a booking id -----------------------------------------------------
# FE1-style format-preserving encryption (Bellare, Rogaway, Spies): a Feistel network over
# [0, A*B) with A = 31**3 and B = 31**4, HMAC-SHA256 as the round function. Each round is a
# bijection, so distinct ids give distinct payloads.
_A = MODULUS**3
_B = MODULUS**4
_ROUNDS = 8


def _round_key(secret: bytes | str) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    if not raw:
        raise ValueError("the payment reference secret is empty")
    return hmac.new(raw, b"eventapp payment reference v1", hashlib.sha256).digest()


def _round(key: bytes, number: int, half: int) -> int:
    digest = hmac.new(key, b"%d:%d" % (number, half), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % _A


def _permute(value: int, key: bytes, *, inverse: bool = False) -> int:
    if not inverse:
        for number in range(_ROUNDS):
            left, right = divmod(value, _B)
            value = _A * right + (left + _round(key, number, right)) % _A
        return value
    for number in reversed(range(_ROUNDS)):
        right, mixed = divmod(value, _A)
        value = _B * ((mixed - _round(key, number, right)) % _A) + right
    return value


def _encode(number: int) -> str:
    symbols = []
    for _ in range(PAYLOAD_LENGTH):
        number, value = divmod(number, MODULUS)
        symbols.append(ALPHABET[value])
    return "".join(reversed(symbols))


def _decode(payload: str) -> int:
    number = 0
    for symbol in payload:
        number = number * MODULUS + _VALUE[symbol]
    return number


def reference_for_booking(booking_id: int, secret: bytes | str) -> str:
    """The reference of booking ``booking_id`` under ``secret``: always the same for the same
    pair, never the same for two ids (0 <= id < 31**7). Keep the secret fixed once references
    are issued: under another secret a new booking could get an older booking's reference."""
    if isinstance(booking_id, bool) or not isinstance(booking_id, int):
        raise TypeError("booking_id must be an int")
    if not 0 <= booking_id < SPACE:
        raise ValueError(f"booking_id must be in [0, {SPACE})")
    return _from_payload(_encode(_permute(booking_id, _round_key(secret))))


def booking_id_for_reference(reference: str, secret: bytes | str) -> int | None:
    """The booking id a derived reference stands for (the inverse of reference_for_booking), or
    None when ``reference`` is not a valid reference."""
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    payload = canonical.replace("-", "")[len(PREFIX) : len(PREFIX) + PAYLOAD_LENGTH]
    return _permute(_decode(payload), _round_key(secret), inverse=True)


# --- reading references -----------------------------------------------------------------------


def is_valid_reference(text: str) -> bool:
    return normalise_reference(text) is not None


def normalise_reference(text: str | None) -> str | None:
    """The canonical ``EV-XXXX-XXXX`` when ``text`` is one reference as a person types it (any
    case, separators anywhere, prefix optional), else None (wrong check character included)."""
    if not text:
        return None
    if _CANONICAL.match(text):
        compact = text.replace("-", "")[len(PREFIX) :]
    else:
        compact = "".join(ch for ch in text.upper() if ch not in _SEPARATORS)
        if len(compact) == len(PREFIX) + BODY_LENGTH and compact.startswith(PREFIX):
            compact = compact[len(PREFIX) :]
    return format_reference(compact) if _body_is_valid(compact) else None


@dataclass(frozen=True)
class FoundReference:
    """A valid reference seen in a text. ``prefixed``: written with its ``EV``; ``anchored``:
    it stands apart from the words around it (not glued to letters or digits)."""

    reference: str
    prefixed: bool
    anchored: bool
    start: int
    end: int

    @property
    def strength(self) -> int:
        """3 prefixed and apart, 2 prefixed but glued to other text, 1 without its prefix."""
        return 1 + self.prefixed + (self.prefixed and self.anchored)


def find_references(text: str | None) -> list[FoundReference]:
    """Every distinct valid reference in ``text``, strongest first, then in reading order.

    A reference without its ``EV`` prefix is only taken when it stands apart (eight symbols
    between non-alphanumeric characters); it is weaker evidence, since an ordinary eight-letter
    word passes the check character once in 31: the matching keeps such a one only when it is a
    known booking's reference."""
    if not text:
        return []
    # The alphanumeric characters and where they are; other letters (é, ß) only break words.
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    symbols = "".join(text[i].upper() if text[i].isascii() else "\0" for i in positions)
    count = len(positions)

    def apart_before(k):
        return k == 0 or positions[k - 1] < positions[k] - 1

    def apart_after(k):
        return k == count - 1 or positions[k + 1] > positions[k] + 1

    found: dict[str, FoundReference] = {}
    for k in range(count):
        # Cheap tests first: a prefix here, or the start of a word; then room for a body.
        for prefixed in (True, False):
            if not (symbols.startswith(PREFIX, k) if prefixed else apart_before(k)):
                continue
            last = k + BODY_LENGTH - 1 + (len(PREFIX) if prefixed else 0)
            if last >= count:
                continue
            body = symbols[last + 1 - BODY_LENGTH : last + 1]
            anchored = apart_before(k) and apart_after(last)
            if not (prefixed or anchored) or not _body_is_valid(body):
                continue
            if not _gaps_are_separators(text, positions[k : last + 1]):
                continue
            candidate = FoundReference(
                format_reference(body), prefixed, anchored, positions[k], positions[last] + 1
            )
            known = found.get(candidate.reference)
            if known is None or candidate.strength > known.strength:
                found[candidate.reference] = candidate
    return sorted(found.values(), key=lambda f: (-f.strength, f.start))


def _gaps_are_separators(text: str, positions: list[int]) -> bool:
    for before, after in itertools.pairwise(positions):
        if after - before > 1:
            gap = text[before + 1 : after]
            if len(gap) > _MAX_GAP or any(ch not in _SEPARATORS for ch in gap):
                return False
    return True


def find_reference(text: str | None) -> str | None:
    """The reference of ``text`` when exactly one prefixed reference (or, failing that, exactly
    one unprefixed one) is found in its strongest tier, else None."""
    found = find_references(text)
    if not found:
        return None
    best = [f for f in found if f.strength == found[0].strength]
    return best[0].reference if len(best) == 1 else None
