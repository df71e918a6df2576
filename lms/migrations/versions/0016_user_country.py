"""user country: the country whose content a learner chose in My settings

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.drop_column('country')
