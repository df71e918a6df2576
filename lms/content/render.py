"""Markdown to safe HTML: Python-Markdown with the authoring extensions, then nh3."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor
from markupsafe import escape

from ..i18n import N_
from .diagrams import extract as extract_diagrams
from .diagrams import insert as insert_diagrams
from .images import FOLDERS

#: Call-out types with a default title in the reader's language.
CALLOUT_TITLES = {
    "tip": N_("Tip"),
    "note": N_("Note"),
    "warning": N_("Warning"),
    "danger": N_("Danger"),
    "example": N_("Example"),
    "checklist": N_("Checklist"),
    "important": N_("Important"),
}
#: Read out by screen readers on a table that scrolls sideways on narrow screens.
TABLE_LABEL = N_("Table: scroll sideways to see every column")
#: The visible cue above a table on a narrow screen (shown by CSS only when it can scroll).
TABLE_HINT = N_("Scroll sideways →")
#: Shown instead of a section Python-Markdown cannot parse (lists or quotes nested ~250 deep).
TOO_DEEP = N_("This part is nested too deeply to be shown. Please tell the author.")

_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"map", "area", "center", "acronym", "strike", "tt"}
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


def slugify(value: str, separator: str = "-") -> str:
    """Heading anchors that keep every letter, vowel sign and digit of any script.

    Python-Markdown's ``slugify_unicode`` drops combining marks, so Bengali ``কি`` and ``কা``
    would both become ``ক``. Punctuation is dropped; spaces and hyphens become ``separator``.
    """
    kept = []
    for char in unicodedata.normalize("NFC", value).lower():
        category = unicodedata.category(char)
        if category[0] in "LMN" or char in "\u200c\u200d":
            kept.append(char)
        elif char.isspace() or char in "-_":
            kept.append(" ")
    return separator.join("".join(kept).split())


def sanitize(html: str) -> str:
    """Only the tags and attributes Markdown produces: no script, style or event handlers."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@dataclass
class LinkContext:
    """How links and images in one document become URLs (``None``: leave as written)."""

    link_for: Callable[[str | None, str | None], str | None]
    asset_url: Callable[[str], str | None]
    translate: Callable[[str], str]
    #: A step number of a diagram in the reader's digits.
    number: Callable[[int], str] = str
    #: A picture's width and height in pixels (``images/x.webp``), to keep its room.
    image_size: Callable[[str], tuple[int, int] | None] = lambda _path: None


class _Rewrite(Treeprocessor):
    def __init__(self, md: markdown.Markdown, context: LinkContext) -> None:
        super().__init__(md)
        self.context = context

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                self._link(element)
            elif element.tag == "img":
                self._image(element)
            elif element.tag == "div" and "admonition" in element.get("class", "").split():
                self._callout_title(element)

    def _image(self, element: etree.Element) -> None:
        """A picture beside the text: its URL, its size (kept while it loads), loaded lazily."""
        src = element.get("src", "")
        if src.startswith(FOLDERS):
            element.set("src", self.context.asset_url(src) or src)
            size = self.context.image_size(src)
            if size is not None:
                element.set("width", str(size[0]))
                element.set("height", str(size[1]))
        element.set("loading", "lazy")
        element.set("decoding", "async")

    def _link(self, element: etree.Element) -> None:
        href = element.get("href", "")
        target: str | None = None
        if href.startswith("module:"):
            slug, _, anchor = href[len("module:") :].partition("#")
            target = self.context.link_for(slug, anchor or None)
        elif href.startswith("#") and not href.startswith(("#fn:", "#fnref:")):
            target = self.context.link_for(None, href[1:])
        elif href.startswith(FOLDERS):
            target = self.context.asset_url(href)
        if target is not None:
            element.set("href", target)

    def _callout_title(self, element: etree.Element) -> None:
        kinds = [c for c in element.get("class", "").split() if c != "admonition"]
        title = next((c for c in element if c.get("class") == "admonition-title"), None)
        if not kinds or title is None:
            return
        default = CALLOUT_TITLES.get(kinds[0])
        if default is not None and (title.text or "").strip() == kinds[0].capitalize():
            title.text = self.context.translate(default)


class _LMSExtension(Extension):
    def __init__(self, context: LinkContext) -> None:
        super().__init__()
        self.context = context

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_Rewrite(md, self.context), "lms-rewrite", 1)


def _extensions() -> list[object]:
    return [
        "tables",
        "footnotes",
        "admonition",
        "attr_list",
        "def_list",
        "sane_lists",
        "fenced_code",
        TocExtension(slugify=slugify, permalink=False, toc_depth="2-4"),
    ]


_TABLE_OPEN = re.compile(r"<table\b")


def wrap_tables(html: str, label: str, hint: str) -> str:
    """Put each table of sanitised ``html`` in a focusable box that scrolls sideways.

    Runs after ``sanitize`` (which would strip ``role`` and ``tabindex``); ``label`` and ``hint``
    are escaped here, so the result stays safe.
    """
    opening = (
        f'<div class="table-scroll" role="region" tabindex="0" '
        f'aria-label="{escape(label)}" data-hint="{escape(hint)}"><table'
    )
    return _TABLE_OPEN.sub(opening, html).replace("</table>", "</table></div>")


def render(text: str, context: LinkContext) -> str:
    """One Markdown section as sanitised HTML."""
    md = markdown.Markdown(
        extensions=[*_extensions(), _LMSExtension(context)],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "footnotes": {"BACKLINK_TITLE": context.translate(N_("Back to the text"))},
        },
    )
    text, diagrams, key = extract_diagrams(text)
    try:
        html = sanitize(md.convert(text))
    except RecursionError:  # a message for the reader, not a server error
        return f"<p>{escape(context.translate(TOO_DEEP))}</p>"
    html = wrap_tables(html, context.translate(TABLE_LABEL), context.translate(TABLE_HINT))
    return insert_diagrams(html, diagrams, key, context.number)


def heading_anchors(text: str) -> list[str]:
    """The anchors the headings of ``text`` get when rendered (the same rules as ``render``)."""
    md = markdown.Markdown(extensions=_extensions())
    try:
        md.convert(text)
    except RecursionError:  # nested too deeply: render() shows a message instead
        return []
    found: list[str] = []

    def walk(tokens: list[dict]) -> None:  # type: ignore[type-arg]
        for token in tokens:
            found.append(token["id"])
            walk(token["children"])

    walk(md.toc_tokens)  # type: ignore[attr-defined]
    return found
