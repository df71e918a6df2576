"""courses: trainers' admissions, the courses' sessions; programme certificates become course
certificates

The programme certificate (``LMS_PROGRAMME_MODULES``) is replaced by course certificates. The
ones already issued stay as they are signed: same code, same achievement (``programme``, whose
page still answers), same status-list index; only their kind becomes ``course``, so they are
listed with the course certificates.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_course_admission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=100), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('admitted_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', lms.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['admitted_by_id'], ['lms_user.id'],
            name=op.f('fk_lms_course_admission_admitted_by_id_lms_user'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['lms_user.id'],
            name=op.f('fk_lms_course_admission_user_id_lms_user'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_admission')),
        sa.UniqueConstraint(
            'course_id', 'user_id', name=op.f('uq_lms_course_admission_course_id')
        ),
    )
    op.create_index(
        op.f('ix_lms_course_admission_user_id'), 'lms_course_admission', ['user_id']
    )
    op.create_table(
        'lms_course_session',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ['session_id'], ['lms_training_session.id'],
            name=op.f('fk_lms_course_session_session_id_lms_training_session'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('session_id', name=op.f('pk_lms_course_session')),
    )
    op.create_index(
        op.f('ix_lms_course_session_course_id'), 'lms_course_session', ['course_id']
    )
    op.execute("UPDATE lms_certificate SET kind = 'course' WHERE kind = 'programme'")


def downgrade() -> None:
    op.execute(
        "UPDATE lms_certificate SET kind = 'programme' WHERE achievement_id = 'programme'"
    )
    op.drop_index(op.f('ix_lms_course_session_course_id'), table_name='lms_course_session')
    op.drop_table('lms_course_session')
    op.drop_index(op.f('ix_lms_course_admission_user_id'), table_name='lms_course_admission')
    op.drop_table('lms_course_admission')
