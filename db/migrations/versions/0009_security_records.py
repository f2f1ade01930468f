"""security records, who declared a household, invite prefixes and cancellation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:10:00.000000

Failed link-code and invite tries were counted in the guessing account's conversation state,
which /xoadulieu resets; they now live in security_records (no personal content, pruned after
24 h). A self-declared household remembers who declared it, so /xoadulieu can remove it. An
invite keeps its first characters, so an operator can name it to cancel it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'security_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_security_records')),
    )
    op.create_index(
        'ix_security_records_kind_key_at', 'security_records', ['kind', 'key', 'at'], unique=False
    )
    op.create_index(
        op.f('ix_security_records_at'), 'security_records', ['at'], unique=False
    )
    with op.batch_alter_table('households') as batch:
        batch.add_column(sa.Column('created_by', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_households_created_by_users'), 'users', ['created_by'], ['id'],
            ondelete='SET NULL',
        )
        batch.create_index(op.f('ix_households_created_by'), ['created_by'], unique=False)
    with op.batch_alter_table('invites') as batch:
        batch.add_column(sa.Column('code_prefix', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invites') as batch:
        batch.drop_column('cancelled_at')
        batch.drop_column('code_prefix')
    with op.batch_alter_table('households') as batch:
        batch.drop_index(op.f('ix_households_created_by'))
        batch.drop_constraint(op.f('fk_households_created_by_users'), type_='foreignkey')
        batch.drop_column('created_by')
    op.drop_index(op.f('ix_security_records_at'), table_name='security_records')
    op.drop_index('ix_security_records_kind_key_at', table_name='security_records')
    op.drop_table('security_records')
