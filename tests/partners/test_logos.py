"""Logos are decoded, scaled and re-encoded: whatever else a file carried stays behind."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from organizer.partners.logos import MAX_BYTES, LogoError, clean_logo


def _jpeg_with_exif():
    image = Image.new("RGB", (800, 800), (10, 120, 60))
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x8825] = {2: (48.0, 51.0, 0.0)}  # a GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"made on my laptop")
    return out.getvalue()


def test_a_jpeg_loses_its_metadata_and_is_scaled_into_the_box(ctx):
    original = _jpeg_with_exif()
    assert b"secret description" in original
    cleaned, mime = clean_logo(original)
    assert mime == "image/jpeg"
    image = Image.open(io.BytesIO(cleaned))
    assert image.size == (240, 240)
    assert not image.getexif() and "comment" not in image.info
    assert b"secret description" not in cleaned and b"laptop" not in cleaned


def test_a_png_keeps_its_transparency(ctx):
    out = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(out, "PNG")
    cleaned, mime = clean_logo(out.getvalue())
    image = Image.open(io.BytesIO(cleaned))
    assert mime == "image/png" and image.mode == "RGBA" and image.size == (100, 50)


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a not really", b"\x89PNG\r\n\x1a\n truncated", b"<svg/>", b"x" * (MAX_BYTES + 1)],
)
def test_anything_else_is_refused(ctx, data):
    with pytest.raises(LogoError):
        clean_logo(data)


def test_a_gif_or_a_decompression_bomb_is_refused(ctx):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(LogoError):
        clean_logo(gif.getvalue())
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG", optimize=True)
    assert len(bomb.getvalue()) < MAX_BYTES
    with pytest.raises(LogoError):
        clean_logo(bomb.getvalue())
