"""Speaker photos: checked and re-encoded by Pillow exactly like organisation logos
(eventapp/organisations/logo.py): what is stored is our own PNG, never the upload."""

from eventapp.organisations.logo import MAX_BYTES, LogoRejected, reencode

__all__ = ["MAX_BYTES", "PhotoRejected", "reencode_photo"]

PhotoRejected = LogoRejected


def reencode_photo(data: bytes) -> bytes:
    """The PNG to store, or PhotoRejected (`args[0]`: too_big, not_image)."""
    return reencode(data)
