"""Reading an uploaded table (CSV saved as UTF-8, or an Excel XLSX workbook's first sheet) into
rows of text keyed by lower-case column names."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from itertools import islice

from ..i18n import _l

#: Uploads larger than this are refused before they are parsed.
MAX_UPLOAD = 2 * 1024 * 1024
#: An XLSX upload may unpack to at most this much (a spreadsheet of 10,000 rows is far smaller).
MAX_UNPACKED = 64 * 1024 * 1024
#: At most this many rows per import (a programme's whole beneficiary list fits).
MAX_ROWS = 10_000
#: Control characters never belong in a cell (PostgreSQL refuses NUL, Excel the others).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TableError(Exception):
    """The upload cannot be read as a table (a message in the user's language)."""


@dataclass
class Table:
    columns: list[str]
    #: ``(row number as the spreadsheet shows it, {column: text})``.
    rows: list[tuple[int, dict[str, str]]]


def read(raw: bytes, filename: str) -> Table:
    if not raw:
        raise TableError(_l("Choose a CSV or Excel (XLSX) file."))
    if len(raw) > MAX_UPLOAD:
        raise TableError(_l("The file is larger than 2 MB."))
    is_xlsx = filename.lower().endswith(".xlsx") or raw[:2] == b"PK"
    table = _xlsx(raw) if is_xlsx else _csv(raw)
    if len(table.rows) > MAX_ROWS:
        raise TableError(_l("At most %(num)s rows can be imported at once.", num=MAX_ROWS))
    return table


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 14 as 14.0
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]  # a date cell
    return _CONTROL.sub("", str(value)).strip()


def _table(lines: list[list[object]]) -> Table:
    if not lines:
        raise TableError(_l("The file is empty."))
    columns = [_cell(c).lower() for c in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        values = [_cell(c) for c in line]
        if not any(values):
            continue  # blank lines at the end of a sheet
        rows.append((number, {k: v for k, v in zip(columns, values, strict=False) if k}))
    return Table(columns, rows)


def _csv(raw: bytes) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            _l("The file must be CSV saved as UTF-8, or an Excel (XLSX) file.")
        ) from exc
    reader = csv.reader(io.StringIO(text))
    try:
        return _table(list(reader))
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        line = reader.line_num
        raise TableError(
            _l("Line %(line)s of the file cannot be read: a cell is too long.", line=line)
        ) from exc


def _unpacked_size(raw: bytes) -> int:
    """What an XLSX (a zip) unpacks to, read from its directory without unpacking it."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return sum(member.file_size for member in archive.infolist())


def _xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        if _unpacked_size(raw) > MAX_UNPACKED:  # a "zip bomb" would take the worker's memory
            raise TableError(_l("The file is larger than 2 MB."))
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(_l("The file could not be read as an Excel (XLSX) workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        lines = [list(row) for row in islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2)]
    finally:
        book.close()
    return _table(lines)
