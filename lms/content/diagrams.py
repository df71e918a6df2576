"""Diagrams written in a module's Markdown and drawn by the project as SVG (issue 16.12).

A diagram is a fenced block whose info string is ``diagram steps`` or ``diagram cycle``::

    ```diagram cycle
    title: The monthly GST cycle
    alt: Four steps that repeat every month, from invoices to paying the tax.
    - Issue tax invoices | every sale
    - File GSTR-1 | by the 11th
    ```

Its labels sit in each language's own Markdown file, so a Bengali reader gets Bengali labels,
facts (``{fact:ID}``) are filled in like the rest of the text, and a translation that lags behind
is reported like any other. ``steps`` is drawn top to bottom with arrows (a process that ends);
``cycle`` the same with an arrow from the last step back to the first (a process that repeats).
Boxes stack vertically, so a diagram reads on a 360 px phone as well as on a projector; the SVG
uses classes (styled by ``lms.css``) and presentation attributes only, so a strict CSP holds.
Labels are escaped here: the SVG is added after the page's HTML is sanitised.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from markupsafe import escape

from ..i18n import _l

#: Kinds of diagram and how many items each may have.
KINDS = {"steps": (2, 8), "cycle": (3, 8)}
OPENING = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*diagram\b\s*(?P<kind>\S*)\s*$")
_ITEM = re.compile(r"^\s*[-*]\s+(?P<label>[^|]*?)\s*(?:\|\s*(?P<note>.*?)\s*)?$")
_FIELD = re.compile(r"^\s*(?P<key>title|alt)\s*:\s*(?P<value>.*?)\s*$")
#: What a Markdown paragraph holding only the placeholder of diagram ``n`` looks like after
#: rendering (the token is plain letters and digits, so Markdown and nh3 leave it alone).
_TOKEN = "lmsdiagram{key}x{n}"
#: Longer labels and notes make boxes hard to read on a phone (warnings, not errors).
LABEL_MAX, NOTE_MAX = 40, 60

# Geometry, in the SVG's own units (the drawing is scaled to the column's width).
WIDTH = 340
BOX_LEFT = 44  # room for the step number
LOOP = 26  # room on the right for the cycle's arrow back to the start
LABEL_SIZE, NOTE_SIZE = 16, 13
LABEL_LINE, NOTE_LINE = 20, 17
PAD = 10
GAP = 26  # between boxes: the arrow


@dataclass
class Diagram:
    kind: str
    line: int  # of the opening fence, counted from 0 in the text it came from
    title: str = ""
    alt: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[int, str, object]] = field(default_factory=list)  # (line, level, msg)


def _parse(kind: str, first: int, lines: list[str]) -> Diagram:
    diagram = Diagram(kind, first)
    if kind not in KINDS:
        diagram.problems.append(
            (first, "error", _l("diagram kind %(kind)s: use steps or cycle", kind=kind or "?"))
        )
    for offset, line in enumerate(lines, first + 1):
        if not line.strip():
            continue
        found = _FIELD.match(line)
        item = _ITEM.match(line)
        if found:
            setattr(diagram, found.group("key"), found.group("value"))
        elif item and item.group("label"):
            label, note = item.group("label"), item.group("note") or ""
            diagram.items.append((label, note))
            if len(label) > LABEL_MAX or len(note) > NOTE_MAX:
                diagram.problems.append((offset, "warning", _l("diagram label or note too long")))
        else:
            diagram.problems.append(
                (offset, "error", _l("diagram line not understood: title:, alt: or - item"))
            )
    _check_whole(diagram)
    return diagram


def _check_whole(diagram: Diagram) -> None:
    at = diagram.line
    for name in ("title", "alt"):
        if not getattr(diagram, name):
            diagram.problems.append(
                (at, "error", _l("diagram needs a %(field)s: line", field=name))
            )
    low, high = KINDS.get(diagram.kind, (0, 99))
    if not low <= len(diagram.items) <= high:
        diagram.problems.append(
            (
                at,
                "error",
                _l(
                    "diagram %(kind)s needs %(low)s to %(high)s items, not %(count)s",
                    kind=diagram.kind,
                    low=low,
                    high=high,
                    count=len(diagram.items),
                ),
            )
        )


def find(lines: list[str]) -> Iterator[tuple[Diagram, int]]:
    """Each diagram of ``lines`` and the index of its closing fence (``len(lines)`` when the
    block is never closed, which is a problem of the diagram)."""
    index = 0
    while index < len(lines):
        opening = OPENING.match(lines[index])
        if not opening:
            index += 1
            continue
        fence = opening.group("fence")
        end = next(
            (i for i in range(index + 1, len(lines)) if lines[i].strip().startswith(fence)),
            len(lines),
        )
        diagram = _parse(opening.group("kind"), index, lines[index + 1 : end])
        if end == len(lines):
            diagram.problems.append((index, "error", _l("diagram block is never closed")))
        yield diagram, end
        index = end + 1


def extract(text: str) -> tuple[str, list[Diagram], str]:
    """``text`` with each well-formed diagram replaced by a placeholder paragraph, the
    diagrams, and the key of the placeholders (unique to the text, so no author can fake one)."""
    lines = text.split("\n")
    key = hashlib.sha256(text.encode()).hexdigest()[:10]
    diagrams: list[Diagram] = []
    out: list[str] = []
    last = 0
    for diagram, end in find(lines):
        out.extend(lines[last : diagram.line])
        if any(level == "error" for _line, level, _msg in diagram.problems):
            out.extend(lines[diagram.line : end + 1])  # shown as written: check-content says why
        else:
            out.extend(["", _TOKEN.format(key=key, n=len(diagrams)), ""])
            diagrams.append(diagram)
        last = end + 1
    out.extend(lines[last:])
    return "\n".join(out), diagrams, key


def insert(html: str, diagrams: list[Diagram], key: str, number: Callable[[int], str]) -> str:
    """Put each diagram's figure where ``extract`` left its placeholder in rendered ``html``."""
    for n, diagram in enumerate(diagrams):
        token = _TOKEN.format(key=key, n=n)
        html = html.replace(f"<p>{token}</p>", figure(diagram, f"dg-{key}-{n}", number), 1)
    return html


