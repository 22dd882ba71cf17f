"""Link-preview images (og:image): 1200x630 PNG cards drawn with Pillow and DejaVu.

The fonts are the system's DejaVu (installed with the Debian image): nothing is fetched.
Lines are measured with the font itself, so French, long words and accents wrap properly.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
PAPER, INK, MUTED, ACCENT, LINE = "#fbfaf7", "#1b1b1f", "#4a4a55", "#7a1f12", "#d6d3cb"
TITLE_SIZES = (68, 60, 52, 46)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Card:
    """What a card says, top to bottom: a kicker, the title, then lines under it."""

    kicker: str
    title: str
    lines: Sequence[str]
    figure: str  # the big line at the bottom: the count, or the date
    footer: str  # the site's address


@cache
def _font_file(bold: bool) -> str | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    fc_match = shutil.which("fc-match")
    if fc_match:
        pattern = "DejaVu Sans:bold" if bold else "DejaVu Sans"
        found = subprocess.run(  # noqa: S603  (a fixed command, no shell)
            [fc_match, "-f", "%{file}", pattern], capture_output=True, text=True, check=False
        ).stdout.strip()
        return found or None
    return None


@cache
def font(size: int, bold: bool = False) -> Font:
    path = _font_file(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _split_long(word: str, face: Font, width: int) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and face.getlength(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]


def wrap(text: str, face: Font, width: int, max_lines: int) -> list[str]:
    """Lines no wider than ``width``; the last one ends with "…" when the text is longer."""
    words = [p for w in text.split() for p in _split_long(w, face, width)]
    lines: list[str] = []
    for word in words:
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and face.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return kept


def _title_lines(title: str, width: int) -> tuple[int, Font, list[str]]:
    """The largest size at which the title fits in three lines, down to a floor."""
    for size in TITLE_SIZES:
        face = font(size, bold=True)
        lines = wrap(title, face, width, 3)
        if not lines[-1].endswith("…"):
            break
    return size, face, lines


def render(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 18, HEIGHT), fill=ACCENT)
    width = WIDTH - 2 * MARGIN
    y = 60
    kicker = font(30, bold=True)
    draw.text((MARGIN, y), wrap(card.kicker, kicker, width, 1)[0], font=kicker, fill=ACCENT)
    y += 56
    size, face, lines = _title_lines(card.title, width)
    for line in lines:
        draw.text((MARGIN, y), line, font=face, fill=INK)
        y += int(size * 1.18)
    y += 14
    small = font(34)
    for text in card.lines:
        for line in wrap(text, small, width, 2):
            draw.text((MARGIN, y), line, font=small, fill=MUTED)
            y += 46
    draw.line((MARGIN, HEIGHT - 150, WIDTH - MARGIN, HEIGHT - 150), fill=LINE, width=2)
    big = font(54, bold=True)
    draw.text((MARGIN, HEIGHT - 128), wrap(card.figure, big, width, 1)[0], font=big, fill=ACCENT)
    foot = font(26)
    draw.text((MARGIN, HEIGHT - 54), card.footer, font=foot, fill=MUTED)
    mark = font(26, bold=True)
    draw.text((WIDTH - MARGIN - mark.getlength("Cahier"), HEIGHT - 54), "Cahier", font=mark,
              fill=INK)  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
