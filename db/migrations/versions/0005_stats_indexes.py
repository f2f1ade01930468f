"""stats indexes: partial indexes on active users, lesson progress by user

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:40:00.000000

The coverage figures (bot/stats/coverage.py) count only users who have not deleted their data.
These indexes let PostgreSQL and SQLite answer them from the index alone: one commune's village
table through index look-ups, the province roll-up through merge joins on sorted indexes.
Measured in bench/RESULTS.md; replaced by 0006.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ACTIVE = "deleted_at IS NULL"


def upgrade() -> None:
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
    op.create_index(
        'ix_lesson_progress_user_completed', 'lesson_progress', ['user_id', 'completed_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_lesson_progress_user_completed', table_name='lesson_progress')
    op.drop_index('ix_users_active_id_village', table_name='users')
    op.drop_index('ix_users_active_household', table_name='users')
    op.drop_index('ix_users_active_village', table_name='users')
