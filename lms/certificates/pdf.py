"""The built-in certificate renderer: an A4 landscape PDF in the learner's language with English
beside it, Bengali shaped by HarfBuzz (fpdf2 + uharfbuzz), and a QR code of the verify page."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from babel import dates as babel_dates
from flask import current_app
from fpdf import FPDF

from ..i18n import BENGALI_DIGITS, LATIN_DIGITS, N_, gettext_in, language
from . import dates
from .models import Certificate

BAND_LABELS = {"distinction": N_("Distinction"), "merit": N_("Merit"), "pass": N_("Pass")}
_BENGALI_DIGITS = str.maketrans(LATIN_DIGITS, BENGALI_DIGITS)


class FontsMissing(RuntimeError):
    pass


def _fonts() -> dict[str, Path]:
    folder = Path(current_app.config["LMS_FONT_DIR"])
    wanted = {
        ("latin", ""): "NotoSans-Regular.ttf",
        ("latin", "B"): "NotoSans-Bold.ttf",
        ("bengali", ""): "NotoSansBengali-Regular.ttf",
        ("bengali", "B"): "NotoSansBengali-Bold.ttf",
    }
    found = {key: folder / name for key, name in wanted.items()}
    missing = [str(p) for p in found.values() if not p.is_file()]
    if missing:
        raise FontsMissing(
            "fonts missing (install Debian's fonts-noto-core): " + ", ".join(missing)
        )
    return found


def use_noto_fonts(pdf: FPDF) -> None:
    """Noto Sans (``latin``) and Noto Sans Bengali (``bengali``), regular and bold, shaped by
    HarfBuzz, each the other's fallback: for every PDF with Bengali in it."""
    for (family, style), path in _fonts().items():
        pdf.add_font(family, style, str(path))
    pdf.set_text_shaping(True)
    pdf.set_fallback_fonts(["latin", "bengali"])


def _date(certificate: Certificate, locale: str, latin_digits: bool) -> str:
    """The day it was issued in the certificate's country, as the verify page says it."""
    text = babel_dates.format_date(
        dates.issued_on(certificate), "long", locale=language(locale).format_locale
    )
    return (
        text
        if latin_digits or not language(locale).bengali_script
        else text.translate(_BENGALI_DIGITS)
    )


def render_pdf(
    certificate: Certificate, locale: str, verify_url: str, latin_digits: bool = False
) -> bytes:
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    use_noto_fonts(pdf)
    pdf.add_page()
    pdf.set_draw_color(122, 62, 18)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, 275, 188)
    main = "bengali" if language(locale).bengali_script else "latin"
    t = lambda message: gettext_in(locale, message)  # noqa: E731
    en = lambda message: gettext_in("en", message)  # noqa: E731

    def line(text: str, size: float, style: str = "", family: str = main, gap: float = 2) -> None:
        pdf.set_font(family, style, size)
        pdf.set_x(20)
        pdf.multi_cell(w=180, h=size * 0.5, text=text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(20)
    pdf.set_text_color(122, 62, 18)
    line(current_app.config["LMS_ISSUER_NAME"], 11, "B", "latin", 4)
    line(t(N_("Certificate of achievement")), 26, "B", gap=0)
    if main != "latin":
        line(en(N_("Certificate of achievement")), 13, "", "latin", 4)
    pdf.set_text_color(31, 35, 40)
    line(t(N_("This certifies that")), 12, gap=0)
    line(certificate.holder_name, 24, "B", main, 0 if certificate.enterprise else 2)
    if certificate.enterprise:
        line(certificate.enterprise, 13, "", main, 2)
    line(t(N_("has earned")), 12, gap=0)
    title = certificate.titles.get(locale) or certificate.titles.get("en", "")
    line(title, 18, "B", gap=0)
    if main != "latin":
        line(certificate.titles.get("en", ""), 12, "", "latin", 3)
    band = BAND_LABELS[certificate.score_band]
    score_label, date_label = N_("Score band"), N_("Date")
    code_label, verify_label = N_("Certificate code"), N_("Verify at")
    line(f"{t(score_label)}: {t(band)} · {en(score_label)}: {en(band)}", 12)
    line(
        f"{t(date_label)}: {_date(certificate, locale, latin_digits)} · "
        f"{_date(certificate, 'en', True)}",
        12,
    )
    line(f"{t(code_label)} / Certificate code: {certificate.code}", 12, "B", "latin")
    pdf.set_y(168)
    line(current_app.config["LMS_SIGNATORY"], 12, "B", "latin", 0)
    line(current_app.config["LMS_ISSUER_NAME"], 10, "", "latin", 0)
    qr = segno.make(verify_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    pdf.image(buffer, x=215, y=40, w=60, h=60)
    pdf.set_font("latin", "", 9)
    pdf.set_xy(205, 102)
    pdf.multi_cell(w=80, h=5, text=f"{t(verify_label)}\n{verify_url}", align="C")
    return bytes(pdf.output())
