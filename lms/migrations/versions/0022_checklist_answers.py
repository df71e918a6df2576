"""a learner's answers to a module's self-assessment checklist (the LWG audit's first)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_checklist_answer',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('checklist_id', sa.String(length=100), nullable=False),
        sa.Column('item_id', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('updated_at', lms.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['lms_user.id'],
            name=op.f('fk_lms_checklist_answer_user_id_lms_user'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'user_id', 'checklist_id', 'item_id', name=op.f('pk_lms_checklist_answer')
        ),
    )


def downgrade() -> None:
    op.drop_table('lms_checklist_answer')
