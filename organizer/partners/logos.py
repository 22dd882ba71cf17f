"""A partner's logo: a PNG or JPEG, checked by decoding it and re-encoded by Pillow.

Re-encoding drops what a file may carry besides its pixels (EXIF with a location, comments,
an appended payload), and scaling it down keeps the public page light.
"""

from __future__ import annotations

import io
import warnings

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 512 * 1024
# Past this many pixels a small file is a decompression bomb, not a logo.
MAX_PIXELS = 25_000_000
# The box a logo is scaled into: larger than the page shows it, for sharp high-DPI screens.
BOX = (480, 240)
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class LogoError(ValueError):
    """The message says why, in the reader's language."""


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """The logo re-encoded without metadata, and its MIME type; LogoError if it is none."""
    if not data:
        raise LogoError(_l("Choose a PNG or JPEG file."))
    if len(data) > MAX_BYTES:
        kilobytes = MAX_BYTES // 1024
        raise LogoError(
            lazy_ngettext(
                "The logo may be at most %(num)d KB.",
                "The logo may be at most %(num)d KB.",
                kilobytes,
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = image.format
            if kind not in FORMATS or image.width * image.height > MAX_PIXELS:
                raise LogoError(_l("Choose a PNG or JPEG file."))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        if isinstance(exc, LogoError):
            raise
        raise LogoError(_l("This file is not a PNG or JPEG image that can be read.")) from exc
    return _encode(image, kind), FORMATS[kind]


def _encode(image: Image.Image, kind: str) -> bytes:
    image.thumbnail(BOX)
    mode = "RGB" if kind == "JPEG" or not _has_alpha(image) else "RGBA"
    # A fresh image holds the pixels and nothing else: Pillow would carry the original's
    # EXIF and comments over to the new file from ``info``.
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
