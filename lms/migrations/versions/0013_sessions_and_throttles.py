"""sign-in sessions the server can end, and one table of throttle counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A row per sign-in: sign-out, switch learner, idle and a new password end it for good.
    op.create_table('lms_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', lms.db.UTCDateTime(), nullable=False),
    sa.Column('ended_at', lms.db.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_session_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_session'))
    )
    with op.batch_alter_table('lms_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_session_user_id'), ['user_id'], unique=False)

    # Failed sign-ins (keyed by a hash of the e-mail, no longer the e-mail), wrong live-quiz
    # codes and anonymous joins. The old failures are not carried over: they only counted for
    # 15 minutes, and they kept e-mail addresses in clear.
    op.create_table('lms_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=True),
    sa.Column('at', lms.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_throttle'))
    )
    with op.batch_alter_table('lms_throttle', schema=None) as batch_op:
        batch_op.create_index('ix_lms_throttle_at', ['scope', 'at'], unique=False)
        batch_op.create_index('ix_lms_throttle_key', ['scope', 'key', 'at'], unique=False)
        batch_op.create_index('ix_lms_throttle_subject', ['scope', 'subject', 'at'], unique=False)

    with op.batch_alter_table('lms_failed_sign_in', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_failed_sign_in_key')
    op.drop_table('lms_failed_sign_in')


def downgrade() -> None:
    op.create_table('lms_failed_sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=254), nullable=False),
    sa.Column('at', lms.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_failed_sign_in'))
    )
    with op.batch_alter_table('lms_failed_sign_in', schema=None) as batch_op:
        batch_op.create_index('ix_lms_failed_sign_in_key', ['kind', 'key', 'at'], unique=False)

    with op.batch_alter_table('lms_throttle', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_throttle_subject')
        batch_op.drop_index('ix_lms_throttle_key')
        batch_op.drop_index('ix_lms_throttle_at')
    op.drop_table('lms_throttle')

    with op.batch_alter_table('lms_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_session_user_id'))
    op.drop_table('lms_session')
