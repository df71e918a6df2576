"""Which keys and types of a JSON-LD document JSON-LD 1.1 expansion would drop, using only the
contexts kept in ``shared/standards`` (never the network).

pyld is not installed here, so this follows the expansion algorithm (JSON-LD 1.1 API, sections
4.1 context processing and 5.1 expansion) as far as these documents need it: remote contexts
from the local files, term definitions, compact IRIs, ``@vocab``, protected terms (a different
redefinition is an error), property-scoped contexts (propagated) and type-scoped contexts (not
propagated into nested nodes), ``@json`` literals and value objects. A key is dropped when it is
no keyword, no term, no compact or absolute IRI and there is no ``@vocab``; a ``type`` value is
reported when it is no term and no IRI (it would become a relative IRI against the base).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": STANDARDS / "vc" / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": STANDARDS
    / "ob3"
    / "context-3.0.3.json",
}
ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class ContextError(ValueError):
    pass


@dataclass(frozen=True)
class Active:
    terms: dict[str, dict[str, Any]] = field(default_factory=dict)
    vocab: str | None = None
    previous: Active | None = None


def _load(url: str) -> Any:
    path = CONTEXT_FILES.get(url)
    if path is None:
        raise ContextError(f"no local copy of the context {url} (and no network)")
    return json.loads(path.read_text(encoding="utf-8"))["@context"]


def _iri(value: str, terms: dict[str, dict[str, Any]]) -> str | None:
    if value.startswith("@"):
        return value
    if value in terms:
        return terms[value].get("@id")
    prefix, sep, suffix = value.partition(":")
    if sep and prefix in terms and not suffix.startswith("//"):
        return str(terms[prefix].get("@id")) + suffix
    return value if ABSOLUTE.match(value) else None


def _definition(value: Any, terms: dict[str, dict[str, Any]], protected: bool) -> dict[str, Any]:
    found = {"@id": value} if isinstance(value, str) or value is None else dict(value)
    found.setdefault("@protected", protected)
    if isinstance(found.get("@id"), str):
        found["@id"] = _iri(found["@id"], terms) or found["@id"]
    if isinstance(found.get("@type"), str):
        found["@type"] = _iri(found["@type"], terms) or found["@type"]
    return found


def process(
    active: Active, local: Any, *, propagate: bool = True, override: bool = False
) -> Active:
    """The active context after ``local`` (context processing, JSON-LD 1.1 API 4.1)."""
    result = active
    for context in local if isinstance(local, list) else [local]:
        if context is None:
            if not override and any(d.get("@protected") for d in result.terms.values()):
                raise ContextError("a null context would clear protected terms")
            result = Active()
            continue
        if isinstance(context, str):
            result = process(result, _load(context), override=override)
            continue
        terms = dict(result.terms)
        vocab = context.get("@vocab", result.vocab)
        protected = bool(context.get("@protected", False))
        for term, value in context.items():
            if term.startswith("@"):
                continue
            new = _definition(value, {**terms, **_plain(context)}, protected)
            old = terms.get(term)
            if (
                old is not None
                and old.get("@protected")
                and not override
                and _bare(old) != _bare(new)
            ):
                raise ContextError(f"protected term {term!r} redefined differently")
            terms[term] = new
        result = Active(terms, vocab, result.previous)
    if not propagate and result.previous is None:
        result = replace(result, previous=active)
    return result


def _bare(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k != "@protected"}


def _plain(context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The context's own string terms, for compact IRIs defined beside their use."""
    return {
        k: {"@id": v} for k, v in context.items() if isinstance(v, str) and not k.startswith("@")
    }


def dropped(document: dict[str, Any]) -> list[str]:
    """Paths of the keys and type values expansion would drop or leave relative."""
    found: list[str] = []
    _node(document, Active(), "$", found, None)
    return found


def _node(
    node: dict[str, Any],
    active: Active,
    path: str,
    found: list[str],
    definition: dict[str, Any] | None,
) -> None:
    if active.previous is not None and "@value" not in node and set(node) - {"id", "@id"}:
        active = active.previous
    if definition is not None and "@context" in definition:
        active = process(active, definition["@context"], override=True)
    if "@context" in node:
        active = process(active, node["@context"])
    type_scoped = active
    types = [] if not isinstance(node.get("type"), (str, list)) else node["type"]
    for name in sorted([types] if isinstance(types, str) else types):
        scoped = type_scoped.terms.get(name, {}).get("@context")
        if scoped is not None:
            active = process(active, scoped, propagate=False)
    for key, value in node.items():
        if key == "@context":
            continue
        iri = _iri(key, active.terms) if key in active.terms or ":" in key else None
        if key.startswith("@"):
            iri = key
        if iri is None and active.vocab is None:
            found.append(f"{path}.{key}")
            continue
        if iri == "@type":
            for name in [value] if isinstance(value, str) else value:
                if _iri(name, type_scoped.terms) is None and active.vocab is None:
                    found.append(f"{path}.{key}={name}")
            continue
        term = active.terms.get(key, {})
        if term.get("@type") == "@json" or iri in ("@id", "@value", "@language"):
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, dict) and "@value" not in item:
                _node(item, active, f"{path}.{key}[{index}]", found, term)
