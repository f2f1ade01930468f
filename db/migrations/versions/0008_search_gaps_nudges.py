"""search gaps and the last time a person wrote

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29 18:20:00.000000

search_gaps keeps, anonymously, the questions no lesson answered (`hocvuso content gaps`).
users.last_seen_at is when the person last wrote: learning nudges wait two days after it and
stop after three unanswered ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_gaps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_gaps')),
    )
    op.create_index(op.f('ix_search_gaps_at'), 'search_gaps', ['at'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('last_seen_at')
    op.drop_index(op.f('ix_search_gaps_at'), table_name='search_gaps')
    op.drop_table('search_gaps')
