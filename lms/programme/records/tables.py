"""Reading an uploaded table (CSV saved as UTF-8, or an Excel XLSX workbook's first sheet) into
rows of text keyed by lower-case column names."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ...i18n import _l, lazy_number

#: Uploads larger than this are refused before they are parsed.
MAX_UPLOAD = 2 * 1024 * 1024
#: An XLSX upload may unpack to at most this much, as its zip directory declares (zipfile stops
#: at the declared size). A sheet of 10,000 rows of the import's columns unpacks to about 5 MB.
MAX_UNPACKED = 20 * 1024 * 1024
#: A part of an XLSX larger than ``_RATIO_FROM`` may be at most this many times its packed size
#: (spreadsheets pack 5 to 20 times; a "zip bomb" packs hundreds or thousands of times).
MAX_RATIO = 100
_RATIO_FROM = 1024 * 1024
#: An XLSX has about ten parts; thousands would be an archive, not a workbook.
MAX_PARTS = 1000
#: At most this many rows per import (a programme's whole beneficiary list fits).
MAX_ROWS = 10_000
#: Lines read at most, blank ones included (a sheet can declare a million empty rows).
MAX_LINES = 5 * MAX_ROWS
#: At most this many columns (the imports have seven; the rest of a sheet is notes at most).
MAX_COLUMNS = 50
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
    """The table in ``raw``, or :class:`TableError`. Work and memory are bounded: the upload's
    size, what an XLSX unpacks to, and the rows and columns read are all capped."""
    if not raw:
        raise TableError(_l("Choose a CSV or Excel (XLSX) file."))
    if len(raw) > MAX_UPLOAD:
        raise TableError(
            _l("The file is larger than %(num)s MB.", num=lazy_number(MAX_UPLOAD // (1024 * 1024)))
        )
    is_xlsx = filename.lower().endswith(".xlsx") or raw[:2] == b"PK"
    return _xlsx(raw) if is_xlsx else _csv(raw)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 14 as 14.0
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]  # a date cell
    return _CONTROL.sub("", str(value)).strip()


def _too_many_rows() -> TableError:
    return TableError(
        _l("At most %(num)s rows can be imported at once.", num=lazy_number(MAX_ROWS))
    )


def _values(number: int, line: Sequence[object]) -> list[str]:
    values = [_cell(c) for c in line]
    if any(values[MAX_COLUMNS:]):
        raise TableError(
            _l(
                "Row %(row)s has more than %(num)s columns: delete the columns that are not "
                "imported and try again.",
                row=lazy_number(number),
                num=lazy_number(MAX_COLUMNS),
            )
        )
    return values[:MAX_COLUMNS]


def _table(lines: Iterator[Sequence[object]]) -> Table:
    """Rows from ``lines`` (the first names the columns), read one at a time and never more
    than the caps allow."""
    header = next(lines, None)
    if header is None:
        raise TableError(_l("The file is empty."))
    columns = [value.lower() for value in _values(1, header)]
    rows = []
    for number, line in enumerate(lines, start=2):
        if number > MAX_LINES:
            raise _too_many_rows()
        values = _values(number, line)
        if not any(values):
            continue  # blank lines at the end of a sheet
        rows.append((number, {k: v for k, v in zip(columns, values, strict=False) if k}))
        if len(rows) > MAX_ROWS:
            raise _too_many_rows()
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
        return _table(reader)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        line = reader.line_num
        raise TableError(
            _l(
                "Line %(line)s of the file cannot be read: a cell is too long.",
                line=lazy_number(line),
            )
        ) from exc


def _check_archive(raw: bytes) -> None:
    """Refuse, from the zip directory alone, an XLSX that would unpack to too much."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        parts = archive.infolist()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise TableError(
            _l(
                "The Excel file would unpack to more than %(num)s MB: keep only the rows to "
                "import, or save it as CSV.",
                num=lazy_number(MAX_UNPACKED // (1024 * 1024)),
            )
        )
    packed_tightly = any(
        part.file_size > _RATIO_FROM and part.file_size > MAX_RATIO * part.compress_size
        for part in parts
    )
    if packed_tightly or len(parts) > MAX_PARTS:
        raise TableError(
            _l(
                "This is not an ordinary Excel workbook (it is packed unusually tightly): "
                "save it again from your spreadsheet program, or as CSV."
            )
        )


#: What openpyxl raises on a damaged or made-up workbook (XML parse errors are SyntaxErrors).
_UNREADABLE = (
    AttributeError,
    EOFError,
    IndexError,
    KeyError,
    OSError,
    SyntaxError,
    TypeError,
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
)


def _xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        _check_archive(raw)  # before openpyxl reads anything: a "zip bomb" takes the memory
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except _UNREADABLE as exc:
        raise TableError(_l("The file could not be read as an Excel (XLSX) workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        # The cells as written, not padded out to the size the sheet declares (which can be a
        # million rows by 16,384 columns while holding a few cells).
        sheet.reset_dimensions()
        return _table(iter(sheet.iter_rows(values_only=True)))
    except _UNREADABLE as exc:
        raise TableError(_l("The file could not be read as an Excel (XLSX) workbook.")) from exc
    finally:
        book.close()
