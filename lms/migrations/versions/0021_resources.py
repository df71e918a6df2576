"""the business resource centre's search index: FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The index is rebuilt from modules_content/resources/*.yaml when they change (lms.resources):
# it holds no data of its own, so neither direction copies anything.


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE TABLE lms_resource_search ('
            ' entry_id VARCHAR(120) PRIMARY KEY,'
            ' country VARCHAR(8) NOT NULL,'
            ' topic VARCHAR(120) NOT NULL,'
            ' digest VARCHAR(64) NOT NULL,'
            ' document TSVECTOR NOT NULL)'
        )
        op.execute(
            'CREATE INDEX ix_lms_resource_search_document ON lms_resource_search '
            'USING GIN (document)'
        )
    else:
        # Bengali words stay whole only with marks (vowel signs, virama) and format characters
        # (zero-width joiner) as token characters: see lms.resources.search.TOKENIZE.
        op.execute(
            'CREATE VIRTUAL TABLE lms_resource_search USING fts5('
            'entry_id UNINDEXED, country UNINDEXED, topic UNINDEXED, digest UNINDEXED, '
            'title, keywords, summary, '
            "tokenize = \"unicode61 remove_diacritics 0 categories 'L* N* Co M* Cf'\")"
        )


def downgrade() -> None:
    op.execute('DROP TABLE lms_resource_search')
