"""The built-in certificate renderer: an A4 landscape PDF in the learner's language with English
beside it (each label once when the certificate is in English), Bengali shaped by HarfBuzz
(fpdf2 + uharfbuzz), the emblem or the configured logo, the criteria the credential states, the
signatory, and a QR code of the verify page. The text stays text: ``pdftotext`` reads it back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from fpdf import FPDF

from ..i18n import language
from . import pdf_drawing as drawing
from .models import Certificate
from .pdf_text import BAND_LABELS, Pair, Wording, wording

__all__ = ["BAND_LABELS", "FontsMissing", "render_pdf", "use_noto_fonts"]

WIDTH, HEIGHT = 297.0, 210.0
CENTRE = WIDTH / 2
#: Line height in mm per point of font size: room for Bengali vowel signs above and below.
LINE = 0.5
#: The body (heading to criteria) sits between the issuer's name and the footer.
BODY_TOP, BODY_BOTTOM = 44.0, 149.0
#: The least and the most space between the body's groups of text (mm).
MIN_GAP, MAX_GAP = 4.0, 12.0
#: (all texts, criteria) sizes tried in turn until the body fits: first the criteria (a
#: programme lists every module) get smaller, then everything.
SHRINK = ((1.0, 1.0), (1.0, 0.85), (1.0, 0.75), (0.9, 0.7), (0.8, 0.65), (0.7, 0.6))
#: Widths (mm) of the body's texts and of the criteria (shorter lines read better).
BODY_WIDTH, CRITERIA_WIDTH = 236.0, 206.0
BROWN, INK = drawing.BROWN, drawing.INK
GREY = (88, 94, 102)
BENGALI = re.compile("[\u0980-\u09ff]")
FONT_FILES = {
    ("latin", ""): "NotoSans-Regular.ttf",
    ("latin", "B"): "NotoSans-Bold.ttf",
    ("bengali", ""): "NotoSansBengali-Regular.ttf",
    ("bengali", "B"): "NotoSansBengali-Bold.ttf",
}


class FontsMissing(RuntimeError):
    pass


def _fonts(families: tuple[str, ...] = ("latin", "bengali")) -> dict[tuple[str, str], Path]:
    folder = Path(current_app.config["LMS_FONT_DIR"])
    found = {key: folder / name for key, name in FONT_FILES.items() if key[0] in families}
    missing = [str(p) for p in found.values() if not p.is_file()]
    if missing:
        raise FontsMissing(
            "fonts missing (install Debian's fonts-noto-core): " + ", ".join(missing)
        )
    return found


def use_noto_fonts(pdf: FPDF, families: tuple[str, ...] = ("latin", "bengali")) -> None:
    """Noto Sans (``latin``) and Noto Sans Bengali (``bengali``), regular and bold, shaped by
    HarfBuzz, each the other's fallback: for every PDF with Bengali in it. ``families``: only
    these (each font added costs a PDF time to read and to embed)."""
    for (family, style), path in _fonts(families).items():
        pdf.add_font(family, style, str(path))
    pdf.set_text_shaping(True)
    pdf.set_fallback_fonts(list(families))


#: How a text looks: size (pt), style, font family, colour.
Look = tuple[float, str, str, tuple[int, int, int]]


@dataclass
class Row:
    """One centred text, at the size that fits its width (set by :func:`_fit`)."""

    text: str
    size: float
    style: str = ""
    family: str = "latin"
    color: tuple[int, int, int] = drawing.INK
    width: float = BODY_WIDTH
    lines: int = 1

    @property
    def height(self) -> float:
        return self.size * LINE * self.lines


def _row(text: str, look: Look, scale: float = 1.0, width: float = BODY_WIDTH) -> Row:
    size, style, family, color = look
    return Row(text, size * scale, style, family, color, width)


def render_pdf(
    certificate: Certificate, locale: str, verify_url: str, latin_digits: bool = False
) -> bytes:
    words = wording(certificate, locale, verify_url, latin_digits)
    main = "bengali" if language(locale).bengali_script else "latin"
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    bengali = main == "bengali" or bool(BENGALI.search(words.everything()))
    use_noto_fonts(pdf, ("latin", "bengali") if bengali else ("latin",))
    pdf.set_title(f"{words.heading.main}: {certificate.holder_name}")
    pdf.set_author(words.issuer)
    pdf.add_page()
    drawing.frame(pdf, WIDTH, HEIGHT)
    _header(pdf, words)
    _body(pdf, words, main)
    _details(pdf, words, main)
    _signature(pdf, words)
    _verify(pdf, words, main)
    return bytes(pdf.output())


def _header(pdf: FPDF, words: Wording) -> None:
    """The configured logo, else the built-in emblem; the issuer's name under it."""
    if not drawing.picture(pdf, "LMS_CERTIFICATE_LOGO", CENTRE - 40, 15, 80, 22):
        drawing.emblem(pdf, CENTRE, 26, 11)
    _put(pdf, _fit(pdf, _row(words.issuer, (10, "B", "latin", BROWN))), 38.5)


def _body(pdf: FPDF, words: Wording, main: str) -> None:
    """The heading, the holder, the achievement and its criteria, in groups spread evenly
    over the body's height (no empty band however short the texts are); long texts (a
    programme's list of modules) make every text a little smaller rather than overflow."""
    space = BODY_BOTTOM - BODY_TOP
    for scale, criteria in SHRINK:
        found = _groups(words, main, scale, criteria)
        groups = [[_fit(pdf, row) for row in group] for group in found]
        used = sum(row.height for group in groups for row in group)
        if used + MIN_GAP * (len(groups) + 1) <= space:
            break
    gap = min(MAX_GAP, max(MIN_GAP, (space - used) / (len(groups) + 1)))
    y = BODY_TOP + (space - used - gap * (len(groups) - 1)) / 2
    for index, group in enumerate(groups):
        if index == 1:
            drawing.rule(pdf, CENTRE, y - gap / 2, 40)  # under the heading
        for row in group:
            y = _put(pdf, row, y)
        y += gap


