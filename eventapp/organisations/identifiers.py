"""The legal identifiers an invoice needs, checked with python-stdnum (check digits included):
SIREN (9 digits) or SIRET (14, Luhn), an EU VAT number, an IBAN. Each returns the compact form
or raises ValueError with the message to show."""

from flask_babel import lazy_gettext as _l
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret


def siren_or_siret(value: str) -> str:
    compact = stdnum_siret.compact(value or "")
    if len(compact) == 9 and stdnum_siren.is_valid(compact):
        return compact
    if len(compact) == 14 and stdnum_siret.is_valid(compact):
        return compact
    raise ValueError(
        _l("This is not a valid SIREN (9 digits) or SIRET (14 digits): check the digits.")
    )


def vat_number(value: str) -> str:
    compact = stdnum_vat.compact(value or "")
    if not stdnum_vat.is_valid(compact):
        raise ValueError(_l("This is not a valid EU VAT number (e.g. FR40303265045)."))
    return compact


def iban(value: str) -> str:
    compact = stdnum_iban.compact(value or "")
    if not stdnum_iban.is_valid(compact):
        raise ValueError(_l("This is not a valid IBAN: check the digits."))
    return compact


def bic(value: str) -> str:
    compact = stdnum_bic.compact(value or "")
    if not stdnum_bic.is_valid(compact):
        raise ValueError(_l("This is not a valid BIC (8 or 11 characters, e.g. BNPAFRPPXXX)."))
    return compact


def format_iban(value: str | None) -> str:
    return stdnum_iban.format(value) if value else ""
