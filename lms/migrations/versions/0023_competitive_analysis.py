"""each enterprise's competitive-analysis worksheet, saved as it is filled in

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_competitive_analysis',
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('products', sa.Text(), nullable=False),
        sa.Column('price_points', sa.Text(), nullable=False),
        sa.Column('markets', sa.Text(), nullable=False),
        sa.Column('competitors', sa.Text(), nullable=False),
        sa.Column('strengths', sa.Text(), nullable=False),
        sa.Column('gaps', sa.Text(), nullable=False),
        sa.Column('updated_at', lms.db.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['enterprise_id'], ['lms_enterprise.id'],
            name=op.f('fk_lms_competitive_analysis_enterprise_id_lms_enterprise'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['lms_user.id'],
            name=op.f('fk_lms_competitive_analysis_updated_by_id_lms_user'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_lms_competitive_analysis')),
    )


def downgrade() -> None:
    op.drop_table('lms_competitive_analysis')
