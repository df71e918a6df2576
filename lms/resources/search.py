"""Full-text search of the entries with the database's own engine.

One row per entry holds the titles and summaries in all three languages and the keywords, so a
Bengali query finds an English-titled entry. SQLite: an FTS5 table ranked with ``bm25()``;
PostgreSQL: a ``tsvector`` column (``simple`` configuration) with a GIN index, ranked with
``ts_rank``. Titles weigh most, then keywords, then summaries. Made by migration 0021.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..db import db
from .entries import LANGUAGES, Entry

TABLE = "lms_resource_search"
#: The PostgreSQL advisory lock taken while the index is rebuilt: two hosts never interleave.
LOCK_KEY = zlib.crc32(TABLE.encode())
#: The FTS5 tokenizer. ``unicode61`` alone cuts Bengali words at every vowel sign and virama
#: (its default token characters are ``L* N* Co``): marks and format characters are added.
TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* Co M* Cf'"
#: bm25() weights of the FTS5 columns (entry_id, country, topic, digest, title, keywords,
#: summary); the first four are not indexed.
BM25 = "bm25(lms_resource_search, 0, 0, 0, 0, 10.0, 5.0, 1.0)"


def dialect() -> str:
    return db.engine.dialect.name


def words(query: str) -> list[str]:
    """The words of ``query`` as the FTS5 table's tokenizer cuts them (:data:`TOKENIZE`):
    letters, marks (Bengali vowel signs, the virama of conjuncts), digits, private-use
    characters and format characters (the zero-width joiner of র‍্যাব); the rest separates."""
    found, word = [], []
    for char in unicodedata.normalize("NFC", query):
        category = unicodedata.category(char)
        if category[0] in "LMN" or category in ("Co", "Cf"):
            word.append(char)
        elif word:
            found.append("".join(word))
            word = []
    if word:
        found.append("".join(word))
    return [w.lower() for w in found]


def _columns(entry: Entry) -> dict[str, str]:
    return {
        "entry_id": entry.id,
        "country": entry.country,
        "topic": entry.topic,
        "title": "\n".join(entry.title[code] for code in LANGUAGES),
        "keywords": "\n".join([*entry.keywords, entry.id, entry.source_title]),
        "summary": "\n".join(entry.summary[code] for code in LANGUAGES),
    }


def indexed_digest(conn: Connection) -> tuple[str | None, int]:
    """The digest the rows were built from (``None``: mixed or empty), and their number."""
    rows = conn.execute(text(f"SELECT digest, count(*) FROM {TABLE} GROUP BY digest")).all()
    total = sum(count for _digest, count in rows)
    return (rows[0][0] if len(rows) == 1 else None), total


def rebuild(entries: Sequence[Entry], digest: str, *, force: bool = False) -> bool:
    """Make the index hold exactly ``entries`` (delete and insert in one transaction). Skipped
    when it already holds them (another host or process did it); returns whether it wrote."""
    wanted = (digest, len(entries))
    with db.engine.begin() as conn:
        if not force and indexed_digest(conn) == wanted:
            return False
        if conn.dialect.name == "postgresql":  # SQLite: the DELETE takes the write lock
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            if not force and indexed_digest(conn) == wanted:
                return False  # another host rebuilt it while this one waited
        conn.execute(text(f"DELETE FROM {TABLE}"))
        if entries:
            conn.execute(text(_insert(conn.dialect.name)), _rows(entries, digest))
    return True


def _rows(entries: Iterable[Entry], digest: str) -> list[dict[str, str]]:
    return [{**_columns(entry), "digest": digest} for entry in entries]


def _insert(name: str) -> str:
    if name == "postgresql":
        return (
            f"INSERT INTO {TABLE} (entry_id, country, topic, digest, document) VALUES "
            "(:entry_id, :country, :topic, :digest, "
            "setweight(to_tsvector('simple', :title), 'A') || "
            "setweight(to_tsvector('simple', :keywords), 'B') || "
            "setweight(to_tsvector('simple', :summary), 'C'))"
        )
    return (
        f"INSERT INTO {TABLE} (entry_id, country, topic, digest, title, keywords, summary) "
        "VALUES (:entry_id, :country, :topic, :digest, :title, :keywords, :summary)"
    )


def search(query: str, countries: Sequence[str], topic: str | None = None) -> list[str]:
    """Ids of the entries matching every word of ``query``, best first, among ``countries``
    (and ``topic`` if given). A query without words matches nothing: list the entries instead."""
    if not words(query):
        return []
    params: dict[str, object] = {"countries": list(countries), "topic": topic or ""}
    if dialect() == "postgresql":
        sql = (
            f"SELECT entry_id FROM {TABLE}, plainto_tsquery('simple', :query) AS q "
            "WHERE document @@ q AND country = ANY(:countries) "
            "AND (:topic = '' OR topic = :topic) "
            "ORDER BY ts_rank(document, q) DESC, entry_id"
        )
        params["query"] = query
    else:
        marks = ", ".join(f":c{i}" for i in range(len(countries)))
        params.update({f"c{i}": code for i, code in enumerate(countries)})
        sql = (
            f"SELECT entry_id FROM {TABLE} WHERE {TABLE} MATCH :query "
            f"AND country IN ({marks}) AND (:topic = '' OR topic = :topic) "
            f"ORDER BY {BM25}, entry_id"
        )
        params["query"] = " ".join('"' + w.replace('"', '""') + '"' for w in words(query))
    with db.engine.connect() as conn:
        return list(conn.execute(text(sql), params).scalars())
