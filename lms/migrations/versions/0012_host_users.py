"""host users: an LMS record per host user, passwords and e-mail optional

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # When the host app signs people in, lms_user is the LMS's record of a host user, found by
    # the host user's get_id(); such a record has no LMS password, and maybe no e-mail.
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint('uq_lms_user_external_id', ['external_id'])
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM lms_user WHERE password_hash IS NULL OR email IS NULL")
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_constraint('uq_lms_user_external_id', type_='unique')
        batch_op.drop_column('external_id')
