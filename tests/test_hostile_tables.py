"""Imports that would take a worker's memory or time: an XLSX that is small to upload but unpacks
to tens of megabytes, a sheet that declares a million rows or 16,384 columns while holding a few
cells, CSV with too many rows, columns or lines, and damaged workbooks. Each is refused in the
user's language, within bounded work, and nothing is saved (imports are all or nothing).

Already covered: tests/test_programme_records.py (2 MB uploads, an 80 MB zip bomb, formulas),
tests/test_hostile_names.py (control characters and formulas in cells).
"""

from __future__ import annotations

import html
import http.client
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lms.db import db
from lms.i18n import gettext_in
from lms.programme.models import Enterprise
from lms.programme.records import tables
from tests.conftest import PASSWORD, csrf_token, login
from tests.processes import Browser, Gunicorn, server_env

IMPORT = "/programme/enterprises/import"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

UNPACKS = "The Excel file would unpack to more than %(num)s MB: keep only the rows to import, or save it as CSV."  # noqa: E501
TIGHT = (
    "This is not an ordinary Excel workbook (it is packed unusually tightly): "
    "save it again from your spreadsheet program, or as CSV."
)
ROWS = "At most %(num)s rows can be imported at once."
COLUMNS = (
    "Row %(row)s has more than %(num)s columns: delete the columns that are not imported and "
    "try again."
)
UNREADABLE = "The file could not be read as an Excel (XLSX) workbook."


# Workbooks written by hand: openpyxl's own, with a part replaced.


def _workbook(parts: dict[str, bytes]) -> bytes:
    from openpyxl import Workbook

    plain = io.BytesIO()
    Workbook().save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for name in source.namelist():
            if name not in parts:
                target.writestr(name, source.read(name))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _sheet(rows: str, dimension: str = "") -> dict[str, bytes]:
    ref = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = f'<?xml version="1.0"?><worksheet {MAIN}>{ref}<sheetData>{rows}</sheetData></worksheet>'
    return {"xl/worksheets/sheet1.xml": xml.encode()}


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER = f'<row r="1">{_text("A1", "name")}{_text("B1", "segment")}</row>'


def _row(number: int, name: str) -> str:
    return f'<row r="{number}">{_text(f"A{number}", name)}{_text(f"B{number}", "footwear")}</row>'


def shared_strings_bomb(count: int) -> bytes:
    """A header cell and ``count`` one-letter shared strings: about 17 bytes each unpacked."""
    strings = "<si><t>a</t></si>" * count
    sst = f'<?xml version="1.0"?><sst {MAIN} count="{count}" uniqueCount="{count}">{strings}</sst>'
    return _workbook(
        {
            **_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
            "xl/sharedStrings.xml": sst.encode(),
        }
    )


def unpacked(raw: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return sum(part.file_size for part in archive.infolist())


# The web import, as an admin whose language is Bengali.


@pytest.fixture
def admin(app: Flask, make_user) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("admin", locale="bn").email)
    return client


