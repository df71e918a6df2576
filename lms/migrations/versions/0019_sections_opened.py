"""the sections each learner has opened: a module is finished once every section has been

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

progress = sa.table(
    'lms_reading_progress',
    sa.column('user_id', sa.Integer()), sa.column('module_id', sa.String(100)),
    sa.column('furthest_section', sa.Integer()), sa.column('sections_total', sa.Integer()),
    sa.column('completed_at', lms.db.UTCDateTime()), sa.column('updated_at', lms.db.UTCDateTime()),
)
#: Older records never counted more sections than this (a guard against a corrupt total).
MAX_SECTIONS = 200


def upgrade() -> None:
    opened = op.create_table(
        'lms_section_opened',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=100), nullable=False),
        sa.Column('section', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('opened_at', lms.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['lms_user.id'],
            name=op.f('fk_lms_section_opened_user_id_lms_user'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'user_id', 'module_id', 'section', name=op.f('pk_lms_section_opened')
        ),
    )
    _backfill(opened)


def downgrade() -> None:
    op.drop_table('lms_section_opened')


def _backfill(opened: sa.Table) -> None:
    """What the older records tell: a learner reached every section up to the furthest one (the
    module page ticked them as read), and a finished module's every section. Finished modules
    stay finished: ``completed_at`` is not touched."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            progress.c.user_id, progress.c.module_id, progress.c.furthest_section,
            progress.c.sections_total, progress.c.completed_at, progress.c.updated_at,
        )
    ).all()
    for row in rows:
        last = row.sections_total if row.completed_at is not None else row.furthest_section
        last = max(1, min(last or 1, MAX_SECTIONS))
        when = row.completed_at or row.updated_at
        bind.execute(
            opened.insert(),
            [
                {'user_id': row.user_id, 'module_id': row.module_id, 'section': n,
                 'opened_at': when}
                for n in range(1, last + 1)
            ],
        )
