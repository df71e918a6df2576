"""attempts keep references to immutable item versions instead of whole copies

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import lms.db
from lms.quiz import snapshots

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: Attempts read and rewritten at a time.
BATCH = 500

attempt = sa.table('lms_attempt', sa.column('id', sa.Integer()), sa.column('items', sa.JSON()))
version_table = sa.table(
    'lms_item_version',
    sa.column('hash', sa.String()), sa.column('item_id', sa.String()),
    sa.column('type', sa.String()), sa.column('points', sa.Float()),
    sa.column('data', sa.JSON()), sa.column('created_at', lms.db.UTCDateTime()),
)


def upgrade() -> None:
    op.create_table('lms_item_version',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('hash', name=op.f('pk_lms_item_version'))
    )
    stored: set[str] = set()
    now = datetime.now(UTC)
    for rows in _batches():
        versions, changed = {}, []
        for id_, items in rows:
            if not any(snapshots.is_inline(e) for e in items or []):
                continue
            refs = []
            for entry in items:
                if not snapshots.is_inline(entry):
                    refs.append(entry)
                    continue
                version = snapshots.version_of(
                    entry['id'], entry['type'], entry['points'], entry['data']
                )
                digest = snapshots.version_hash(version)
                if digest not in stored:
                    versions[digest] = version
                refs.append(snapshots.reference(version, digest))
            changed.append({'b_id': id_, 'b_items': refs})
        if versions:
            op.bulk_insert(version_table, [
                {'hash': digest, 'item_id': v['id'], 'type': v['type'], 'points': v['points'],
                 'data': v['data'], 'created_at': now}
                for digest, v in versions.items()
            ])
            stored.update(versions)
        _rewrite(changed)


def downgrade() -> None:
    for rows in _batches():
        hashes = {e['h'] for _id, items in rows for e in items or [] if not snapshots.is_inline(e)}
        if not hashes:
            continue
        query = sa.select(version_table).where(version_table.c.hash.in_(sorted(hashes)))
        versions = {
            v.hash: {'id': v.item_id, 'type': v.type, 'points': v.points, 'data': v.data}
            for v in op.get_bind().execute(query)
        }
        _rewrite([
            {
                'b_id': id_,
                'b_items': [
                    e if snapshots.is_inline(e) else snapshots.inline(versions[e['h']])
                    for e in items
                ],
            }
            for id_, items in rows
            if any(not snapshots.is_inline(e) for e in items or [])
        ])
    op.drop_table('lms_item_version')


def _batches():
    """Every attempt's id and items, ``BATCH`` attempts at a time, in id order (each batch read
    whole before it is rewritten)."""
    last = None
    while True:
        query = sa.select(attempt.c.id, attempt.c['items']).order_by(attempt.c.id).limit(BATCH)
        if last is not None:
            query = query.where(attempt.c.id > last)
        rows = op.get_bind().execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rewrite(changed: list[dict]) -> None:
    if changed:
        statement = (
            sa.update(attempt)
            .where(attempt.c.id == sa.bindparam('b_id'))
            .values(items=sa.bindparam('b_items'))
        )
        op.get_bind().execute(statement, changed)