def _upload(client: FlaskClient, raw: bytes, name: str, status: int = 200) -> str:
    token = csrf_token(client, IMPORT)
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(raw), name)}
    )
    response = client.post(
        IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == status
    return html.unescape(response.get_data(as_text=True))


def bengali(app: Flask, message: str, **numbers: str) -> str:
    """``message`` as a Bengali reader sees it (numbers given in Bengali digits)."""
    with app.app_context():
        return gettext_in("bn", message) % numbers


def _nothing_saved(app: Flask) -> None:
    with app.app_context():
        assert db.session.query(Enterprise).count() == 0


@pytest.fixture
def openpyxl_opens(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times openpyxl was asked to open a workbook."""
    import openpyxl

    calls: list[int] = []
    real = openpyxl.load_workbook

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counted)
    return calls


def test_an_xlsx_packed_like_a_zip_bomb_is_refused_unread(
    app: Flask, admin: FlaskClient, openpyxl_opens: list[int]
) -> None:
    big = shared_strings_bomb(3_350_000)  # 57 MB of shared strings: under the old 64 MB limit
    assert len(big) < 200_000 and 56_000_000 < unpacked(big) < 64 * 2**20
    page = _upload(admin, big, "members.xlsx")
    assert bengali(app, UNPACKS, num="২০") in page
    tight = shared_strings_bomb(900_000)  # 15 MB, packed over 300 times
    assert 10 * 2**20 < unpacked(tight) < tables.MAX_UNPACKED
    page = _upload(admin, tight, "members.xlsx")
    assert bengali(app, TIGHT) in page
    assert openpyxl_opens == []  # refused from the zip directory alone
    _nothing_saved(app)


def _bounded_read(app: Flask, raw: bytes, name: str = "members.xlsx") -> tuple[str, float]:
    """What reading ``raw`` answers (the refusal, in Bengali) and its peak memory in MB."""
    with app.test_request_context(headers={"Cookie": "lms_locale=bn"}):
        tracemalloc.start()
        try:
            tables.read(raw, name)
            answer = "read"
        except tables.TableError as refused:
            answer = str(refused)
        finally:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return answer, peak


def test_a_sheet_declaring_huge_rows_or_columns_is_read_within_bounds(
    app: Flask, admin: FlaskClient
) -> None:
    # 2,000 rows with a cell in the last column, XFD: padded out, 33 million empty cells.
    wide = "".join(
        f'<row r="{n}">{_text(f"A{n}", f"Enterprise {n}")}<c r="XFD{n}"><v>1</v></c></row>'
        for n in range(2, 2002)
    )
    raw = _workbook(_sheet(HEADER + wide, "A1:XFD2001"))
    answer, peak = _bounded_read(app, raw)
    assert answer == bengali(app, COLUMNS, row="২", num="৫০")
    assert peak < 32
    # One cell on the sheet's last row: a million empty rows in between.
    far = HEADER + _row(1_048_576, "Far away")
    answer, peak = _bounded_read(app, _workbook(_sheet(far, "A1:B1048576")))
    assert answer == bengali(app, ROWS, num="১০,০০০")
    assert peak < 32
    page = _upload(admin, raw, "members.xlsx")
    assert bengali(app, COLUMNS, row="২", num="৫০") in page
    _nothing_saved(app)


def test_blank_rows_do_not_hide_the_rows_after_them(app: Flask, admin: FlaskClient) -> None:
    """Up to the cap, blank lines are skipped, never the rows after them."""
    rows = HEADER + "".join(_row(n, f"Enterprise {n}") for n in range(12_000, 12_003))
    _upload(admin, _workbook(_sheet(rows)), "members.xlsx", status=302)  # imported
    with app.app_context():
        names = sorted(e.name for e in db.session.query(Enterprise))
    assert names == ["Enterprise 12000", "Enterprise 12001", "Enterprise 12002"]


def test_csv_has_the_same_caps(app: Flask, admin: FlaskClient) -> None:
    many = "name,segment\n" + "".join(f"E{n},footwear\n" for n in range(tables.MAX_ROWS + 1))
    wide = "name,segment" + ",note" * 60 + "\nE1,footwear" + ",x" * 60 + "\n"
    blank = "name,segment\n" + "\n" * 60_000 + "E1,footwear\n"
    for text, expected in [
        (many, bengali(app, ROWS, num="১০,০০০")),
        (wide, bengali(app, COLUMNS, row="১", num="৫০")),
        (blank, bengali(app, ROWS, num="১০,০০০")),
    ]:
        assert len(text.encode()) < tables.MAX_UPLOAD
        assert expected in _upload(admin, text.encode(), "members.csv")
    _nothing_saved(app)


@pytest.mark.parametrize(
    "parts",
    [
        {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"},
        {"xl/workbook.xml": b"<workbook"},
        _sheet('<row r="1"><c r="ABCDE1"><v>1</v></c></row>'),
    ],
    ids=["unclosed sheet", "unclosed workbook", "made-up column"],
)
def test_a_damaged_workbook_is_refused_clearly(
    app: Flask, admin: FlaskClient, parts: dict[str, bytes]
) -> None:
    assert bengali(app, UNREADABLE) in _upload(admin, _workbook(parts), "members.xlsx")
    _nothing_saved(app)


# Over HTTP, on gunicorn: the bomb as a browser uploads it.


@pytest.fixture
def server(app: Flask, tmp_path: Path) -> Iterator[Gunicorn]:
    gunicorn = Gunicorn(server_env(app), tmp_path / "gunicorn.log", workers=1)
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


def test_the_bomb_uploaded_to_gunicorn_is_refused_at_once(
    app: Flask, server: Gunicorn, make_user: Callable[..., object]
) -> None:
    browser = Browser(server.port)
    email = make_user("admin", locale="bn").email
    form = {"email": email, "password": PASSWORD, "csrf_token": browser.token("/login")}
    assert browser.request("POST", "/login", form)[0] == 302
    boundary, body = encode_multipart(
        {
            "csrf_token": browser.token(IMPORT),
            "file": FileStorage(io.BytesIO(shared_strings_bomb(3_350_000)), "members.xlsx"),
        }
    )
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        conn.request(
            "POST",
            IMPORT,
            body=body,
            headers={
                "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        response = conn.getresponse()
        page = html.unescape(response.read().decode())
    finally:
        conn.close()
    assert response.status == 200
    assert bengali(app, UNPACKS, num="২০") in page
    assert time.monotonic() - started < 10  # a generous guard: it took 23 s and 1.5 GB
    _nothing_saved(app)