def _groups(words: Wording, main: str, scale: float, criteria: float) -> list[list[Row]]:
    """The body's rows, heading, holder, achievement and criteria, at ``scale`` times their
    size (the criteria at ``criteria`` times theirs, and wider when smaller)."""
    quiet: Look = (11, "", main, GREY)
    english: Look = (12, "", "latin", GREY)
    enterprise = [_row(words.enterprise, (12.5, "", main, INK), scale)] if words.enterprise else []
    return [
        _rows(words.heading, (28, "B", main, BROWN), english, scale),
        [_row(words.certifies, quiet, scale), _row(words.holder, (24, "B", main, INK), scale)]
        + enterprise,
        [
            _row(words.earned, quiet, scale),
            *_rows(words.title, (18, "B", main, BROWN), english, scale),
        ],
        _rows(
            words.criteria,
            (10.5, "", main, INK),
            (9.5, "", "latin", GREY),
            criteria,
            CRITERIA_WIDTH if criteria == 1 else BODY_WIDTH,
        ),
    ]


def _rows(
    pair: Pair, look: Look, english: Look, scale: float, width: float = BODY_WIDTH
) -> list[Row]:
    """A text in the certificate's language and under it, smaller, the English."""
    rows = [_row(pair.main, look, scale, width)]
    if pair.english is not None:
        rows.append(_row(pair.english, english, scale, width))
    return rows


def _fit(pdf: FPDF, row: Row) -> Row:
    """``row`` at its size, else a little smaller on one line, else wrapped at its size."""
    size = row.size
    while size > row.size * 0.75:
        pdf.set_font(row.family, row.style, size)
        if pdf.get_string_width(row.text) <= row.width:
            row.size = size
            return row
        size -= 1
    pdf.set_font(row.family, row.style, row.size)
    lines = pdf.multi_cell(
        w=row.width, h=row.size * LINE, text=row.text, dry_run=True, output="LINES"
    )
    row.lines = len(lines)
    return row


def _put(pdf: FPDF, row: Row, y: float, centre: float = CENTRE) -> float:
    """Write ``row`` centred on ``centre`` from ``y``; the ``y`` under it."""
    pdf.set_font(row.family, row.style, row.size)
    pdf.set_text_color(*row.color)
    pdf.set_xy(centre - row.width / 2, y)
    if row.lines == 1:
        pdf.cell(w=row.width, h=row.size * LINE, text=row.text, align="C")
    else:
        pdf.multi_cell(w=row.width, h=row.size * LINE, text=row.text, align="C")
    return y + row.height


def _details(pdf: FPDF, words: Wording, main: str) -> None:
    """Score band, date and code, each under its label, in the footer's left column."""
    y = 153.0
    for label, value in words.details:
        _segments(pdf, 25, y, label, (8, "", main, GREY))
        _segments(pdf, 25, y + 4.6, value, (11.5, "B", main, INK))
        y += 12.8


def _segments(pdf: FPDF, x: float, y: float, pair: Pair, look: Look, width: float = 86) -> None:
    """``pair`` on one line from ``x``: its main text, then `` · `` and the English, lighter."""
    largest, style, family, color = look
    english = f" · {pair.english}" if pair.english is not None else ""
    for size in (largest, largest - 1, largest - 2, largest - 3):  # smaller until it fits
        pdf.set_font(family, style, size)
        first = pdf.get_string_width(pair.main)
        pdf.set_font("latin", "", size)
        if first + pdf.get_string_width(english) <= width:
            break
    pdf.set_xy(x, y)
    pdf.set_font(family, style, size)
    pdf.set_text_color(*color)
    pdf.cell(w=first, h=size * LINE, text=pair.main)
    if english:
        pdf.set_font("latin", "", size)
        pdf.set_text_color(*GREY)
        pdf.cell(w=width - first, h=size * LINE, text=english)


def _signature(pdf: FPDF, words: Wording) -> None:
    """The signature image (if configured) over a line, the signatory and the issuer under."""
    line_y = 179.0
    drawing.picture(pdf, "LMS_CERTIFICATE_SIGNATURE", CENTRE - 30, line_y - 20, 60, 19)
    pdf.set_draw_color(*BROWN)
    pdf.set_line_width(0.3)
    pdf.line(CENTRE - 33, line_y, CENTRE + 33, line_y)
    _put(pdf, _fit(pdf, _row(words.signatory, (11, "B", "latin", INK), width=90)), line_y + 1.5)
    _put(pdf, _fit(pdf, _row(words.issuer, (8.5, "", "latin", GREY), width=90)), line_y + 7.3)


def _verify(pdf: FPDF, words: Wording, main: str) -> None:
    """The QR code of the verify page, what it is, and its address (for those who type it)."""
    centre, size = 246.0, 31.0
    drawing.qr(pdf, words.verify_url, centre - size / 2, 151.5, size)
    label = " · ".join(words.verify.texts)
    y = _put(pdf, _fit(pdf, _row(label, (7.5, "", main, GREY), width=74)), 183.5, centre)
    _put(pdf, _fit(pdf, _row(words.verify_url, (7.5, "", "latin", GREY), width=74)), y, centre)
