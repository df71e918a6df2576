"""Pictures and diagrams in modules (issue 16.12): diagrams written in each language's Markdown
and drawn as SVG; pictures beside the text checked (there, alt text, light) and loaded lazily
with their size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from lms.content import diagrams
from lms.content.checker import check_library
from lms.content.library import ContentLibrary
from lms.content.render import LinkContext, render
from tests.conftest import login, write_module

BENGALI = "০১২৩৪৫৬৭৮৯"
STEPS = """\
```diagram steps
title: From order to payment
alt: Three steps of an export order.
- Buyer's order | price, size, date
- Make and ship <script>alert(1)</script>
- Payment received
```"""
CYCLE = """\
~~~diagram cycle
title: The monthly return
alt: Three steps that repeat every month.
- Issue invoices
- File the return | by the {fact:day}th
- Pay the tax
~~~"""


def _context(**kw) -> LinkContext:  # noqa: ANN003
    return LinkContext(
        link_for=lambda slug, anchor: None,
        asset_url=lambda path: f"/files/{path}",
        translate=lambda message: message,
        **kw,
    )


def test_a_steps_diagram_is_drawn_with_its_labels_escaped() -> None:
    html = render(f"Before.\n\n{STEPS}\n\nAfter.", _context(number=lambda n: BENGALI[n]))
    figure = re.search(r'<figure class="diagram diagram-steps">.*?</figure>', html, re.S)
    assert figure, html
    svg = figure.group(0)
    assert svg.count('class="dg-box"') == 3 and svg.count('class="dg-arrow"') == 2
    assert "<title" in svg and "From order to payment</title>" in svg
    assert "Three steps of an export order.</desc>" in svg
    assert ">১</text>" in svg and ">৩</text>" in svg and ">1</text>" not in svg
    assert "&lt;script&gt;" in svg and "<script>" not in html
    assert "<figcaption>From order to payment</figcaption>" in svg
    assert "<p>Before.</p>" in html and "<p>After.</p>" in html
    assert "lmsdiagram" not in html and "<code>" not in html


def test_a_cycle_loops_back_and_two_diagrams_have_their_own_ids() -> None:
    html = render(f"{CYCLE}\n\n{STEPS}", _context())
    assert html.count("<figure") == 2 and 'class="dg-arrow dg-loop"' in html
    ids = re.findall(r'<marker id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 2


def test_long_labels_wrap_inside_the_box() -> None:
    long = "ফাইল করুন জিএসটিআর-৩বি এবং কর জমা দিন প্রতি মাসে নিয়ম মেনে"
    lines = diagrams.wrap(long, diagrams.LABEL_SIZE, 250)
    assert len(lines) >= 2 and " ".join(lines) == long
    assert all(diagrams.text_width(line, diagrams.LABEL_SIZE) <= 250 for line in lines)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (STEPS.replace("diagram steps", "diagram tree"), "diagram kind tree: use steps or cycle"),
        (STEPS.replace("alt: Three steps of an export order.\n", ""), "diagram needs a alt:"),
        (
            "```diagram cycle\ntitle: T\nalt: A\n- one\n- two\n```",
            "diagram cycle needs 3 to 8 items, not 2",
        ),
        (STEPS.replace("- Payment received", "Payment received"), "diagram line not understood"),
        (STEPS.rsplit("\n", 1)[0], "diagram block is never closed"),
    ],
)
def test_a_bad_diagram_is_reported_at_its_line_and_shown_as_written(
    app: Flask, tmp_path: Path, block: str, expected: str
) -> None:
    body = (
        f"---\ntitle: T\nsummary: S\nobjectives: [a]\n---\n\n## First\n\n{block}\n\n## Two\n\nx\n"
    )
    write_module(tmp_path, "x", en=body)
    with app.app_context():
        found = [p.format(tmp_path) for p in check_library(ContentLibrary(tmp_path))]
        html = render(block, _context())
    assert any(expected in line and line.startswith("x/en.md:") for line in found), found
    assert "<figure" not in html


def test_the_checker_knows_the_facts_inside_a_diagram(app: Flask, tmp_path: Path) -> None:
    body = f"---\ntitle: T\nsummary: S\nobjectives: [a]\n---\n\n## First\n\n{CYCLE}\n"
    write_module(tmp_path, "x", en=body)
    with app.app_context():
        found = [p.format(tmp_path) for p in check_library(ContentLibrary(tmp_path))]
    assert any(line.startswith("x/en.md:13: error: unknown fact day") for line in found), found


def _picture(path: Path, size: tuple[int, int] = (40, 30), noise: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, "white")
    if noise:
        image = Image.frombytes("RGB", size, __import__("os").urandom(size[0] * size[1] * 3))
    image.save(path)


def _problems(app: Flask, root: Path) -> list[str]:
    with app.app_context():
        return [p.format(root) for p in check_library(ContentLibrary(root))]


PICTURE = "---\ntitle: T\nsummary: S\nobjectives: [a]\n---\n\n## First\n\n{line}\n"


def test_pictures_must_exist_be_light_and_of_a_shown_kind(app: Flask, tmp_path: Path) -> None:
    folder = write_module(
        tmp_path,
        "x",
        en=PICTURE.format(
            line="![A drum](images/drum.png) ![Heavy](images/big.png) "
            "![Gone](images/gone.webp) ![Odd](images/x.bmp)"
        ),
    )
    _picture(folder / "images" / "drum.png")
    _picture(folder / "images" / "big.png", (200, 200), noise=True)  # about 120 KB
    _picture(folder / "images" / "x.bmp")
    found = _problems(app, tmp_path)
    assert not any("drum.png" in line for line in found), found
    assert any("images/big.png weighs 118 KB: at most 60 KB" in line for line in found), found
    assert any(
        "images/gone.webp: no such file in this module's images folder" in line for line in found
    ), found
    assert any("images/x.bmp: use a WebP, SVG, PNG or JPEG picture" in line for line in found)


def test_a_translation_without_the_picture_is_warned(app: Flask, tmp_path: Path) -> None:
    from lms.content.source import fingerprint

    english = PICTURE.format(line="![A drum](images/drum.png)")
    bengali = (
        f"---\ntitle: ক\nsummary: খ\nobjectives: [গ]\ntranslated_from: {fingerprint(english)}\n"
        "---\n\n## প্রথম\n\nছবি নেই।\n"
    )
    folder = write_module(tmp_path, "x", en=english, bn=bengali)
    _picture(folder / "images" / "drum.png")
    found = _problems(app, tmp_path)
    assert any(
        line.startswith("x/bn.md:1: warning: image images/drum.png (en.md line 9)")
        for line in found
    ), found


def test_a_picture_loads_lazily_with_its_size_and_is_served(
    make_app,
    tmp_path: Path,
    make_user,  # noqa: ANN001
) -> None:
    root = tmp_path / "content"
    folder = write_module(root, "x", en=PICTURE.format(line="![A drum](images/drum.png)"))
    _picture(folder / "images" / "drum.png", (64, 48))
    app = make_app(LMS_CONTENT_DIR=str(root))
    client: FlaskClient = app.test_client()
    with app.app_context():
        from lms.accounts.services import create_user

        create_user("ria@example.org", "Ria", "a long password 1")
    login(client, "ria@example.org", password="a long password 1")
    page = client.get("/modules/x/1").get_data(as_text=True)
    image = re.search(r"<img [^>]*>", page)
    assert image, page
    tag = image.group(0)
    for attribute in (
        'alt="A drum"',
        'width="64"',
        'height="48"',
        'loading="lazy"',
        'src="/modules/x/images/drum.png"',
    ):
        assert attribute in tag, tag
    with client.get("/modules/x/images/drum.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
    assert client.get("/modules/x/images/../module.yaml").status_code == 404


@pytest.mark.parametrize(
    ("country", "title"),
    [("IN", "GST for leather businesses"), ("BD", "VAT for leather businesses")],
)
def test_a_reader_sees_the_title_of_their_country(
    make_app,
    tmp_path: Path,
    country: str,
    title: str,  # noqa: ANN001
) -> None:
    """The module page, the section's crumbs and the test's crumbs say what the certificate
    prints: the text's ``title_IN`` / ``title_BD``."""
    import shutil

    shipped = Path(__file__).resolve().parents[1] / "modules_content"
    root = tmp_path / "content"
    shutil.copytree(shipped / "gst-vat", root / "gst-vat")
    shutil.copytree(shipped / "facts", root / "facts")
    app = make_app(LMS_CONTENT_DIR=str(root))
    with app.app_context():
        from lms.accounts.services import create_user

        create_user("ria@example.org", "Ria", "a long password 1", country=country)
    client = app.test_client()
    login(client, "ria@example.org", password="a long password 1")
    module = client.get("/modules/gst-vat").get_data(as_text=True)
    assert re.search(rf"<h1[^>]*>{title}</h1>", module), module[:2000]
    section = client.get("/modules/gst-vat/1").get_data(as_text=True)
    assert f">{title}</a>" in section
