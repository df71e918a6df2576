"""sync keys: each answer and submit a tablet sends from its offline queue is applied once

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_sync_key',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('applied_at', lms.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['attempt_id'], ['lms_attempt.id'],
            name=op.f('fk_lms_sync_key_attempt_id_lms_attempt'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_lms_sync_key')),
    )
    with op.batch_alter_table('lms_sync_key', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_lms_sync_key_attempt_id'), ['attempt_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('lms_sync_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_sync_key_attempt_id'))
    op.drop_table('lms_sync_key')
