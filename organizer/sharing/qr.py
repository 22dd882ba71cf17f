"""QR codes of a campaign's address (segno): SVG for print and the web, PNG for the rest.

Error correction M survives a crumpled flyer and keeps the code small enough to scan from
a metre away at the printed size.
"""

from __future__ import annotations

import io

import segno

BORDER = 4  # the quiet zone the standard asks for, in modules
PNG_SCALE = 12  # pixels per module: about 450 px for a campaign address


def make(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False, boost_error=False)


def svg(url: str) -> bytes:
    buffer = io.BytesIO()
    make(url).save(buffer, kind="svg", scale=8, border=BORDER, xmldecl=True, svgns=True,
                   title=url)  # fmt: skip
    return buffer.getvalue()


def svg_inline(url: str, size_mm: int) -> str:
    """An <svg> element for an HTML document, ``size_mm`` wide (WeasyPrint draws it)."""
    inline: str = make(url).svg_inline(scale=1, border=BORDER, omitsize=True)
    return inline.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)


def png(url: str) -> bytes:
    buffer = io.BytesIO()
    make(url).save(buffer, kind="png", scale=PNG_SCALE, border=BORDER)
    return buffer.getvalue()
