"""Pictures beside a module's Markdown (``images/`` or ``assets/``): which kinds, how large, and
their size in pixels, so a page keeps their room while they load lazily (issue 16.12)."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image, UnidentifiedImageError

#: The folders beside the Markdown that pages may link to or show pictures from.
FOLDERS = ("images/", "assets/")
#: Picture kinds a module may show (WebP or SVG preferred: small on a hall's wifi).
TYPES = frozenset({".webp", ".png", ".jpg", ".jpeg", ".gif", ".svg"})
#: The most a picture may weigh: a tablet on weak wifi loads each one.
MAX_BYTES = 60 * 1024

_SVG_SIZE = re.compile(
    r"<svg\b[^>]*?\bviewBox\s*=\s*[\"']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)", re.S
)


def resolve(folder: Path, target: str) -> Path | None:
    """The file ``target`` (``images/x.webp``) names inside ``folder``'s picture folders, or
    None when it names none (missing, or outside them)."""
    if not target.startswith(FOLDERS):
        return None
    base = (folder / target.split("/", 1)[0]).resolve()
    path = (folder / target).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


def pixel_size(path: Path) -> tuple[int, int] | None:
    """Width and height of the picture at ``path`` (None when they cannot be read)."""
    if path.suffix.lower() == ".svg":
        found = _SVG_SIZE.search(path.read_text(encoding="utf-8", errors="replace")[:4096])
        return (round(float(found.group(1))), round(float(found.group(2)))) if found else None
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError):
        return None
