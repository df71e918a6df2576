"""The drawn parts of a certificate PDF: its border, the built-in emblem, the QR code (vector
shapes, sharp at any size) and the configured logo and signature images."""

from __future__ import annotations

from pathlib import Path

import segno
from flask import current_app
from fpdf import FPDF
from fpdf.drawing import DeviceRGB, PaintedPath
from PIL import Image

from ..config import image_problem
from ..state import state

BROWN = (122, 62, 18)
GOLD = (184, 138, 48)
CREAM = (252, 246, 232)
INK = (31, 35, 40)
#: The longest side, in pixels, of a logo or signature as kept for PDFs (300 dpi at 70 mm).
IMAGE_PIXELS = 800


class ImageUnusable(RuntimeError):
    pass


def frame(pdf: FPDF, width: float, height: float) -> None:
    """A brown border, a thin gold one inside it, and a gold diamond in each inner corner."""
    pdf.set_draw_color(*BROWN)
    pdf.set_line_width(1.4)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.35)
    pdf.rect(11.5, 11.5, width - 23, height - 23)
    pdf.set_fill_color(*GOLD)
    for x in (11.5, width - 11.5):
        for y in (11.5, height - 11.5):
            _diamond(pdf, x, y, 2.2)


def _diamond(pdf: FPDF, x: float, y: float, r: float) -> None:
    pdf.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], style="F")


def rule(pdf: FPDF, cx: float, y: float, half: float) -> None:
    """A short gold rule with a diamond in its middle, between parts of the text."""
    pdf.set_draw_color(*GOLD)
    pdf.set_fill_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(cx - half, y, cx - 3, y)
    pdf.line(cx + 3, y, cx + half, y)
    _diamond(pdf, cx, y, 1.3)


def emblem(pdf: FPDF, cx: float, cy: float, r: float) -> None:
    """The built-in emblem: a gold seal with a brown disc, and an open book under a star."""
    pdf.set_fill_color(*GOLD)
    pdf.star(cx, cy, r * 0.9, r, 40, style="F")
    pdf.set_fill_color(*BROWN)
    pdf.circle(cx, cy, r * 0.82, style="F")
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.circle(cx, cy, r * 0.72)
    u = r / 13
    _book(pdf, cx, cy + 1.2 * u, u)
    pdf.set_fill_color(*GOLD)
    pdf.star(cx, cy - 5.2 * u, 1.0 * u, 2.4 * u, 5, rotate_degrees=-90, style="F")


#: One page of the open book (right-hand; mirrored for the left), in units of r/13 from the
#: spine: the top edge curls up to the outer corner, the bottom edge down to the spine.
PAGE = (
    (0.3, -1.6),
    (2.2, -2.9),
    (4.4, -3.3),
    (6.6, -2.9),
    (6.6, 3.2),
    (4.4, 3.5),
    (2.2, 3.7),
    (0.3, 4.6),
)


def _book(pdf: FPDF, cx: float, cy: float, u: float) -> None:
    """An open book: two cream pages with three lines of text each."""
    for side in (-1, 1):
        pdf.set_fill_color(*CREAM)
        pdf.polygon([(cx + side * x * u, cy + y * u) for x, y in PAGE], style="F")
        pdf.set_draw_color(*BROWN)
        pdf.set_line_width(0.12 * u)
        for row in range(3):
            y = cy + (-0.9 + 1.5 * row) * u
            pdf.line(cx + side * 1.4 * u, y, cx + side * 5.4 * u, y - 0.25 * u)


def qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` as one filled path of dark runs (no image, no seams)."""
    code = segno.make(url, error="m")
    matrix = [list(row) for row in code.matrix]
    cell = size / len(matrix)
    path = PaintedPath()
    path.style.fill_color = DeviceRGB(*(c / 255 for c in INK))
    path.style.stroke_color = None
    for row, values in enumerate(matrix):
        for start, length in _runs(values):
            path.rectangle(x + start * cell, y + row * cell, length * cell, cell)
    pdf.draw_path(path, copy=False)  # a copy of 400 rectangles would take longer than the PDF


def _runs(values: list[int]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    runs, start = [], None
    for index, value in enumerate([*values, 0]):
        if value & 1 and start is None:
            start = index
        elif not value & 1 and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def image_path(key: str) -> Path | None:
    """The image a config key names (relative paths are in the instance folder); ``None``
    when the key is empty."""
    value = current_app.config.get(key) or ""
    return Path(current_app.instance_path) / value if value else None


def check_image(key: str, path: Path) -> None:
    """Raise :class:`ImageUnusable` saying why ``path`` (set in ``key``) cannot be printed."""
    problem = image_problem(key, path)
    if problem is not None:
        raise ImageUnusable(problem)


def picture(pdf: FPDF, key: str, x: float, y: float, w: float, h: float) -> bool:
    """The image of config ``key`` fitted into the box (centred, its proportions kept);
    ``False`` when the key is empty."""
    path = image_path(key)
    if path is None:
        return False
    pdf.image(_prepared(key, path), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
    return True


def _prepared(key: str, path: Path) -> Image.Image:
    """The image, no larger than a PDF needs, read once per file version (a 4000-pixel photo
    of a signature would otherwise be compressed again in every PDF)."""
    check_image(key, path)
    stat = path.stat()
    cache = state().cache("certificates.pdf_images")
    found = cache.get(path)
    if found is None or found[0] != (stat.st_mtime_ns, stat.st_size):
        with Image.open(path) as opened:
            opened.load()
            image = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
        image.thumbnail((IMAGE_PIXELS, IMAGE_PIXELS))
        cache[path] = found = ((stat.st_mtime_ns, stat.st_size), image)
    return found[1]


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
