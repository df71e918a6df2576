"""enterprise bd identifiers: a Bangladeshi enterprise's BIN, e-TIN and trade licence number

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lms_enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bin', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('etin', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('trade_licence', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_lms_enterprise_bin'), ['bin'])
        batch_op.create_unique_constraint(batch_op.f('uq_lms_enterprise_etin'), ['etin'])


def downgrade() -> None:
    with op.batch_alter_table('lms_enterprise', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_lms_enterprise_etin'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_lms_enterprise_bin'), type_='unique')
        batch_op.drop_column('trade_licence')
        batch_op.drop_column('etin')
        batch_op.drop_column('bin')