# Drawing.


def text_width(text: str, size: float) -> float:
    """An estimate of ``text``'s width at font ``size`` (Noto Sans and Noto Sans Bengali)."""
    width = 0.0
    for char in text:
        category = unicodedata.category(char)
        if category == "Mn":  # Bengali vowel signs above/below and the virama take no room
            continue
        if category == "Mc":
            width += 0.45
        elif char == " ":
            width += 0.28
        elif "\u0980" <= char <= "\u09ff":
            width += 0.7
        elif char.isupper() or char in "mwMW%₹৳":
            width += 0.68
        else:
            width += 0.52
    return width * size


def wrap(text: str, size: float, room: float) -> list[str]:
    """``text`` broken into lines at spaces, each at most ``room`` wide when it can be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _text(x: float, y: float, lines: Iterable[str], size: int, step: int, cls: str) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" y="{y + i * step:g}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="{cls}" font-size="{size}">{spans}</text>'


def figure(diagram: Diagram, ident: str, number: Callable[[int], str]) -> str:
    """The diagram as a ``<figure>`` with an inline, accessible SVG."""
    right = WIDTH - (LOOP if diagram.kind == "cycle" else 6)
    room = right - BOX_LEFT - 2 * PAD
    parts: list[str] = []
    boxes: list[tuple[float, float]] = []  # (top, bottom)
    y = 4.0
    for index, (label, note) in enumerate(diagram.items):
        labels = wrap(label, LABEL_SIZE, room)
        notes = wrap(note, NOTE_SIZE, room) if note else []
        height = 2 * PAD + len(labels) * LABEL_LINE + len(notes) * NOTE_LINE
        middle = y + height / 2
        parts.append(
            f'<rect class="dg-box" x="{BOX_LEFT}" y="{y:g}" width="{right - BOX_LEFT}" '
            f'height="{height:g}" rx="8"/>'
            f'<circle class="dg-num" cx="20" cy="{middle:g}" r="15"/>'
            f'<text class="dg-num-text" x="20" y="{middle + 5:g}" font-size="15" '
            f'text-anchor="middle">{escape(number(index + 1))}</text>'
        )
        top = y + PAD + LABEL_SIZE - 2
        parts.append(_text(BOX_LEFT + PAD, top, labels, LABEL_SIZE, LABEL_LINE, "dg-label"))
        if notes:
            first = top + len(labels) * LABEL_LINE - 2
            parts.append(_text(BOX_LEFT + PAD, first, notes, NOTE_SIZE, NOTE_LINE, "dg-note"))
        boxes.append((y, y + height))
        y += height + GAP
    height = y - GAP + 4
    middle_x = (BOX_LEFT + right) / 2
    for (_, bottom), (top, _) in zip(boxes, boxes[1:], strict=False):
        parts.append(
            f'<line class="dg-arrow" x1="{middle_x:g}" y1="{bottom + 2:g}" x2="{middle_x:g}" '
            f'y2="{top - 4:g}" marker-end="url(#{ident}-head)"/>'
        )
    if diagram.kind == "cycle":
        first_mid = (boxes[0][0] + boxes[0][1]) / 2
        last_mid = (boxes[-1][0] + boxes[-1][1]) / 2
        edge = WIDTH - 8
        parts.append(
            f'<path class="dg-arrow dg-loop" d="M{right:g} {last_mid:g} H{edge:g} '
            f'V{first_mid:g} H{right + 6:g}" fill="none" marker-end="url(#{ident}-head)"/>'
        )
    head = (
        f'<defs><marker id="{ident}-head" viewBox="0 0 10 10" refX="8" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path class="dg-head" d="M0 0L10 5L0 10z"/></marker></defs>'
    )
    svg = (
        f'<svg class="dg" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-alt">'
        f'<title id="{ident}-title">{escape(diagram.title)}</title>'
        f'<desc id="{ident}-alt">{escape(diagram.alt)}</desc>{head}{"".join(parts)}</svg>'
    )
    return (
        f'<figure class="diagram diagram-{escape(diagram.kind)}">{svg}'
        f"<figcaption>{escape(diagram.title)}</figcaption></figure>"
    )
