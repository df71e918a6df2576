"""Tables of the printable report, drawn directly with fpdf2's cells.

fpdf2's own ``table()`` lays every cell out twice with ``multi_cell``, shaping each growing
substring with HarfBuzz to find where lines break: seconds for a programme's sessions. Here words
are measured once per report, lines are broken between words, and only text in a script that
needs it (Bengali letters, not its digits) goes through the shaping engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fpdf import FPDF

#: The font families of the reports (``lms.certificates.pdf.use_noto_fonts``).
FAMILIES = ("latin", "bengali")
#: Space around the text of a cell, and the height of one line of it (mm).
PADDING, LINE_HEIGHT = 1.0, 5.0


def needs_shaping(text: str) -> bool:
    """Whether ``text`` has letters of a complex script (Hebrew to Sinhala), Bengali digits
    apart: those need HarfBuzz; Latin text and digits are drawn faster without it."""
    return any("\u0590" <= ch <= "\u0dff" and not "\u09e6" <= ch <= "\u09ef" for ch in text)


def set_shaping(pdf: FPDF, text: str) -> None:
    """Shape ``text`` only if it needs it."""
    wanted = needs_shaping(text)
    if wanted != bool(pdf.text_shaping):
        pdf.set_text_shaping(wanted)


def has_glyphs(pdf: FPDF, text: str) -> bool:
    """Whether the current font draws every character of ``text`` itself (else cell() takes
    the missing ones from the fallback fonts: Latin letters in a Bengali report)."""
    return _draws(pdf.current_font, text)


def _draws(font: object, text: str) -> bool:
    """Whether ``font`` (a TrueType font of the PDF) has a glyph for every character."""
    cmap = getattr(font, "cmap", None)
    return cmap is not None and all(ord(ch) in cmap for ch in text)


def text_width(pdf: FPDF, text: str) -> float:
    """The width of ``text`` in the current font, as ``get_string_width`` gives it; summed from
    the font's advance widths when no shaping is involved (without its bidi and fragment
    machinery)."""
    if needs_shaping(text) or not has_glyphs(pdf, text):
        set_shaping(pdf, text)
        return pdf.get_string_width(text)
    widths = pdf.current_font.cw
    return sum(widths[ord(ch)] for ch in text) * pdf.font_size_pt * 0.001 / pdf.k


def draw(
    pdf: FPDF,
    x: float,
    y: float,
    width: float,
    height: float,
    text: str,
    align: str,
    measure: Callable[[str], float] | None = None,
) -> None:
    """``text`` on one line of a box, as ``cell(width, height, text, align=align)`` at (x, y)
    would draw it (``align`` ``L`` or ``R``). Text the font draws without shaping (Latin,
    digits) goes straight onto the baseline cell() would use, without its line layout: most of
    a report's text, and most of its time. ``measure``: a cache of string widths."""
    family = None if needs_shaping(text) else _font_for(pdf, text)
    if family is None:
        set_shaping(pdf, text)
        pdf.set_xy(x, y)
        pdf.cell(width, height, text, align=align)
        return
    main = pdf.font_family
    if family != main:  # Latin words in a Bengali report: the fallback font, as cell() would
        pdf.set_font(family)
    if align == "R":
        x += width - (measure(text) if measure and family == main else text_width(pdf, text))
    pdf.text(x, y + height / 2 + 0.3 * pdf.font_size, text)
    if family != main:
        pdf.set_font(main)


def _font_for(pdf: FPDF, text: str) -> str | None:
    """The family that draws every character of ``text``: the current one, else the other of
    the report's two (``None``: it takes both, and cell() mixes them)."""
    if has_glyphs(pdf, text):
        return pdf.font_family
    for family in FAMILIES:
        if family != pdf.font_family and _draws(pdf.fonts.get(family + pdf.font_style), text):
            return family
    return None


@dataclass
class Grid:
    """A table of text cells across the page's width, its heading row repeated on each page."""

    pdf: FPDF
    #: Relative widths of the columns, and their alignment (``L`` or ``R``).
    weights: Sequence[float]
    align: Sequence[str]
    heading: Sequence[str]
    ink: tuple[int, int, int] = (0, 0, 0)
    _widths: dict[tuple[str, str, float, str], float] = field(default_factory=dict)

    @property
    def columns(self) -> list[float]:
        scale = self.pdf.epw / sum(self.weights)
        return [w * scale for w in self.weights]

    def width(self, text: str) -> float:
        """The width of ``text`` in the current font (measured once per report)."""
        pdf = self.pdf
        key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, text)
        if key not in self._widths:
            self._widths[key] = text_width(pdf, text)
        return self._widths[key]

    def lines(self, text: str, room: float) -> list[str]:
        """``text`` broken into lines no wider than ``room``, between words where one fits."""
        if "\n" not in text and self.width(text) <= room:
            return [text]  # most cells: one measurement
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                wider = f"{line} {word}" if line else word
                if not line or self.width(wider) <= room:
                    line = wider
                    continue
                lines.append(line)
                line = word
            lines += self._split(line, room)
        return lines or [""]

    def _split(self, word: str, room: float) -> list[str]:
        """A word wider than the column, cut where it must be."""
        if self.width(word) <= room or len(word) < 2:
            return [word]
        cut = len(word) - 1
        while cut > 1 and self.width(word[:cut]) > room:
            cut -= 1
        return [word[:cut], *self._split(word[cut:], room)]

    def row(
        self,
        texts: Sequence[str],
        styles: Sequence[CellStyle | None] = (),
        *,
        bold: bool = False,
    ) -> None:
        """One row; on a new page first when it does not fit, under the heading again."""
        pdf, columns = self.pdf, self.columns
        style = pdf.font_style
        pdf.set_font(style="B" if bold else "")
        wrapped = [self.lines(t, w - 2 * PADDING) for t, w in zip(texts, columns, strict=True)]
        height = max(len(lines) for lines in wrapped) * LINE_HEIGHT + 2 * PADDING
        if not bold and pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            self.row(self.heading, bold=True)
            pdf.set_font(style="")
        x, y = pdf.l_margin, pdf.get_y()
        for index, (lines, width) in enumerate(zip(wrapped, columns, strict=True)):
            filled = styles[index] if index < len(styles) else None
            self._cell(x, y, width, height, lines, self.align[index], filled)
            x += width
        pdf.set_font(style=style)
        pdf.set_text_color(*self.ink)
        pdf.set_xy(pdf.l_margin, y + height)

    def _cell(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        lines: list[str],
        align: str,
        style: CellStyle | None,
    ) -> None:
        pdf = self.pdf
        if style is not None:
            pdf.set_fill_color(*style.fill)
        pdf.rect(x, y, width, height, style="DF" if style is not None else "D")
        pdf.set_text_color(*(style.ink if style is not None else self.ink))
        top = y + (height - len(lines) * LINE_HEIGHT) / 2  # centred, as fpdf2's tables
        room = width - 2 * PADDING
        for number, line in enumerate(lines):
            line_top = top + number * LINE_HEIGHT
            draw(pdf, x + PADDING, line_top, room, LINE_HEIGHT, line, align, self.width)


@dataclass(frozen=True)
class CellStyle:
    """A filled cell: background and text colours."""

    fill: tuple[int, int, int]
    ink: tuple[int, int, int]
