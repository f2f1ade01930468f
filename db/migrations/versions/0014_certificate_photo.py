"""the certificate picture of a course declared finished elsewhere

Revision ID: 0014
Revises: 0013

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add offline_learning.photo (a file name in the media directory)."""
    with op.batch_alter_table("offline_learning") as batch:
        batch.add_column(sa.Column("photo", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Drop offline_learning.photo."""
    with op.batch_alter_table("offline_learning") as batch:
        batch.drop_column("photo")
