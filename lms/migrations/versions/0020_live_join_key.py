"""a guest's join form makes one participant however often it is sent (a double tap on Join)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing participants have no key (NULLs never clash): nothing to merge.
    with op.batch_alter_table('lms_live_participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            'uq_lms_live_participant_join_key', ['quiz_id', 'join_key']
        )


def downgrade() -> None:
    with op.batch_alter_table('lms_live_participant', schema=None) as batch_op:
        batch_op.drop_constraint('uq_lms_live_participant_join_key', type_='unique')
        batch_op.drop_column('join_key')
