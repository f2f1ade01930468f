"""household status and learning sources: pending households, learning declared elsewhere

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:30:00.000000

A resident whose household is missing from the village roster records it as "pending" until
the village head confirms it; a pending household does not count. Learning outside the bot's
lessons is kept in offline_learning with its source: "class" (a community class the village head
recorded) or "platform" (a course finished elsewhere, such as binhdanhocvuso.gov.vn, declared by
the resident); a declaration counts once the village head confirms it (confirmed_at). Existing
records are community classes, confirmed when they were recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households') as batch:
        batch.add_column(
            sa.Column('status', sa.String(length=10), server_default='confirmed', nullable=False)
        )
    with op.batch_alter_table('offline_learning') as batch:
        batch.add_column(
            sa.Column('source', sa.String(length=10), server_default='class', nullable=False)
        )
        batch.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE offline_learning SET confirmed_at = date")


def downgrade() -> None:
    op.execute(
        "DELETE FROM offline_learning WHERE confirmed_at IS NULL OR source <> 'class'"
    )
    with op.batch_alter_table('offline_learning') as batch:
        batch.drop_column('confirmed_at')
        batch.drop_column('source')
    with op.batch_alter_table('households') as batch:
        batch.drop_column('status')
