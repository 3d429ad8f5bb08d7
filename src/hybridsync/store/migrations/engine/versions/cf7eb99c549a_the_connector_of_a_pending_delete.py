"""the connector of a pending delete

Revision ID: cf7eb99c549a
Revises: 6ff9f7823e66
Create Date: 2026-11-21 11:35:59.826264

``pending_export.connector``: the connector a delete's object was last seen in (its metaverse
object is gone by then), for ``preview``. Rows written before it stay NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cf7eb99c549a"
down_revision: str | None = "6ff9f7823e66"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pending_export", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connector", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_export", schema=None) as batch_op:
        batch_op.drop_column("connector")
