"""a results row per learner and module, kept by the quiz's submit

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

KINDS = ('pre', 'post', 'retention')


def upgrade() -> None:
    table = op.create_table('lms_module_result',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('pre', sa.Float(), nullable=True),
    sa.Column('post', sa.Float(), nullable=True),
    sa.Column('retention', sa.Float(), nullable=True),
    sa.Column('best_post', sa.Float(), nullable=True),
    sa.Column('post_done_at', lms.db.UTCDateTime(), nullable=True),
    sa.Column('gain', sa.Float(), nullable=True),
    sa.Column('retention_ratio', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_module_result_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'module_id', name=op.f('pk_lms_module_result'))
    )
    with op.batch_alter_table('lms_module_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_module_result_module_id'), ['module_id'], unique=False)
    op.bulk_insert(table, list(_rows()))


def _rows():
    """Every learner's results from their submitted attempts, as ``results.learner_result``
    computed them when this migration was written (a copy: later code may change)."""
    attempt = sa.table(
        'lms_attempt', sa.column('user_id'), sa.column('module_id'), sa.column('kind'),
        sa.column('number'), sa.column('submitted_at', lms.db.UTCDateTime()),
        sa.column('score'), sa.column('max_score'),
    )
    query = (
        sa.select(attempt)
        .where(attempt.c.submitted_at.is_not(None), attempt.c.kind.in_(KINDS))
        .order_by(attempt.c.user_id, attempt.c.module_id, attempt.c.number)
    )
    current, found = None, {}
    for row in op.get_bind().execute(query):
        key = (row.user_id, row.module_id)
        if key != current:
            if current is not None:
                yield _values(current, found)
            current, found = key, {kind: [] for kind in KINDS}
        found[row.kind].append(row)
    if current is not None:
        yield _values(current, found)


def _percent(row) -> float | None:
    if row.score is None or not row.max_score:
        return None
    return 100 * row.score / row.max_score


def _values(key, found) -> dict:
    first = {kind: _percent(rows[0]) if rows else None for kind, rows in found.items()}
    pre, post, retention = first['pre'], first['post'], first['retention']
    posts = found['post']
    done = posts[0].submitted_at if posts else None
    if done is not None and done.tzinfo is None:
        done = done.replace(tzinfo=UTC)
    return {
        'user_id': key[0],
        'module_id': key[1],
        'pre': pre,
        'post': post,
        'retention': retention,
        'best_post': max((_percent(a) or 0 for a in posts), default=None),
        'post_done_at': done,
        'gain': None if pre is None or post is None or pre >= 100 else (post - pre) / (100 - pre),
        'retention_ratio': None if not post or retention is None else retention / post,
    }


def downgrade() -> None:
    with op.batch_alter_table('lms_module_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_module_result_module_id'))
    op.drop_table('lms_module_result')
