"""The authoring format: parsing, sections, anchors, rendering and sanitising."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from lms.content.library import ContentLibrary
from lms.content.render import LinkContext, heading_anchors, render, slugify
from lms.content.source import fingerprint, parse_doc
from tests.conftest import write_module


def plain_context(translate=lambda m: m) -> LinkContext:  # noqa: ANN001
    return LinkContext(
        link_for=lambda slug, anchor: f"/to/{slug or 'here'}#{anchor}",
        asset_url=lambda path: f"/files/{path}",
        translate=translate,
    )


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Input tax credit (ITC)", "input-tax-credit-itc"),
        ("ই-ওয়ে বিল", "ই-ওয়ে-বিল"),
        ("কি", "কি"),
        ("কা", "কা"),
        ("GST: 5% or 18%?", "gst-5-or-18"),
        ("মূসক-৬.৩ চালান", "মূসক-৬৩-চালান"),
    ],
)
def test_anchors_keep_every_bengali_letter_and_vowel_sign(heading: str, anchor: str) -> None:
    assert slugify(heading) == anchor
    assert heading_anchors(f"## {heading}") == [anchor]


def test_vowel_signs_keep_anchors_apart() -> None:
    assert slugify("কি") != slugify("কা")
    assert heading_anchors("## কি\n\n## কা") == ["কি", "কা"]


def test_sections_split_at_level_two_headings_outside_code(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\nsummary: S\nobjectives: [a]\n---\nIntro\n\n"
        "## One\nA\n```\n## not a heading\n```\n## Two\nB\n"
    )
    doc = parse_doc(text, tmp_path / "en.md", "en")
    assert [s.title for s in doc.sections] == ["", "One", "Two"]
    assert [s.first_line for s in doc.sections] == [6, 8, 13]
    assert doc.sections[0].markdown.strip() == "Intro"
    assert "## not a heading" in doc.sections[1].markdown
    assert [s.index for s in doc.pages] == [1, 2]
    assert doc.front == {"title": "T", "summary": "S", "objectives": ["a"]}


def test_rendering_supports_the_authoring_features() -> None:
    html = render(
        "## Costs\n\n| Item | ₹ |\n|:--|--:|\n| Leather | 450 |\n\n"
        "Hide[^1] and [next](#costs) and [gst](module:gst-vat#itc) ![A wallet](assets/w.png)\n\n"
        '!!! tip\n    Weigh the hides.\n\n!!! warning "Gas in pits"\n    Never enter alone.\n\n'
        "CETP\n: Common effluent treatment plant\n\nPara\n{: .note }\n\n[^1]: Salted hide.\n",
        plain_context(),
    )
    assert '<th align="left">Item</th>' in html and '<td align="right">450</td>' in html
    assert '<sup id="fnref:1">' in html and '<li id="fn:1">' in html
    assert 'href="/to/here#costs"' in html and 'href="/to/gst-vat#itc"' in html
    assert '<img alt="A wallet" decoding="async" loading="lazy" src="/files/assets/w.png">' in html
    assert '<p class="admonition-title">Tip</p>' in html
    assert '<p class="admonition-title">Gas in pits</p>' in html
    assert "<dt>CETP</dt>" in html and "<dd>Common effluent treatment plant</dd>" in html
    assert '<p class="note">Para</p>' in html


def test_call_out_titles_are_in_the_texts_language() -> None:
    bengali = {"Tip": "পরামর্শ", "Warning": "সতর্কতা"}
    html = render(
        "!!! tip\n    x\n\n!!! warning\n    y\n", plain_context(lambda m: bengali.get(m, m))
    )
    assert '<p class="admonition-title">পরামর্শ</p>' in html
    assert '<p class="admonition-title">সতর্কতা</p>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        "<style>body{display:none}</style>",
        '<p style="position:fixed">x</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<form action="https://evil.example"><input name="password"></form>',
        '<div onclick="steal()">x</div>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_authors_cannot_inject_script_styles_or_handlers(hostile: str) -> None:
    html = render(f"Text\n\n{hostile}\n", plain_context()).lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<style",
        "style=",
        "<iframe",
        "<form",
        "<input",
        "<svg",
        "alert(1)",
    ):
        assert forbidden not in html, (hostile, html)


def test_library_rereads_a_changed_file_without_restart(tmp_path: Path) -> None:
    folder = write_module(tmp_path, "tanning")
    library = ContentLibrary(tmp_path)
    assert library.get("tanning").docs["en"].title == "Test module"
    path = folder / "en.md"
    path.write_text(path.read_text().replace("title: Test module", "title: Changed title"))
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert library.get("tanning").docs["en"].title == "Changed title"


def test_fingerprint_ignores_line_endings() -> None:
    assert fingerprint("a\r\nb\n") == fingerprint("a\nb\n")
    assert fingerprint("a\nb\n") != fingerprint("a\nc\n")
    assert len(fingerprint("x")) == 12


def test_module_falls_back_to_the_next_language(app: Flask, tmp_path: Path) -> None:
    write_module(tmp_path / "content", "m", bn="auto")
    module = ContentLibrary(tmp_path / "content").get("m")
    assert module.doc(["bn_BD", "bn"]).locale == "bn"
    assert module.doc(["bn_BD"]).locale == "en"
    assert module.usable
