"""Logo uploads: opened by Pillow from their content (never trusting the name or the type the
browser sent), then re-encoded as a PNG no larger than MAX_SIDE: what is stored is always our
own encoding, without the upload's metadata or anything hidden after the image."""

import io

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 512
ACCEPTED = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


class LogoRejected(ValueError):
    pass


def reencode(data: bytes) -> bytes:
    """The PNG to store, or LogoRejected (`args[0]` is a code: too_big, not_image)."""
    if len(data) > MAX_BYTES:
        raise LogoRejected("too_big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED:
                raise LogoRejected("not_image")
            if image.width * image.height > MAX_PIXELS:
                raise LogoRejected("too_big")
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except LogoRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise LogoRejected("not_image") from error
