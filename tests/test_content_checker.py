"""`flask lms check-content`: one line per problem with file and line, exit 1 on errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from lms.content.checker import check_library
from lms.content.library import ContentLibrary
from lms.state import forget_per_request
from tests.conftest import EN_TEXT, MODULE_YAML, write_module


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


def lines_for(root: Path) -> list[str]:
    return [p.format(root) for p in check_library(ContentLibrary(root))]


def errors_for(root: Path) -> list[str]:
    return [line for line in lines_for(root) if ": error: " in line]


def test_a_clean_module_has_no_problems(app: Flask, root: Path) -> None:
    write_module(root, "clean", bn="auto", bn_BD="auto")
    with app.app_context():
        assert lines_for(root) == []


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "id: x\norder: [1\n",
            "x/module.yaml:3: error: YAML cannot be read: expected ',' or ']', "
            "but got '<stream end>' (look from line 2)",
        ),
        ("id: x\n  order: 1\n", "x/module.yaml:2: error: YAML cannot be read"),
        (
            MODULE_YAML.format(slug="x", order=1).replace("level: basic", "level: expert"),
            "x/module.yaml:3: error: level must be one of: basic, advanced",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("order: 1", "order: first"),
            "x/module.yaml:2: error: order must be a whole number from 0 to 10000",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("pass_mark: 60", "pass_mark: 160"),
            "x/module.yaml:7: error: pass_mark must be a whole number from 0 to 100",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("estimated_minutes: 20\n", ""),
            "x/module.yaml:1: error: estimated_minutes is missing",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("2026-11-01", "soon"),
            "x/module.yaml:8: error: last_reviewed must be a date written as YYYY-MM-DD",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("[gst-vat-compliance]", "[gst, tax]"),
            "x/module.yaml:5: error: topics[0] must be one of",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("https://cbic-gst.gov.in/", "cbic"),
            "x/module.yaml:11: error: sources.0.url must be a web address starting with https://",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace("id: x", "id: y"),
            "x/module.yaml:1: error: id y differs from the folder name x",
        ),
        (
            MODULE_YAML.format(slug="x", order=1).replace(
                "prerequisites: []", "prerequisites: [nope]"
            ),
            "x/module.yaml:6: error: prerequisite nope: no such module",
        ),
        (
            MODULE_YAML.format(slug="x", order=1) + "facts:\n  - text: GST 5%\n    country: US\n"
            "    as_of: 2025-09-22\n    source: https://cbic-gst.gov.in/\n",
            "x/module.yaml:14: error: facts.0.country must be one of: IN, BD, any",
        ),
    ],
)
def test_module_yaml_problems_name_file_and_line(
    app: Flask, root: Path, yaml_text: str, expected: str
) -> None:
    write_module(root, "x", yaml_text=yaml_text)
    with app.app_context():
        found = errors_for(root)
    assert any(line.startswith(expected) for line in found), found


def test_unknown_fields_are_warnings(app: Flask, root: Path) -> None:
    write_module(root, "x", yaml_text=MODULE_YAML.format(slug="x", order=1) + "colour: red\n")
    with app.app_context():
        assert "x/module.yaml:12: warning: unknown field colour" in lines_for(root)


def test_missing_files(app: Flask, root: Path) -> None:
    write_module(root, "x", en=None)
    with app.app_context():
        found = lines_for(root)
    assert "x/en.md:1: error: The English text en.md is missing." in found
    assert "x/bn.md:1: warning: No bn translation: readers see another language." in found


def test_duplicate_ids(app: Flask, root: Path) -> None:
    write_module(root, "a")
    write_module(root, "b", yaml_text=MODULE_YAML.format(slug="a", order=2))
    with app.app_context():
        found = errors_for(root)
    assert "b/module.yaml:1: error: duplicate id a (also in a)" in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# no front matter\n## A\nx\n",
            "x/en.md:1: error: The file must start with a front matter block (---).",
        ),
        (
            "---\ntitle: T\n## A\n",
            "x/en.md:1: error: The front matter block is not closed with ---.",
        ),
        ("---\ntitle: [T\n---\n## A\n", "x/en.md:2: error: YAML cannot be read"),
        ("---\ntitle: T\nobjectives: [a]\n---\n## A\nx\n", "x/en.md:2: error: summary is missing"),
        (
            "---\ntitle: T\nsummary: S\nobjectives: [a]\n---\nOnly an intro.\n",
            "x/en.md:6: error: No section",
        ),
    ],
)
def test_front_matter_and_structure(app: Flask, root: Path, text: str, expected: str) -> None:
    write_module(root, "x", en=text)
    with app.app_context():
        found = errors_for(root)
    assert any(line.startswith(expected) for line in found), found


BODY = (
    "---\ntitle: T\nsummary: S\nobjectives: [a]\n---\n\n## First\n\n{line}\n\n## Second\n\nEnd.\n"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "See [there](#nowhere).",
            "x/en.md:9: error: link to #nowhere: no heading has this anchor",
        ),
        ("See [gst](module:nothing).", "x/en.md:9: error: link to module nothing: no such module"),
        (
            "See [b](module:other#nowhere).",
            "x/en.md:9: error: link to other#nowhere: no heading has this anchor",
        ),
        (
            "![A hide](assets/hide.png)",
            "x/en.md:9: error: assets/hide.png: no such file in this module's assets folder",
        ),
        (
            "[yaml](assets/../module.yaml)",
            "x/en.md:9: error: assets/../module.yaml: no such file in this module's assets folder",
        ),
        (
            "![](https://example.org/a.png)",
            "x/en.md:9: error: image https://example.org/a.png has no alt text",
        ),
        (
            "Hello <script>alert(1)</script>",
            "x/en.md:9: error: raw HTML <script> is removed when the page is shown",
        ),
        ('<div class="box">x</div>', "x/en.md:9: error: raw HTML <div> is removed"),
        (
            "A claim[^src].",
            "x/en.md:9: error: footnote [^src] has no definition in the same section",
        ),
        ("[file](../other/en.md)", "x/en.md:9: error: link ../other/en.md: use https://..."),
    ],
)
def test_markdown_problems_name_file_and_line(
    app: Flask, root: Path, line: str, expected: str
) -> None:
    write_module(root, "other", order=2)
    write_module(root, "x", en=BODY.format(line=line))
    with app.app_context():
        found = errors_for(root)
    assert any(entry.startswith(expected) for entry in found), found


def test_good_links_and_assets_pass(app: Flask, root: Path) -> None:
    write_module(root, "other", order=2)
    folder = write_module(
        root,
        "x",
        en=BODY.format(
            line="[a](#second) [b](module:other#second-steps) ![A hide](assets/hide.png) "
            "`<b>code is fine</b>` [w](https://example.org)"
        ),
    )
    (folder / "assets").mkdir()
    (folder / "assets" / "hide.png").write_bytes(b"\x89PNG")
    with app.app_context():
        assert errors_for(root) == []


def test_stale_translations_are_reported(app: Flask, root: Path) -> None:
    folder = write_module(root, "x", bn="auto", bn_BD="auto")
    english = folder / "en.md"
    english.write_text(english.read_text() + "\nOne more English line.\n")
    with app.app_context():
        found = lines_for(root)
    assert any(line.startswith("x/bn.md:6: warning: stale translation") for line in found), found
    assert any(line.startswith("x/bn_BD.md:6: warning: stale translation") for line in found)


def test_command_prints_problems_and_exits_1_on_errors(app: Flask, root: Path) -> None:
    write_module(root, "good")
    write_module(
        root,
        "bad",
        order=2,
        yaml_text=MODULE_YAML.format(slug="bad", order=2).replace("basic", "hard"),
    )
    result = app.test_cli_runner().invoke(args=["lms", "check-content", str(root)])
    assert result.exit_code == 1
    assert "bad/module.yaml:3: error: level must be one of: basic, advanced" in result.output
    assert "2 modules checked: 1 errors" in result.output
    clean = root / "clean"
    write_module(clean, "good")
    ok = app.test_cli_runner().invoke(args=["lms", "check-content", str(clean)])
    assert ok.exit_code == 0, ok.output
    assert "1 modules checked: 0 errors" in ok.output


def test_mark_translated_command_renews_the_fingerprint(app: Flask, root: Path) -> None:
    folder = write_module(root, "x", bn="auto")
    english = folder / "en.md"
    english.write_text(EN_TEXT.format(title="Changed"))
    app.config["LMS_CONTENT_DIR"] = str(root)
    app.extensions["lms"].content_library = ContentLibrary(root)
    with app.app_context():
        assert any("stale translation" in line for line in lines_for(root))
    result = app.test_cli_runner().invoke(args=["lms", "mark-translated", "x", "bn"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not any("stale" in line for line in lines_for(root))
    assert "পরীক্ষার মডিউল" in (folder / "bn.md").read_text()  # the text itself is kept


def test_folders_other_capabilities_read_are_not_modules(app: Flask, root: Path) -> None:
    write_module(root, "tanning")
    (root / "courses").mkdir()
    (root / "courses" / "basic.yaml").write_text("id: basic\n", encoding="utf-8")
    assert "courses" in [m.slug for m in ContentLibrary(root).modules()]
    assert app.extensions["lms"].content_folders == {"courses", "resources"}
    library = ContentLibrary(root, app.extensions["lms"].content_folders)
    assert [m.slug for m in library.modules()] == ["tanning"]
    signature = library._signature
    (root / "courses" / "basic.yaml").write_text("id: basic\nlevel: basic\n", encoding="utf-8")
    library.refresh()
    assert library._signature == signature  # a course's change does not re-read the modules


def test_the_library_looks_at_the_disk_once_per_request(app: Flask, root: Path) -> None:
    """A page asks for modules many times; the files are stat-ed once per request, and again
    after the request saved one (``forget_per_request``, as ``save_source`` does)."""
    folder = write_module(root, "tanning")
    library = ContentLibrary(root)
    with app.test_request_context("/"):
        before = library.get("tanning").docs["en"].digest
        (folder / "en.md").write_text(
            (folder / "en.md").read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8"
        )
        assert library.get("tanning").docs["en"].digest == before
        forget_per_request()
        after = library.get("tanning").docs["en"].digest
        assert after != before
    (folder / "en.md").write_text(EN_TEXT.format(title="Again"), encoding="utf-8")
    with app.test_request_context("/"):
        assert library.get("tanning").docs["en"].digest not in (before, after)
