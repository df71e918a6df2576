"""training sessions and programmes replace quiz cohorts

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Results, the ranking and certificate issuing are now narrowed to a programme or a training
    # session (``lms.groups``); the quiz's own cohorts go.
    op.drop_table('lms_cohort_member')
    op.drop_table('lms_cohort')


def downgrade() -> None:
    op.create_table('lms_cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort'))
    )
    op.create_table('lms_cohort_member',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_cohort_member_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_cohort_member_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_lms_cohort_member'))
    )
