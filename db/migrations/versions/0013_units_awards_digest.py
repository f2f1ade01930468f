"""reporting units, their yearly reports, award decisions, the village heads' weekly digest

Revision ID: 0013
Revises: 0012

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add units, unit reports, award decisions; unit scopes on invites and users."""
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("members_total", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_units_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint(
            "commune_id", "name_folded", name=op.f("uq_units_commune_id_name_folded")
        ),
    )
    op.create_table(
        "award_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_award_decisions_commune_id_communes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_award_decisions_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_decisions")),
        sa.UniqueConstraint(
            "commune_id", "year", "key", name=op.f("uq_award_decisions_commune_id_year_key")
        ),
    )
    op.create_table(
        "unit_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("members_total", sa.Integer(), nullable=True),
        sa.Column("members_learned", sa.Integer(), nullable=True),
        sa.Column("classes_held", sa.Integer(), nullable=True),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("initiatives", sa.Text(), nullable=False),
        sa.Column(
            "nominations", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "history", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["users.id"],
            name=op.f("fk_unit_reports_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_unit_reports_deadline_id_deadlines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_reports_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_reports")),
        sa.UniqueConstraint(
            "unit_id", "deadline_id", "year", name=op.f("uq_unit_reports_unit_id_deadline_id_year")
        ),
    )
    with op.batch_alter_table("unit_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_reports_unit_id"), ["unit_id"], unique=False)

    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invites_unit_id_units"),
            "units",
            ["unit_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("digest_opt_in", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_users_scope_unit_id"), ["scope_unit_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_scope_unit_id_units"),
            "units",
            ["scope_unit_id"],
            ["id"],
            ondelete="SET NULL",
            use_alter=True,
        )


def downgrade() -> None:
    """Remove what upgrade added."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_scope_unit_id_units"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_scope_unit_id"))
        batch_op.drop_column("digest_opt_in")
        batch_op.drop_column("scope_unit_id")

    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invites_unit_id_units"), type_="foreignkey")
        batch_op.drop_column("unit_id")

    with op.batch_alter_table("unit_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_reports_unit_id"))

    op.drop_table("unit_reports")
    op.drop_table("award_decisions")
    op.drop_table("units")
