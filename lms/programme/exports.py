"""Table downloads shared by the programme pages: CSV or XLSX from one header and rows."""

from __future__ import annotations

import io
import re

from flask import abort
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.wrappers import Response

from ..quiz.results_views import csv_response, safe_cell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_PHONE = re.compile(r"\+[0-9 ]{6,20}")
#: Widest column, in characters, an XLSX download opens with.
MAX_WIDTH = 60


def table_response(fmt: str, name: str, header: list[str], rows: list[list[object]]) -> Response:
    """Download ``header`` and ``rows`` as ``name.csv`` or ``name.xlsx``; other formats are 404."""
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(name, header, rows)
    abort(404)


def xlsx_response(name: str, header: list[str], rows: list[list[object]]) -> Response:
    """One sheet: bold header, columns sized to their content, formula-like text quoted."""
    response = Response(xlsx_bytes(name, header, rows), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def xlsx_bytes(name: str, header: list[str], rows: list[list[object]]) -> bytes:
    # Write-only: rows are streamed to the file, not kept as cell objects.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(name))
    for index, width in enumerate(_widths(header, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_bold(sheet, _xlsx_value(h), bold) for h in header])
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet: object, value: object, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _xlsx_value(value: object) -> object:
    """Numbers, dates and text stay themselves (text that could start a formula is quoted, but
    not phone numbers such as +919800000000: a text cell in XLSX is never run). Control
    characters, which Excel cannot store, are left out."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, str) and _PHONE.fullmatch(value):
        return value
    if value is None or isinstance(value, (int, float, str)):
        return safe_cell(value)
    if hasattr(value, "isoformat"):
        return value
    return safe_cell(str(value))


def _sheet_title(name: str) -> str:
    """Excel sheet titles: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", "-", name)[:31] or "Sheet"


def _widths(header: list[str], rows: list[list[object]]) -> list[int]:
    widths = [len(str(h)) for h in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], len("" if value is None else str(value)))
    return [min(MAX_WIDTH, w + 2) for w in widths]
