"""Module tables scroll inside a labelled box on narrow screens (issue 16.5)."""

from __future__ import annotations

from lms.content.render import TABLE_HINT, TABLE_LABEL, LinkContext, render, wrap_tables

RATE_TABLE = """\
| Item | HSN | Rate | Cess |
|------|-----|-----:|------|
| Finished leather | 4107 | 5% | none |
| Footwear <script>alert(1)</script> | 6403 | 18% | none |
"""


def context() -> LinkContext:
    return LinkContext(
        link_for=lambda slug, anchor: None,
        asset_url=lambda path: None,
        translate=lambda message: f"[{message}]",
    )


def test_table_is_wrapped_after_sanitising() -> None:
    html = render(RATE_TABLE, context())
    opening = html.index('<div class="table-scroll" role="region" tabindex="0"')
    assert opening < html.index("<table") < html.index("</table></div>")
    assert f'aria-label="[{TABLE_LABEL}]"' in html
    assert f'data-hint="[{TABLE_HINT}]"' in html


def test_table_text_is_kept_and_still_sanitised() -> None:
    html = render(RATE_TABLE, context())
    for text in ("Finished leather", "4107", "18%", "Cess", 'align="right"'):
        assert text in html
    assert "<script" not in html


def test_every_table_gets_one_wrapper_and_text_without_tables_none() -> None:
    html = render(RATE_TABLE + "\nBetween.\n\n" + RATE_TABLE, context())
    assert html.count('class="table-scroll"') == html.count("<table") == 2
    assert html.count("</table></div>") == 2
    assert "table-scroll" not in render("Just a paragraph.", context())


def test_label_and_hint_are_escaped() -> None:
    html = wrap_tables("<table></table>", 'a"><script>', "<b>")
    assert "<script>" not in html and "<b>" not in html
    assert 'aria-label="a&#34;&gt;&lt;script&gt;"' in html
