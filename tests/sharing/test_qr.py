"""organizer.sharing.qr: the PNG and SVG codes hold exactly the address they are made of."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import segno
from PIL import Image

from organizer.sharing import qr

URL = "https://cahier.example/c/stall?source=qr"


def modules_of_png(data: bytes, scale: int = qr.PNG_SCALE, border: int = qr.BORDER):
    """The dark/light module grid read back from the pixels (the centre of each module)."""
    image = Image.open(io.BytesIO(data)).convert("L")
    size = image.width // scale - 2 * border

    def dark(row, column):
        centre = ((column + border) * scale + scale // 2, (row + border) * scale + scale // 2)
        return image.getpixel(centre) < 128

    return [[dark(r, c) for c in range(size)] for r in range(size)]


def expected_modules(url):
    return [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]


def test_the_png_holds_the_modules_of_the_address():
    data = qr.png(URL)
    assert data.startswith(b"\x89PNG")
    assert modules_of_png(data) == expected_modules(URL)
    assert modules_of_png(data) != expected_modules(URL.replace("qr", "flyer"))


def test_the_svg_is_a_scalable_image_titled_with_the_address():
    root = ElementTree.fromstring(qr.svg(URL))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == URL


def test_the_inline_svg_has_the_printed_size():
    inline = qr.svg_inline(URL, 62)
    assert inline.startswith('<svg width="62mm" height="62mm" ')
    assert "viewBox=" in inline
