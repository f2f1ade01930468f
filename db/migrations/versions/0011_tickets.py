"""tickets and FAQ entries: residents' questions to their village head or the commune staff

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 18:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tickets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('commune_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('helper_id', sa.Integer(), nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('additions', sa.Integer(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rating', sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_tickets_answered_by_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_tickets_commune_id_communes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['helper_id'], ['users.id'], name=op.f('fk_tickets_helper_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_tickets_household_id_households'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_tickets_resident_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_tickets_village_id_villages'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    )
    op.create_index('ix_tickets_commune_status', 'tickets', ['commune_id', 'status'], unique=False)
    op.create_index('ix_tickets_village_status', 'tickets', ['village_id', 'status'], unique=False)
    op.create_index(op.f('ix_tickets_helper_id'), 'tickets', ['helper_id'], unique=False)
    op.create_index(op.f('ix_tickets_resident_id'), 'tickets', ['resident_id'], unique=False)
    op.create_table(
        'faq_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('commune_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_faq_entries_commune_id_communes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_faq_entries_created_by_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_faq_entries_ticket_id_tickets'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_entries')),
    )
    op.create_index(op.f('ix_faq_entries_commune_id'), 'faq_entries', ['commune_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_faq_entries_commune_id'), table_name='faq_entries')
    op.drop_table('faq_entries')
    op.drop_index(op.f('ix_tickets_resident_id'), table_name='tickets')
    op.drop_index(op.f('ix_tickets_helper_id'), table_name='tickets')
    op.drop_index('ix_tickets_village_status', table_name='tickets')
    op.drop_index('ix_tickets_commune_status', table_name='tickets')
    op.drop_table('tickets')
