"""The achievements' image (OB 3.0 ``Achievement.image``): a medal drawn once per kind, as PNG.

Drawn with Pillow (which fpdf2, the PDF renderer, needs anyway) at four times the size and
scaled down, so its edges are smooth. No text: it reads the same in every language.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

SIZE = 256
#: Ribbon and medal colours: the certificates' brown, with bronze for a module and gold for
#: a course.
_COLOURS = {
    "module": ((122, 62, 18), (176, 112, 52), (233, 196, 150)),
    "course": ((122, 62, 18), (201, 151, 28), (246, 222, 142)),
}


def png(kind: str) -> bytes:
    ribbon, medal, light = _COLOURS.get(kind, _COLOURS["module"])
    scale = 4
    s = SIZE * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    u = s / 64  # drawn on a 64-unit grid
    draw.polygon(
        [(18 * u, 34 * u), (10 * u, 62 * u), (20 * u, 57 * u), (26 * u, 63 * u), (32 * u, 40 * u)],
        fill=ribbon,
    )
    draw.polygon(
        [(46 * u, 34 * u), (54 * u, 62 * u), (44 * u, 57 * u), (38 * u, 63 * u), (32 * u, 40 * u)],
        fill=ribbon,
    )
    draw.ellipse([8 * u, 2 * u, 56 * u, 50 * u], fill=medal)
    draw.ellipse([13 * u, 7 * u, 51 * u, 45 * u], fill=light)
    draw.ellipse([16 * u, 10 * u, 48 * u, 42 * u], fill=medal)
    draw.line(
        [(22 * u, 26 * u), (29 * u, 33 * u), (42 * u, 19 * u)],
        fill=light,
        width=int(4 * u),
        joint="curve",
    )
    buffer = io.BytesIO()
    image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
