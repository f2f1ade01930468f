"""lesson and member counts: coverage figures without joining users and lesson_progress

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 11:20:00.000000

Measured on the province data set (bench/RESULTS.md), the coverage figures spent most of their
time joining users with lesson_progress and households with users, and one commune's village
table missed its target on both databases. Each user now carries the number of lessons begun
and passed, each household its members who have not deleted their data, kept exact by
bot.storage.participation (recount_lessons, recount_members); learners come from one partial
index on users, registered households from one on households. users is written on nearly every
message (the conversation state), so the registered count reads households, which stay quiet.
The indexes of 0005 that only served the old queries are dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ACTIVE = "deleted_at IS NULL"
LEARNING = f"{ACTIVE} AND lessons_started > 0"
REGISTERED = "members > 0"


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(
            sa.Column('lessons_started', sa.Integer(), server_default='0', nullable=False)
        )
        batch.add_column(
            sa.Column('lessons_completed', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('households') as batch:
        batch.add_column(sa.Column('members', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE households SET members = (SELECT count(*) FROM users u"
        f" WHERE u.household_id = households.id AND u.{ACTIVE})"
        f" WHERE EXISTS (SELECT 1 FROM users u WHERE u.household_id = households.id AND u.{ACTIVE})"
    )
    op.execute(
        "UPDATE users SET"
        " lessons_started = (SELECT count(*) FROM lesson_progress p WHERE p.user_id = users.id),"
        " lessons_completed = (SELECT count(p.completed_at) FROM lesson_progress p"
        " WHERE p.user_id = users.id)"
        " WHERE EXISTS (SELECT 1 FROM lesson_progress p WHERE p.user_id = users.id)"
    )
    op.drop_index('ix_users_active_id_village', table_name='users')
    op.drop_index('ix_users_active_household', table_name='users')
    op.drop_index('ix_users_active_village', table_name='users')
    op.create_index(
        'ix_households_registered', 'households', ['village_id'], unique=False,
        postgresql_where=sa.text(REGISTERED), sqlite_where=sa.text(REGISTERED),
    )
    op.create_index(
        'ix_users_learning', 'users', ['village_id', 'lessons_completed'], unique=False,
        postgresql_where=sa.text(LEARNING), sqlite_where=sa.text(LEARNING),
    )


def downgrade() -> None:
    op.drop_index('ix_users_learning', table_name='users')
    op.drop_index('ix_households_registered', table_name='households')
    op.create_index(
        'ix_users_active_village', 'users', ['village_id', 'id'], unique=False,
        postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE),
    )
    op.create_index(
        'ix_users_active_household', 'users', ['household_id'], unique=False,
        postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE),
    )
    op.create_index(
        'ix_users_active_id_village', 'users', ['id', 'village_id'], unique=False,
        postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE),
    )
    with op.batch_alter_table('users') as batch:
        batch.drop_column('lessons_completed')
        batch.drop_column('lessons_started')
    with op.batch_alter_table('households') as batch:
        batch.drop_column('members')
