"""one participant per signed-in learner and live quiz: the ones two joins at once made merged

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

participant = sa.table(
    'lms_live_participant',
    sa.column('id', sa.Integer()), sa.column('quiz_id', sa.Integer()),
    sa.column('user_id', sa.Integer()), sa.column('score', sa.Float()),
    sa.column('version', sa.Integer()), sa.column('joined_at', lms.db.UTCDateTime()),
)
answer = sa.table(
    'lms_live_answer',
    sa.column('participant_id', sa.Integer()), sa.column('item_index', sa.Integer()),
    sa.column('answered_at', lms.db.UTCDateTime()), sa.column('points', sa.Float()),
)
quiz = sa.table('lms_live_quiz', sa.column('id', sa.Integer()), sa.column('version', sa.Integer()))


def upgrade() -> None:
    for quiz_id, user_id in _duplicated():
        _merge(quiz_id, user_id)
    with op.batch_alter_table('lms_live_participant', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_lms_live_participant_quiz_id'), ['quiz_id', 'user_id']
        )


def downgrade() -> None:
    with op.batch_alter_table('lms_live_participant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_lms_live_participant_quiz_id'), type_='unique')


def _duplicated() -> list[sa.Row]:
    """Every (quiz, account) with more than one participant."""
    query = (
        sa.select(participant.c.quiz_id, participant.c.user_id)
        .where(participant.c.user_id.is_not(None))
        .group_by(participant.c.quiz_id, participant.c.user_id)
        .having(sa.func.count() > 1)
        .order_by(participant.c.quiz_id, participant.c.user_id)
    )
    return op.get_bind().execute(query).all()


def _merge(quiz_id: int, user_id: int) -> None:
    """Keep the participant that joined first. Each question keeps the earliest answer of any
    of the learner's participants (the one that counted on the screen first); the score is the
    sum of the kept answers' points, as ``answer`` adds them up. The others go, with their
    remaining answers (deleted here: SQLite migrates with its foreign keys off, so nothing
    cascades)."""
    bind = op.get_bind()
    ids = bind.execute(
        sa.select(participant.c.id)
        .where(participant.c.quiz_id == quiz_id, participant.c.user_id == user_id)
        .order_by(participant.c.joined_at, participant.c.id)
    ).scalars().all()
    keep, others = ids[0], ids[1:]
    order = {id_: n for n, id_ in enumerate(ids)}
    rows = bind.execute(
        sa.select(answer.c.participant_id, answer.c.item_index, answer.c.answered_at)
        .where(answer.c.participant_id.in_(ids))
    ).all()
    earliest: dict[int, int] = {}
    for row in sorted(rows, key=lambda r: (r.answered_at, order[r.participant_id])):
        earliest.setdefault(row.item_index, row.participant_id)
    for index, owner in sorted(earliest.items()):
        if owner == keep:
            continue
        bind.execute(
            sa.delete(answer)
            .where(answer.c.participant_id == keep, answer.c.item_index == index)
        )
        bind.execute(
            sa.update(answer)
            .where(answer.c.participant_id == owner, answer.c.item_index == index)
            .values(participant_id=keep)
        )
    bind.execute(sa.delete(answer).where(answer.c.participant_id.in_(others)))
    bind.execute(sa.delete(participant).where(participant.c.id.in_(others)))
    total = (
        sa.select(sa.func.coalesce(sa.func.sum(answer.c.points), 0.0))
        .where(answer.c.participant_id == keep)
        .scalar_subquery()
    )
    bind.execute(
        sa.update(participant)
        .where(participant.c.id == keep)
        .values(score=total, version=participant.c.version + 1)
    )
    # The trainer's lobby and the tablets fetch the merged list.
    bind.execute(sa.update(quiz).where(quiz.c.id == quiz_id).values(version=quiz.c.version + 1))
